package org.alexnettfj.data;

import java.util.Objects;

/**
 * Every choice that turns a decoded image into network input, spelled out so that Java and Python runs can be
 * compared setting by setting. {@link #NOTEBOOK} reproduces the classic notebook
 * ({@code validate_alexnet_on_imagenet.ipynb}) exactly:
 *
 * <pre>
 * img = cv2.imread(path)                                    # decoder: BGR, 8-bit
 * img = cv2.resize(img.astype(np.float32), (227, 227))      # geometry STRETCH, arithmetic FLOAT32, cropSize 227
 * img -= np.array([104., 117., 124.], dtype=np.float32)     # mean NOTEBOOK, channelOrder BGR
 * </pre>
 *
 * <pre>{@code
 * PreprocessConfig caffe = PreprocessConfig.builder()
 *     .geometry(Geometry.RESIZE_SQUARE_THEN_CENTER_CROP)   // 256x256, then the centre 227x227
 *     .mean(Mean.caffeMeanImage(Path.of("ilsvrc_2012_mean.npy")))
 *     .build();
 * }</pre>
 *
 * @param geometry how the image is brought to {@code cropSize x cropSize}
 * @param resizeTo the side (square) or shorter side the crop geometries resize to first, and the square size that
 *     {@link Preprocessor#oversample 10-crop} resizes to; 256 in AlexNet
 * @param cropSize the network's input side, 227 for this AlexNet
 * @param arithmetic whether the resize runs on float32 (the notebook) or uint8 samples
 * @param channelOrder the output's channel order; the mean is always given in BGR
 * @param mean what is subtracted, in BGR
 * @param decoder how files are decoded (pixel limit, EXIF orientation, truncated JPEGs)
 */
