package org.alexnettfj.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.alexnettfj.weights.WeightArray;
import org.alexnettfj.weights.WeightReader;

/**
 * What is subtracted from every pixel before the network sees it, always given in <b>BGR</b> order (the order the
 * weights were trained in).
 *
 * <ul>
 *   <li>{@link PerChannel}: one value per channel. {@link #NOTEBOOK} is {@code [104, 117, 124]}, what the classic
 *       notebook subtracts.
 *   <li>{@link PerPixel}: a mean image, such as Caffe's {@code ilsvrc_2012_mean.npy} (256x256, whose channel means
 *       are {@code [104.00699, 116.66877, 122.67891]}). It is subtracted at the geometry the image has <i>before</i>
 *       cropping, and then cropped with the same window, as Caffe's data layer does with its 256x256 mean and
 *       227 crops; a mean image of another size is first brought to that geometry with the same float32
 *       {@link OpenCvResize bilinear resize} (so for plain 227x227 stretching, the 256x256 mean is resized to
 *       227x227, not cropped).
 * </ul>
 *
 * <pre>{@code
 * Mean notebook = Mean.NOTEBOOK;
 * Mean caffe = Mean.caffeMeanImage(Path.of("ilsvrc_2012_mean.npy"));
 * }</pre>
 */
public sealed interface Mean permits Mean.PerChannel, Mean.PerPixel {

  /** The classic notebook's BGR mean, {@code np.array([104., 117., 124.], dtype=np.float32)}. */
  PerChannel NOTEBOOK = new PerChannel(104f, 117f, 124f);

  /** Nothing subtracted: raw 0..255 values. */
  PerChannel NONE = new PerChannel(0f, 0f, 0f);

  /**
   * The mean per channel: for a mean image, its average over all pixels.
   *
   * @return a new array: blue, green, red
   */
  float[] channelMeans();

  /**
   * A mean of one value per channel.
   *
   * @param blue subtracted from the blue channel
   * @param green subtracted from the green channel
   * @param red subtracted from the red channel
   * @return the mean
   */
  static PerChannel perChannel(float blue, float green, float red) {
    return new PerChannel(blue, green, red);
  }

  /**
   * A Caffe mean image from a {@code .npy}: shape {@code (3, height, width)}, channels B, G, R (channel-first, as
   * {@code caffe.io.blobproto_to_array} writes it), any float dtype. Stored here as float32, channel-last.
   *
   * @param npy the mean file, e.g. {@code ilsvrc_2012_mean.npy}
   * @return the mean image at the file's size
   * @throws IOException if the file cannot be read or does not have that shape
   */
  static PerPixel caffeMeanImage(Path npy) throws IOException {
    WeightArray a = WeightReader.readArray(npy);
    int[] s = a.shape();
    if (s.length != 3 || s[0] != 3 || s[1] <= 0 || s[2] <= 0) {
      throw new IOException(npy + ": a Caffe mean image has shape (3, height, width), channels B, G, R; this one "
          + "has shape " + a.shapeString());
    }
    int h = s[1];
    int w = s[2];
    float[] chw = a.data();
    float[] hwc = new float[chw.length];
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < h * w; i++) {
        hwc[i * 3 + c] = chw[c * h * w + i];
      }
    }
    return new PerPixel(h, w, hwc);
  }

  /**
   * A mean of one value per channel, in BGR order.
   *
   * @param blue subtracted from the blue channel
   * @param green subtracted from the green channel
   * @param red subtracted from the red channel
   */
  record PerChannel(float blue, float green, float red) implements Mean {
    @Override
    public float[] channelMeans() {
      return new float[] {blue, green, red};
    }
  }

  /**
   * A mean image, {@code height x width x 3}, channel-last, BGR ({@code bgr[(y * width + x) * 3 + c]}).
   *
   * @param height the image's rows
   * @param width the image's columns
   * @param bgr {@code height * width * 3} values; not copied
   */
  record PerPixel(int height, int width, float[] bgr) implements Mean {

    /**
     * Checks the size against the values.
     *
     * @param height the image's rows, at least 1
     * @param width the image's columns, at least 1
     * @param bgr exactly {@code height * width * 3} values
     * @throws IllegalArgumentException if they do not fit
     */
    public PerPixel {
      if (height <= 0 || width <= 0 || (long) height * width * 3 != bgr.length) {
        throw new IllegalArgumentException("mean image " + width + "x" + height + "x3 needs "
            + (long) height * width * 3 + " values, got " + bgr.length);
      }
    }

    /** The image's mean per channel (computed in double), blue first. */
    @Override
    public float[] channelMeans() {
      double[] sum = new double[3];
      for (int i = 0; i < bgr.length; i++) {
        sum[i % 3] += bgr[i];
      }
      int n = height * width;
      return new float[] {(float) (sum[0] / n), (float) (sum[1] / n), (float) (sum[2] / n)};
    }

    /**
     * This mean at the geometry an image has before cropping.
     *
     * @param outHeight the rows wanted
     * @param outWidth the columns wanted
     * @return itself if the size is the same, else a copy resized with OpenCV's float32 bilinear resize
     */
    public PerPixel resizedTo(int outHeight, int outWidth) {
      if (outHeight == height && outWidth == width) {
        return this;
      }
      return new PerPixel(outHeight, outWidth, OpenCvResize.resize(bgr, height, width, 3, outHeight, outWidth));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof PerPixel p && height == p.height && width == p.width && Arrays.equals(bgr, p.bgr);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * height + width) + Arrays.hashCode(bgr);
    }

    @Override
    public String toString() {
      return "PerPixel[" + width + "x" + height + ", channel means " + Arrays.toString(channelMeans()) + "]";
    }
  }
}
