package org.alexnettfj.data;

import java.util.Arrays;

/**
 * {@code cv2.resize(src, (outWidth, outHeight))} with the default {@code INTER_LINEAR}, reproduced bit for bit in
 * plain Java (checked against OpenCV 4.6.0 on x86-64). Not {@code Graphics2D}/{@code AffineTransformOp} scaling,
 * whose bilinear filter samples other positions and gives other values.
 *
 * <p><b>The formula.</b> Pixel centres are aligned ("half-pixel"): output column {@code dx} samples source
 * position {@code fx = (dx + 0.5) * (srcWidth / outWidth) - 0.5}, computed in double and rounded to float; with
 * {@code sx = floor(fx)} and {@code a = fx - sx} the value is {@code S[sx] * (1 - a) + S[sx + 1] * a}. Rows the
 * same way, applied to the horizontally interpolated rows. At the borders OpenCV is asymmetric, and so are we:
 * a column left of 0 or at/after the last source column takes that edge column whole ({@code a = 0}); a row above
 * 0 or below the last keeps its weights but reads the edge row twice (so the weights still sum to one, up to
 * float rounding).
 *
 * <p><b>Two arithmetics</b>, because OpenCV has two and they differ by up to one grey level:
 * <ul>
 *   <li>{@link #resize(float[], int, int, int, int, int)} — float32 input, float32 output, no rounding: what the
 *       classic notebook does ({@code cv2.resize(image.astype(np.float32), (227, 227))}).
 *   <li>{@link #resize(byte[], int, int, int, int, int)} — uint8 input and output: weights in 11-bit fixed point
 *       ({@code round(a * 2048)}), the horizontal pass exact in integers, and the vertical pass as OpenCV's SIMD
 *       kernel computes it, {@code (((H0 >> 4) * b0 >> 16) + ((H1 >> 4) * b1 >> 16) + 2) >> 2} — which is what
 *       {@code cv2.resize(img, size)} returns on x86-64 and ARM builds.
 * </ul>
 *
 * <p><b>Special cases</b> OpenCV makes, made here too: equal sizes copy; an exact halving of both sides
 * ({@code src = 2 * out}) uses {@code INTER_AREA}, the mean of each 2x2 block ({@code ((p00 + p01 + p10 + p11) *
 * 0.25} in float, {@code (sum + 2) >> 2} in uint8).
 *
 * <p>Images are row-major and channel-last ({@code [y][x][c]}), any channel count.
 *
 * <pre>{@code
 * float[] out = OpenCvResize.resize(img.toFloats(), img.height(), img.width(), 3, 227, 227);
 * }</pre>
 */
public final class OpenCvResize {

  private static final int COEF_BITS = 11;
  private static final int COEF_SCALE = 1 << COEF_BITS;

  private OpenCvResize() {
  }

  /**
   * Float32 bilinear resize, as {@code cv2.resize} of a float32 array.
   *
   * @param src the image, {@code height * width * channels} values, channel-last
   * @param height the source's rows
   * @param width the source's columns
   * @param channels values per pixel
   * @param outHeight the rows wanted
   * @param outWidth the columns wanted
   * @return a new {@code outHeight * outWidth * channels} array (a copy when the size is unchanged)
   * @throws IllegalArgumentException if a size is not positive or {@code src} does not have that many values
   */
  public static float[] resize(float[] src, int height, int width, int channels, int outHeight, int outWidth) {
    check(src.length, height, width, channels, outHeight, outWidth);
    if (height == outHeight && width == outWidth) {
      return src.clone();
    }
    int cn = channels;
    float[] dst = new float[outHeight * outWidth * cn];
    if (height == 2 * outHeight && width == 2 * outWidth) {
      int row = width * cn;
      for (int y = 0; y < outHeight; y++) {
        for (int x = 0; x < outWidth; x++) {
          int s = 2 * y * row + 2 * x * cn;
          for (int c = 0; c < cn; c++) {
            dst[(y * outWidth + x) * cn + c] =
                (src[s + c] + src[s + cn + c] + src[s + row + c] + src[s + row + cn + c]) * 0.25f;
          }
        }
      }
      return dst;
    }
    Axis xs = Axis.columns(width, outWidth);
    bilinear(Axis.rows(height, outHeight), height, outWidth * cn,
        (row, out) -> horizontal(src, row * width * cn, xs, width, cn, out), dst, null);
    return dst;
  }