public record PreprocessConfig(Geometry geometry, int resizeTo, int cropSize, Arithmetic arithmetic,
    ChannelOrder channelOrder, Mean mean, ImageDecoder decoder) {

  /** The classic notebook's preprocessing: stretch to 227x227 in float32, BGR, minus [104, 117, 124]. */
  public static final PreprocessConfig NOTEBOOK = new PreprocessConfig(Geometry.STRETCH, 256, 227,
      Arithmetic.FLOAT32, ChannelOrder.BGR, Mean.NOTEBOOK, ImageDecoder.DEFAULT);

  /** How an image of any size becomes {@code cropSize x cropSize}. */
  public enum Geometry {
    /** Resize straight to {@code cropSize x cropSize}, ignoring the aspect ratio: {@code cv2.resize(img, (227,
     * 227))}, the classic notebook. */
    STRETCH,
    /** Resize to {@code resizeTo x resizeTo}, ignoring the aspect ratio, then take the centre crop: Caffe's test
     * phase on its 256x256 ImageNet data. */
    RESIZE_SQUARE_THEN_CENTER_CROP,
    /** Resize so the shorter side is {@code resizeTo}, keeping the aspect ratio (longer side
     * {@code floor(long * resizeTo / short)}), then take the centre crop: the torchvision convention. */
    RESIZE_SHORTER_SIDE_THEN_CENTER_CROP
  }

  /** The sample type {@code cv2.resize} works on; they differ by up to one grey level. */
  public enum Arithmetic {
    /** {@code cv2.resize(img.astype(np.float32), ...)}: unrounded float results, as the notebook does. */
    FLOAT32,
    /** {@code cv2.resize(img, ...)} on the uint8 image: 11-bit fixed point, rounded to whole grey levels. */
    UINT8
  }

  /** The channel order of the output, for weights trained on BGR or on RGB input. */
  public enum ChannelOrder {
    /** Blue, green, red: what {@code bvlc_alexnet.npy} (converted from Caffe) was trained on. */
    BGR,
    /** Red, green, blue: for weights trained on RGB input. The mean is still given in BGR. */
    RGB
  }

  /**
   * Checks the settings together.
   *
   * @param geometry how the image is brought to {@code cropSize x cropSize}
   * @param resizeTo the side or shorter side to resize to first; at least {@code cropSize}
   * @param cropSize the network's input side, positive
   * @param arithmetic whether the resize runs on float32 or uint8 samples
   * @param channelOrder the output's channel order
   * @param mean what is subtracted, in BGR
   * @param decoder how files are decoded
   * @throws NullPointerException if a setting is null
   * @throws IllegalArgumentException if {@code cropSize} is not positive or {@code resizeTo} is smaller
   */
  public PreprocessConfig {
    Objects.requireNonNull(geometry, "geometry");
    Objects.requireNonNull(arithmetic, "arithmetic");
    Objects.requireNonNull(channelOrder, "channelOrder");
    Objects.requireNonNull(mean, "mean");
    Objects.requireNonNull(decoder, "decoder");
    if (cropSize <= 0) {
      throw new IllegalArgumentException("cropSize must be positive, got " + cropSize);
    }
    if (resizeTo < cropSize) {
      throw new IllegalArgumentException("resizeTo (" + resizeTo + ") must be at least cropSize (" + cropSize
          + "): the crop is taken from the resized image");
    }
  }

  /**
   * Starts a configuration from the classic notebook's.
   *
   * @return a builder holding {@link #NOTEBOOK}'s settings
   */
  public static Builder builder() {
    return new Builder(NOTEBOOK);
  }

  /**
   * Starts a variation of this configuration.
   *
   * @return a builder holding this configuration's settings
   */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * The smallest side an image may be decoded at without this preprocessing enlarging it: {@code resizeTo}, as
   * every geometry (and the 10-crop) resizes to at most that on the shorter side.
   *
   * @return the smallest shorter side a DCT-scaled decode may leave
   */
  public int minDecodedSide() {
    return resizeTo;
  }

  /**
   * This configuration with JPEGs at least twice {@link #minDecodedSide()} a side decoded by {@code jpeg},
   * DCT-scaled down towards that side ({@link ImageDecoder#withJpegDecoder}); for training. {@code null}: the
   * JDK's reader again.
   *
   * @param jpeg the DCT-scaling decoder, or {@code null}
   * @return the new configuration; this one is unchanged
   */
  public PreprocessConfig withJpegDecoder(JpegDecoder jpeg) {
    return toBuilder().decoder(decoder.withJpegDecoder(jpeg, minDecodedSide())).build();
  }

  /**
   * Builds a {@link PreprocessConfig} by changing some settings of {@link #NOTEBOOK} or of another configuration;
   * {@link #build()} checks them together.
   */
  public static final class Builder {
    private Geometry geometry;
    private int resizeTo;
    private int cropSize;
    private Arithmetic arithmetic;
    private ChannelOrder channelOrder;
    private Mean mean;
    private ImageDecoder decoder;

    private Builder(PreprocessConfig from) {
      geometry = from.geometry;
      resizeTo = from.resizeTo;
      cropSize = from.cropSize;
      arithmetic = from.arithmetic;
      channelOrder = from.channelOrder;
      mean = from.mean;
      decoder = from.decoder;
    }

    /**
     * Sets how the image is brought to {@code cropSize x cropSize}; the notebook stretches.
     *
     * @param geometry the geometry
     * @return this builder
     */
    public Builder geometry(Geometry geometry) {
      this.geometry = geometry;
      return this;
    }

    /**
     * Sets the side (square) or shorter side the crop geometries and the 10-crop resize to; the notebook's is 256.
     *
     * @param resizeTo the side, at least the crop size
     * @return this builder
     */
    public Builder resizeTo(int resizeTo) {
      this.resizeTo = resizeTo;
      return this;
    }

    /**
     * Sets the network's input side; 227 for this AlexNet.
     *
     * @param cropSize the side, positive
     * @return this builder
     */
    public Builder cropSize(int cropSize) {
      this.cropSize = cropSize;
      return this;
    }

    /**
     * Sets the samples the resize works on; the notebook resizes float32.
     *
     * @param arithmetic float32 or uint8
     * @return this builder
     */
    public Builder arithmetic(Arithmetic arithmetic) {
      this.arithmetic = arithmetic;
      return this;
    }

    /**
     * Sets the output's channel order; BGR for the converted Caffe weights.
     *
     * @param channelOrder BGR or RGB
     * @return this builder
     */
    public Builder channelOrder(ChannelOrder channelOrder) {
      this.channelOrder = channelOrder;
      return this;
    }

    /**
     * Sets what is subtracted; the notebook's is {@link Mean#NOTEBOOK}.
     *
     * @param mean a mean in BGR order, whatever the output's
     * @return this builder
     */
    public Builder mean(Mean mean) {
      this.mean = mean;
      return this;
    }

    /**
     * Sets how files are decoded; the notebook's is {@link ImageDecoder#DEFAULT}.
     *
     * @param decoder the decoder
     * @return this builder
     */
    public Builder decoder(ImageDecoder decoder) {
      this.decoder = decoder;
      return this;
    }

    /**
     * Checks the settings together.
     *
     * @return the configuration
     * @throws NullPointerException if a setting is null
     * @throws IllegalArgumentException if the crop size is not positive or larger than {@code resizeTo}
     */
    public PreprocessConfig build() {
      return new PreprocessConfig(geometry, resizeTo, cropSize, arithmetic, channelOrder, mean, decoder);
    }
  }
}
