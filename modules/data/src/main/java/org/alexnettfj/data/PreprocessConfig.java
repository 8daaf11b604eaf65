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

  /** Channel order of the output. */
  public enum ChannelOrder {
    /** Blue, green, red: what {@code bvlc_alexnet.npy} (converted from Caffe) was trained on. */
    BGR,
    /** Red, green, blue: for weights trained on RGB input. The mean is still given in BGR. */
    RGB
  }

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

  /** A builder starting from {@link #NOTEBOOK}. */
  public static Builder builder() {
    return new Builder(NOTEBOOK);
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * The smallest side an image may be decoded at without this preprocessing enlarging it: {@code resizeTo}, as
   * every geometry (and the 10-crop) resizes to at most that on the shorter side.
   */
  public int minDecodedSide() {
    return resizeTo;
  }

  /**
   * This configuration with JPEGs at least twice {@link #minDecodedSide()} a side decoded by {@code jpeg},
   * DCT-scaled down towards that side ({@link ImageDecoder#withJpegDecoder}); for training. {@code null}: the
   * JDK's reader again.
   */
  public PreprocessConfig withJpegDecoder(JpegDecoder jpeg) {
    return toBuilder().decoder(decoder.withJpegDecoder(jpeg, minDecodedSide())).build();
  }

  /** Optional settings over {@link #NOTEBOOK}'s defaults; {@link #build()} validates them together. */
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

    public Builder geometry(Geometry geometry) {
      this.geometry = geometry;
      return this;
    }

    public Builder resizeTo(int resizeTo) {
      this.resizeTo = resizeTo;
      return this;
    }

    public Builder cropSize(int cropSize) {
      this.cropSize = cropSize;
      return this;
    }

    public Builder arithmetic(Arithmetic arithmetic) {
      this.arithmetic = arithmetic;
      return this;
    }

    public Builder channelOrder(ChannelOrder channelOrder) {
      this.channelOrder = channelOrder;
      return this;
    }

    public Builder mean(Mean mean) {
      this.mean = mean;
      return this;
    }

    public Builder decoder(ImageDecoder decoder) {
      this.decoder = decoder;
      return this;
    }

    public PreprocessConfig build() {
      return new PreprocessConfig(geometry, resizeTo, cropSize, arithmetic, channelOrder, mean, decoder);
    }
  }
}