  /** One source row's horizontal pass into {@code out}. */
  private interface RowPass {
    void horizontal(int row, float[] out);
  }

  /** Takes a resized region row by row, as the streaming {@code resizeRegion} makes them. */
  @FunctionalInterface
  public interface Rows {
    /**
     * Takes one row of the region; the array is reused for the next row, so copy what must be kept.
     *
     * @param y the row within the region, from 0
     * @param values {@code regionWidth * channels} values
     */
    void row(int y, float[] values);
  }

  /**
   * The float vertical pass over output rows {@code ys}, {@code outRow} values each, from the horizontal passes of
   * the two source rows each reads. Those are cached: consecutive output rows mostly read the same two rows. Into
   * {@code dst}, or row by row into {@code rows} where that is not null.
   */
  private static void bilinear(Axis ys, int height, int outRow, RowPass pass, float[] dst, Rows rows) {
    float[] h0 = new float[outRow];
    float[] h1 = new float[outRow];
    float[] line = rows == null ? dst : new float[outRow];
    int have0 = -1;
    int have1 = -1;
    for (int dy = 0; dy < ys.offset.length; dy++) {
      int r0 = clamp(ys.offset[dy], height);
      int r1 = clamp(ys.offset[dy] + 1, height);
      if (r0 != have0) {
        if (r0 == have1) {
          float[] t = h0;
          h0 = h1;
          h1 = t;
          have1 = have0;
        } else {
          pass.horizontal(r0, h0);
        }
        have0 = r0;
      }
      if (r1 != have1) {
        pass.horizontal(r1, h1);
        have1 = r1;
      }
      float b0 = ys.weight0[dy];
      float b1 = ys.weight1[dy];
      int o = rows == null ? dy * outRow : 0;
      for (int i = 0; i < outRow; i++) {
        line[o + i] = h0[i] * b0 + h1[i] * b1;
      }
      if (rows != null) {
        rows.row(dy, line);
      }
    }
  }

  /**
   * The {@code regionHeight x regionWidth} window at {@code (top, left)} of {@link #resize(float[], int, int, int,
   * int, int) resize(toFloats(src), ...)}, computed from the uint8 pixels directly and only inside the window: the
   * same values (each output pixel depends only on its own source positions, and uint8 to float is exact) at a
   * fraction of the work when a crop follows the resize, as in training.
   *
   * @param src the uint8 image, {@code height * width * channels} samples, channel-last
   * @param height the source's rows
   * @param width the source's columns
   * @param channels samples per pixel
   * @param outHeight the rows of the whole resized image
   * @param outWidth the columns of the whole resized image
   * @param top the window's first row in the resized image
   * @param left the window's first column in the resized image
   * @param regionHeight the window's rows
   * @param regionWidth the window's columns
   * @return a new {@code regionHeight * regionWidth * channels} array
   * @throws IllegalArgumentException if a size is wrong or the window is not inside the resized image
   */
  public static float[] resizeRegion(byte[] src, int height, int width, int channels, int outHeight, int outWidth,
      int top, int left, int regionHeight, int regionWidth) {
    checkRegion(src, height, width, channels, outHeight, outWidth, top, left, regionHeight, regionWidth);
    int outRow = regionWidth * channels;
    float[] dst = new float[regionHeight * outRow];
    resizeRegion(src, height, width, channels, outHeight, outWidth, top, left, regionHeight, regionWidth,
        (y, values) -> System.arraycopy(values, 0, dst, y * outRow, outRow));
    return dst;
  }

