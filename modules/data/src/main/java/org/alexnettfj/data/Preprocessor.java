package org.alexnettfj.data;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.alexnettfj.data.PreprocessConfig.Arithmetic;
import org.alexnettfj.data.PreprocessConfig.ChannelOrder;

/**
 * The one preprocessing pipeline of alexnet-tfj — prediction, feature extraction and training all call it — from a
 * file or a decoded {@link BgrImage} to network input: a {@code float[]} of {@code cropSize x cropSize x 3},
 * row-major, channel-last (one NHWC image; stack several for a batch), in the configured channel order.
 *
 * <p>The steps, in order, each set in {@link PreprocessConfig}:
 * <ol>
 *   <li>decode ({@link ImageDecoder}: BGR, 8-bit, as {@code cv2.imread});
 *   <li>resize ({@link OpenCvResize}, float32 or uint8 arithmetic) to the pre-crop size of the geometry:
 *       {@code cropSize²} for {@code STRETCH}, {@code resizeTo²} for the square crop, shorter side
 *       {@code resizeTo} for the aspect-keeping crop;
 *   <li>subtract the mean (per channel, or a mean image at the pre-crop size);
 *   <li>crop the centre {@code cropSize x cropSize}: offset {@code (size - cropSize) / 2} rounded down, as Caffe's
 *       test phase;
 *   <li>reorder channels if RGB output was asked for.
 * </ol>
 *
 * <pre>{@code
 * Preprocessor pre = new Preprocessor(PreprocessConfig.NOTEBOOK);
 * float[] input = pre.apply(Path.of("llama.jpeg"));        // 227*227*3, BGR, minus [104, 117, 124]
 * float[][] tenCrops = pre.oversample(Path.of("llama.jpeg"));
 * }</pre>
 *
 * <p>Thread-safe: one instance may serve many threads.
 */
public final class Preprocessor {

  /** The five crop positions of {@link #oversample}, in its order; the mirrored copies follow in the same order. */
  public enum Crop {
    /** The top row, the left edge: offset (0, 0). */
    TOP_LEFT,
    /** The top row, the right edge. */
    TOP_RIGHT,
    /** The bottom row, the left edge. */
    BOTTOM_LEFT,
    /** The bottom row, the right edge. */
    BOTTOM_RIGHT,
    /** Offset {@code (resizeTo - cropSize) / 2} on both axes, rounded down. */
    CENTER
  }

  /** How many inputs {@link #oversample} gives per image: five crops and their mirrors. */
  public static final int OVERSAMPLE_COUNT = 10;

  private static final int MEAN_CACHE_SIZE = 4;

