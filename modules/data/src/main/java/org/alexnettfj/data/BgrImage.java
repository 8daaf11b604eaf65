package org.alexnettfj.data;

import java.util.Arrays;

/**
 * A decoded 8-bit image with three channels in BGR order, stored row-major and channel-last
 * ({@code pixels[(y * width + x) * 3 + c]}, c = 0 blue, 1 green, 2 red) — the same layout and values as the
 * {@code numpy} array that {@code cv2.imread(path)} returns.
 *
 * <pre>{@code
 * BgrImage img = ImageDecoder.DEFAULT.decode(Path.of("llama.jpeg"));
 * int red = img.get(0, 0, 2);   // 0..255
 * }</pre>
 *
 * @param width columns
 * @param height rows
 * @param pixels {@code width * height * 3} samples, BGR, channel-last; not copied
 */
public record BgrImage(int width, int height, byte[] pixels) {

  /** Samples per pixel: blue, green, red. */
  public static final int CHANNELS = 3;

  /**
   * Checks the size against the samples.
   *
   * @param width columns, at least 1
   * @param height rows, at least 1
   * @param pixels exactly {@code width * height * 3} samples
   * @throws IllegalArgumentException if a side is not positive or the samples do not fit
   */
  public BgrImage {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
    }
    if ((long) width * height * CHANNELS != pixels.length) {
      throw new IllegalArgumentException(
          width + "x" + height + "x3 needs " + (long) width * height * CHANNELS + " bytes, got " + pixels.length);
    }
  }

  /**
   * One sample, unsigned.
   *
   * @param y the row
   * @param x the column
   * @param c the channel: 0 = B, 1 = G, 2 = R
   * @return the sample at row {@code y}, column {@code x}, channel {@code c}, as 0..255
   */
  public int get(int y, int x, int c) {
    return pixels[(y * width + x) * CHANNELS + c] & 0xff;
  }

  /**
   * The samples as floats in the same layout, as {@code img.astype(np.float32)} gives.
   *
   * @return a new array of 0..255 values
   */
  public float[] toFloats() {
    float[] out = new float[pixels.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = pixels[i] & 0xff;
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BgrImage b && width == b.width && height == b.height && Arrays.equals(pixels, b.pixels);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * width + height) + Arrays.hashCode(pixels);
  }

  @Override
  public String toString() {
    return "BgrImage[" + width + "x" + height + "]";
  }
}