  /**
   * As {@link #resizeRegion(byte[], int, int, int, int, int, int, int, int, int)}, handing each row of the window
   * to {@code rows} as it is made, top to bottom, instead of gathering them: a caller that crops or converts
   * straight into its own array (the training pipeline) needs no window-sized array in between.
   *
   * @param src the uint8 image, {@code height * width * channels} samples, channel-last
   * @param height the source's rows
   * @param width the source's columns
   * @param channels samples per pixel
   * @param outHeight the rows of the whole resized image
   * @param outWidth the columns of the whole resized image
   * @param top the window's first row in the resized image
   * @param left the window's first column in the resized image
   * @param regionHeight the window's rows
   * @param regionWidth the window's columns
   * @param rows given each row of the window in turn
   * @throws IllegalArgumentException if a size is wrong or the window is not inside the resized image
   */
  public static void resizeRegion(byte[] src, int height, int width, int channels, int outHeight, int outWidth,
      int top, int left, int regionHeight, int regionWidth, Rows rows) {
    checkRegion(src, height, width, channels, outHeight, outWidth, top, left, regionHeight, regionWidth);
    int cn = channels;
    int row = width * cn;
    int outRow = regionWidth * cn;
    if (height == outHeight && width == outWidth) {
      float[] line = new float[outRow];
      for (int y = 0; y < regionHeight; y++) {
        int s = (top + y) * row + left * cn;
        for (int i = 0; i < outRow; i++) {
          line[i] = src[s + i] & 0xff;
        }
        rows.row(y, line);
      }
      return;
    }
    if (height == 2 * outHeight && width == 2 * outWidth) {
      float[] line = new float[outRow];
      for (int y = 0; y < regionHeight; y++) {
        for (int x = 0; x < regionWidth; x++) {
          int s = 2 * (top + y) * row + 2 * (left + x) * cn;
          for (int c = 0; c < cn; c++) {
            // a sum of four uint8 values is exact in float, so this equals the float path's sum of floats
            int sum = (src[s + c] & 0xff) + (src[s + cn + c] & 0xff) + (src[s + row + c] & 0xff)
                + (src[s + row + cn + c] & 0xff);
            line[x * cn + c] = sum * 0.25f;
          }
        }
        rows.row(y, line);
      }
      return;
    }
    Axis xs = Axis.columns(width, outWidth).slice(left, regionWidth);
    bilinear(Axis.rows(height, outHeight).slice(top, regionHeight), height, outRow,
        (r, out) -> horizontal(src, r * row, xs, width, cn, out), null, rows);
  }

  private static void checkRegion(byte[] src, int height, int width, int channels, int outHeight, int outWidth,
      int top, int left, int regionHeight, int regionWidth) {
    check(src.length, height, width, channels, outHeight, outWidth);
    if (top < 0 || left < 0 || regionHeight <= 0 || regionWidth <= 0 || top + regionHeight > outHeight
        || left + regionWidth > outWidth) {
      throw new IllegalArgumentException("region " + regionWidth + "x" + regionHeight + " at (" + top + ", " + left
          + ") is not inside " + outWidth + "x" + outHeight);
    }
  }