  private final PreprocessConfig config;
  /**
   * The per-pixel mean at the last few pre-crop sizes. Bounded: with the aspect-keeping geometry every aspect ratio
   * in a dataset has its own size, and an unbounded cache of 1 MB means would grow with the dataset.
   */
  private final Map<Long, Mean.PerPixel> resizedMeans = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, Mean.PerPixel> eldest) {
      return size() > MEAN_CACHE_SIZE;
    }
  };

  /**
   * A pipeline for one configuration.
   *
   * @param config every preprocessing choice
   */
  public Preprocessor(PreprocessConfig config) {
    this.config = config;
  }

  /**
   * The settings this pipeline runs with.
   *
   * @return the configuration given
   */
  public PreprocessConfig config() {
    return config;
  }

  /**
   * The shape of one output, for sizing a batch.
   *
   * @return {@code [cropSize, cropSize, 3]} (HWC)
   */
  public int[] outputShape() {
    return new int[] {config.cropSize(), config.cropSize(), 3};
  }

  /**
   * Decodes the file with the configured {@link ImageDecoder}.
   *
   * @param path an image file
   * @return its pixels, BGR
   * @throws ImageDecodeException if it cannot be decoded
   */
  public BgrImage decode(Path path) throws ImageDecodeException {
    return config.decoder().decode(path);
  }

  /**
   * Decodes and preprocesses one file, centre crop.
   *
   * @param path an image file
   * @return {@code cropSize x cropSize x 3} floats (HWC)
   * @throws ImageDecodeException if it cannot be decoded
   */
  public float[] apply(Path path) throws ImageDecodeException {
    return apply(decode(path));
  }

  /**
   * Preprocesses a decoded image, centre crop.
   *
   * @param image the decoded image
   * @return {@code cropSize x cropSize x 3} floats (HWC)
   */
  public float[] apply(BgrImage image) {
    int[] size = preCropSize(image);
    int crop = config.cropSize();
    return apply(image, (size[0] - crop) / 2, (size[1] - crop) / 2, false);
  }

  /**
   * The size {@code {height, width}} the image is resized to before cropping: {@code cropSize²} for
   * {@code STRETCH}, {@code resizeTo²} for the square crop, shorter side {@code resizeTo} for the aspect-keeping
   * crop. A training crop's offsets range over {@code [0, height - cropSize]} and {@code [0, width - cropSize]}.
   *
   * @param image the decoded image; only its size matters, and only for the aspect-keeping geometry
   * @return {@code {height, width}}
   */
  public int[] preCropSize(BgrImage image) {
    return switch (config.geometry()) {
      case STRETCH -> new int[] {config.cropSize(), config.cropSize()};
      case RESIZE_SQUARE_THEN_CENTER_CROP -> new int[] {config.resizeTo(), config.resizeTo()};
      default -> shorterSideSize(image.height(), image.width(), config.resizeTo());
    };
  }

  /**
   * As {@link #apply(BgrImage)} but with the crop at {@code (top, left)} of the {@link #preCropSize} image,
   * optionally mirrored left-right: the paper's training-time random crop and flip. The mean is subtracted before
   * mirroring, as Caffe's data layer does.
   *
   * @param image the decoded image
   * @param top the crop's first row in the resized image
   * @param left the crop's first column in the resized image
   * @param mirror whether to flip the crop left-right
   * @return {@code cropSize x cropSize x 3} floats (HWC)
   * @throws IllegalArgumentException if the crop does not fit inside the resized image
   */
  public float[] apply(BgrImage image, int top, int left, boolean mirror) {
    float[] out = new float[config.cropSize() * config.cropSize() * 3];
    apply(image, top, left, mirror, null, out, 0);
    return out;
  }

  /**
   * As {@link #apply(BgrImage, int, int, boolean)}, plus {@code shiftBgr} (a colour shift in B, G, R order, or
   * null) added after the mean is subtracted, written into {@code out} from {@code offset}: one pass straight into
   * a batch instead of an array per image and copies (the training pipeline's way).
   *
   * @param image the decoded image
   * @param top the crop's first row in the resized image
   * @param left the crop's first column in the resized image
   * @param mirror whether to flip the crop left-right
   * @param shiftBgr three values added to every pixel, or null
   * @param out the batch to write into
   * @param offset where in {@code out} the crop's {@code cropSize * cropSize * 3} floats go
   * @throws IllegalArgumentException if the crop does not fit inside the resized image or {@code out} has no room
   */
  public void apply(BgrImage image, int top, int left, boolean mirror, float[] shiftBgr, float[] out, int offset) {
    int[] size = preCropSize(image);
    int h = size[0];
    int w = size[1];
    int crop = config.cropSize();
    if (top < 0 || left < 0 || top + crop > h || left + crop > w) {
      throw new IllegalArgumentException("crop " + crop + "x" + crop + " at (" + top + ", " + left
          + ") does not fit in the " + h + "x" + w + " resized image");
    }
    if (offset < 0 || offset > out.length - crop * crop * 3) {
      throw new IllegalArgumentException("no room for a " + crop + "x" + crop + "x3 crop at " + offset + " of "
          + out.length + " floats");
    }
    if (shiftBgr != null && shiftBgr.length != 3) {
      throw new IllegalArgumentException("a colour shift has 3 values (B, G, R), got " + shiftBgr.length);
    }
    Placement at = new Placement(mirror, shiftBgr, out, offset);
    if (config.arithmetic() == Arithmetic.FLOAT32) {
      // Only the crop's pixels are resized, each row taken as it is made: the same values, about a fifth less
      // work per training image, and no crop-sized array in between.
      float[] mean = meanAt(h, w);
      OpenCvResize.resizeRegion(image.pixels(), image.height(), image.width(), 3, h, w, top, left, crop, crop,
          (y, row) -> cropRow(row, 0, y, mean, w, top, left, at));
    } else {
      cropInto(resize(image, h, w), w, top, left, meanAt(h, w), w, top, left, at);
    }
  }

  /**
   * Decodes one file and makes the 10 oversampled inputs of {@link #oversample(BgrImage)}.
   *
   * @param path an image file
   * @return {@link #OVERSAMPLE_COUNT} inputs of {@code cropSize x cropSize x 3} floats
   * @throws ImageDecodeException if it cannot be decoded
   */
  public float[][] oversample(Path path) throws ImageDecodeException {
    return oversample(decode(path));
  }

  /**
   * The paper's 10-crop test-time augmentation, as Caffe's {@code caffe.io.oversample}: resize to
   * {@code resizeTo x resizeTo} (whatever the configured geometry), subtract the mean there, take the four corner
   * crops and the centre crop (offset {@code (resizeTo - cropSize) / 2} rounded down: 14 for 256/227), then the
   * same five mirrored left-right. Element {@code i} is crop {@code Crop.values()[i % 5]}, mirrored when
   * {@code i >= 5}. Average the network's ten outputs for the prediction. (Caffe's Python {@code Classifier}
   * resizes with scikit-image rather than OpenCV, so its 256x256 image differs slightly; crops and order are the
   * same.)
   *
   * @param image the decoded image
   * @return {@link #OVERSAMPLE_COUNT} inputs of {@code cropSize x cropSize x 3} floats
   */
  public float[][] oversample(BgrImage image) {
    int crop = config.cropSize();
    int size = config.resizeTo();
    float[] resized = resize(image, size, size);
    float[] mean = meanAt(size, size);
    int far = size - crop;
    int centre = far / 2;
    int[][] offsets = {{0, 0}, {0, far}, {far, 0}, {far, far}, {centre, centre}};
    float[][] out = new float[OVERSAMPLE_COUNT][];
    for (int i = 0; i < OVERSAMPLE_COUNT; i++) {
      out[i] = new float[crop * crop * 3];
      int[] o = offsets[i % 5];
      cropInto(resized, size, o[0], o[1], mean, size, o[0], o[1], new Placement(i >= 5, null, out[i], 0));
    }
    return out;
  }

  /** How many resized mean images are held (for tests of the bound). */
  int cachedMeanCount() {
    synchronized (resizedMeans) {
      return resizedMeans.size();
    }
  }

  /** The pre-crop size for the aspect-keeping geometry: shorter side {@code target}, longer side scaled down. */
  static int[] shorterSideSize(int height, int width, int target) {
    if (height <= width) {
      return new int[] {target, (int) Math.max(target, (long) width * target / height)};
    }
    return new int[] {(int) Math.max(target, (long) height * target / width), target};
  }

  private float[] resize(BgrImage image, int h, int w) {
    if (config.arithmetic() == Arithmetic.UINT8) {
      byte[] r = OpenCvResize.resize(image.pixels(), image.height(), image.width(), 3, h, w);
      float[] f = new float[r.length];
      for (int i = 0; i < r.length; i++) {
        f[i] = r[i] & 0xff;
      }
      return f;
    }
    return OpenCvResize.resize(image.toFloats(), image.height(), image.width(), 3, h, w);
  }

  /**
   * The mean to subtract at an {@code h x w} image, as a full {@code h x w x 3} array for a mean image, or a
   * 3-element array for per-channel means.
   */
  private float[] meanAt(int h, int w) {
    if (config.mean() instanceof Mean.PerPixel image) {
      long key = ((long) h << 32) | w;
      Mean.PerPixel cached;
      synchronized (resizedMeans) {
        cached = resizedMeans.get(key);
      }
      if (cached == null) {
        // Resized outside the lock: two threads may both compute it, which is harmless (same result).
        cached = image.resizedTo(h, w);
        synchronized (resizedMeans) {
          resizedMeans.put(key, cached);
        }
      }
      return cached.bgr();
    }
    return config.mean().channelMeans();
  }

  /** Where a crop goes and what is done to it on the way: mirrored, shifted in colour (BGR, or null). */
  private record Placement(boolean mirror, float[] shiftBgr, float[] out, int offset) {
  }

  /**
   * Writes {@code src[top : top + crop, left : left + crop]} of the resized image ({@code w} wide) by
   * {@link #cropRow}.
   */
  private void cropInto(float[] src, int w, int top, int left, float[] mean, int meanWidth, int meanTop,
      int meanLeft, Placement at) {
    for (int y = 0; y < config.cropSize(); y++) {
      cropRow(src, ((top + y) * w + left) * 3, y, mean, meanWidth, meanTop, meanLeft, at);
    }
  }

  /**
   * Writes row {@code y} of the crop, its pixels at {@code src[start..]}, minus the mean at the same pixels of the
   * resized image ({@code mean[meanTop + y, meanLeft + x]} of a {@code meanWidth}-wide mean image, or the channel
   * means), plus the colour shift if any, mirrored left-right if asked (the mean is subtracted at the source
   * position, before mirroring, as Caffe's data layer does), in the output channel order, into {@code at.out} from
   * {@code at.offset}.
   */
  private void cropRow(float[] src, int start, int y, float[] mean, int meanWidth, int meanTop, int meanLeft,
      Placement at) {
    int crop = config.cropSize();
    boolean perPixel = mean.length != 3;
    boolean rgb = config.channelOrder() == ChannelOrder.RGB;
    boolean mirror = at.mirror();
    float[] shift = at.shiftBgr();
    float[] out = at.out();
    for (int x = 0; x < crop; x++) {
      int s = start + x * 3;
      int m = ((meanTop + y) * meanWidth + meanLeft + x) * 3;
      int ox = mirror ? crop - 1 - x : x;
      int o = at.offset() + (y * crop + ox) * 3;
      for (int c = 0; c < 3; c++) {
        float v = src[s + c] - (perPixel ? mean[m + c] : mean[c]);
        if (shift != null) {
          // the shift is the same at every pixel: adding it here equals adding it to the image first
          v += shift[c];
        }
        out[o + (rgb ? 2 - c : c)] = v;
      }
    }
  }
}