  /**
   * Uint8 bilinear resize, as {@code cv2.resize} of a uint8 array.
   *
   * @param src the image, {@code height * width * channels} samples, channel-last
   * @param height the source's rows
   * @param width the source's columns
   * @param channels samples per pixel
   * @param outHeight the rows wanted
   * @param outWidth the columns wanted
   * @return a new {@code outHeight * outWidth * channels} array (a copy when the size is unchanged)
   * @throws IllegalArgumentException if a size is not positive or {@code src} does not have that many samples
   */
  public static byte[] resize(byte[] src, int height, int width, int channels, int outHeight, int outWidth) {
    check(src.length, height, width, channels, outHeight, outWidth);
    if (height == outHeight && width == outWidth) {
      return src.clone();
    }
    int cn = channels;
    byte[] dst = new byte[outHeight * outWidth * cn];
    if (height == 2 * outHeight && width == 2 * outWidth) {
      int row = width * cn;
      for (int y = 0; y < outHeight; y++) {
        for (int x = 0; x < outWidth; x++) {
          int s = 2 * y * row + 2 * x * cn;
          for (int c = 0; c < cn; c++) {
            int sum = (src[s + c] & 0xff) + (src[s + cn + c] & 0xff) + (src[s + row + c] & 0xff)
                + (src[s + row + cn + c] & 0xff);
            dst[(y * outWidth + x) * cn + c] = (byte) ((sum + 2) >> 2);
          }
        }
      }
      return dst;
    }
    Axis xs = Axis.columns(width, outWidth);
    Axis ys = Axis.rows(height, outHeight);
    int[] xa0 = fixed(xs.weight0);
    int[] xa1 = fixed(xs.weight1);
    int outRow = outWidth * cn;
    int[] h0 = new int[outRow];
    int[] h1 = new int[outRow];
    int have0 = -1;
    int have1 = -1;
    for (int dy = 0; dy < outHeight; dy++) {
      int r0 = clamp(ys.offset[dy], height);
      int r1 = clamp(ys.offset[dy] + 1, height);
      if (r0 != have0) {
        if (r0 == have1) {
          int[] t = h0;
          h0 = h1;
          h1 = t;
          have1 = have0;
        } else {
          horizontal(src, r0 * width * cn, xs.offset, xa0, xa1, width, cn, h0);
        }
        have0 = r0;
      }
      if (r1 != have1) {
        horizontal(src, r1 * width * cn, xs.offset, xa0, xa1, width, cn, h1);
        have1 = r1;
      }
      int b0 = fixed(ys.weight0[dy]);
      int b1 = fixed(ys.weight1[dy]);
      int o = dy * outRow;
      for (int i = 0; i < outRow; i++) {
        // OpenCV's VResizeLinearVec_32s8u: 16-bit multiply-high of the pre-shifted sums, then a rounding >> 2.
        int v = ((((h0[i] >> 4) * b0) >> 16) + (((h1[i] >> 4) * b1) >> 16) + 2) >> 2;
        dst[o + i] = (byte) Math.max(0, Math.min(255, v));
      }
    }
    return dst;
  }

  private static void horizontal(float[] src, int rowStart, Axis xs, int width, int cn, float[] out) {
    int outWidth = xs.offset.length;
    for (int dx = 0; dx < outWidth; dx++) {
      int sx = xs.offset[dx];
      int s = rowStart + sx * cn;
      int o = dx * cn;
      if (sx + 1 >= width) {
        for (int c = 0; c < cn; c++) {
          out[o + c] = src[s + c];
        }
      } else {
        float a0 = xs.weight0[dx];
        float a1 = xs.weight1[dx];
        for (int c = 0; c < cn; c++) {
          out[o + c] = src[s + c] * a0 + src[s + cn + c] * a1;
        }
      }
    }
  }

  /** {@link #horizontal(float[], int, Axis, int, int, float[])} reading uint8 pixels (exact in float). */
  private static void horizontal(byte[] src, int rowStart, Axis xs, int width, int cn, float[] out) {
    int outWidth = xs.offset.length;
    int dx = 0;
    if (cn == 3) {
      // The pipeline's case, spelled out (same operations, same order) because it runs faster than the general
      // loop on a training crop (see BENCHMARKS.md). Offsets only grow, so once a sample reaches the last column
      // the rest do too and go to the general loop.
      int[] offset = xs.offset;
      float[] w0 = xs.weight0;
      float[] w1 = xs.weight1;
      for (; dx < outWidth && offset[dx] + 1 < width; dx++) {
        int s = rowStart + offset[dx] * 3;
        int o = dx * 3;
        float a0 = w0[dx];
        float a1 = w1[dx];
        out[o] = (src[s] & 0xff) * a0 + (src[s + 3] & 0xff) * a1;
        out[o + 1] = (src[s + 1] & 0xff) * a0 + (src[s + 4] & 0xff) * a1;
        out[o + 2] = (src[s + 2] & 0xff) * a0 + (src[s + 5] & 0xff) * a1;
      }
    }
    for (; dx < outWidth; dx++) {
      int sx = xs.offset[dx];
      int s = rowStart + sx * cn;
      int o = dx * cn;
      if (sx + 1 >= width) {
        for (int c = 0; c < cn; c++) {
          out[o + c] = src[s + c] & 0xff;
        }
      } else {
        float a0 = xs.weight0[dx];
        float a1 = xs.weight1[dx];
        for (int c = 0; c < cn; c++) {
          out[o + c] = (src[s + c] & 0xff) * a0 + (src[s + cn + c] & 0xff) * a1;
        }
      }
    }
  }

  private static void horizontal(byte[] src, int rowStart, int[] offset, int[] a0, int[] a1, int width, int cn,
      int[] out) {
    for (int dx = 0; dx < offset.length; dx++) {
      int sx = offset[dx];
      int s = rowStart + sx * cn;
      int o = dx * cn;
      if (sx + 1 >= width) {
        for (int c = 0; c < cn; c++) {
          out[o + c] = (src[s + c] & 0xff) * COEF_SCALE;
        }
      } else {
        for (int c = 0; c < cn; c++) {
          out[o + c] = (src[s + c] & 0xff) * a0[dx] + (src[s + cn + c] & 0xff) * a1[dx];
        }
      }
    }
  }

  /** OpenCV's {@code saturate_cast<short>(w * INTER_RESIZE_COEF_SCALE)}: round half to even. */
  private static int fixed(float w) {
    return (int) Math.rint(w * COEF_SCALE);
  }

  private static int[] fixed(float[] w) {
    int[] out = new int[w.length];
    for (int i = 0; i < w.length; i++) {
      out[i] = fixed(w[i]);
    }
    return out;
  }

  private static int clamp(int i, int size) {
    return i < 0 ? 0 : Math.min(i, size - 1);
  }

  private static void check(int length, int height, int width, int channels, int outHeight, int outWidth) {
    if (height <= 0 || width <= 0 || channels <= 0 || outHeight <= 0 || outWidth <= 0) {
      throw new IllegalArgumentException("sizes must be positive: " + width + "x" + height + "x" + channels
          + " -> " + outWidth + "x" + outHeight);
    }
    if ((long) height * width * channels != length) {
      throw new IllegalArgumentException(width + "x" + height + "x" + channels + " needs "
          + (long) height * width * channels + " values, got " + length);
    }
    if ((long) outHeight * outWidth * channels > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("output " + outWidth + "x" + outHeight + "x" + channels + " too large");
    }
  }

  /** Source offsets and the two interpolation weights along one axis, as OpenCV's resize() computes them. */
  private record Axis(int[] offset, float[] weight0, float[] weight1) {

    /** Entries {@code [from, from + count)}. */
    Axis slice(int from, int count) {
      return new Axis(Arrays.copyOfRange(offset, from, from + count), Arrays.copyOfRange(weight0, from, from + count),
          Arrays.copyOfRange(weight1, from, from + count));
    }

    /** Columns: a sample left of 0 or at/after the last column takes that edge column whole. */
    static Axis columns(int size, int outSize) {
      return compute(size, outSize, true);
    }

    /** Rows: offsets are left unclamped (the caller clamps the row index), weights untouched. */
    static Axis rows(int size, int outSize) {
      return compute(size, outSize, false);
    }

    private static Axis compute(int size, int outSize, boolean clampColumns) {
      double scale = 1.0 / ((double) outSize / size);
      int[] offset = new int[outSize];
      float[] w0 = new float[outSize];
      float[] w1 = new float[outSize];
      for (int d = 0; d < outSize; d++) {
        float f = (float) ((d + 0.5) * scale - 0.5);
        int s = (int) Math.floor(f);
        f -= s;
        if (clampColumns) {
          if (s < 0) {
            f = 0;
            s = 0;
          }
          if (s >= size - 1) {
            f = 0;
            s = size - 1;
          }
        }
        offset[d] = s;
        w0[d] = 1.f - f;
        w1[d] = f;
      }
      return new Axis(offset, w0, w1);
    }
  }
}
