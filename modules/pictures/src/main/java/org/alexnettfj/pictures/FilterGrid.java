package org.alexnettfj.pictures;

import java.awt.image.BufferedImage;
import org.alexnettfj.weights.WeightArray;

/**
 * A convolution layer's kernels as one image: the paper's Figure 3 for conv1 (96 kernels of 11x11x3 in 8 rows of
 * 12, "the top 48 from one GPU, the bottom 48 from the other").
 *
 * <p>Each kernel is min-max scaled on its own (its lowest weight black, its highest white), as the paper's figure
 * is, and drawn {@code scale} times enlarged without smoothing. The kernels are split into two bands, the first
 * half above the second: the paper's two GPUs, and for conv2, conv4 and conv5 the two groups. conv1's three input
 * channels are BGR (the weights were trained on OpenCV's BGR images), drawn as RGB so that a red kernel looks red.
 * Deeper layers have 48 to 384 input channels, which no picture shows at once: each kernel is drawn in grey, as
 * the mean over its input channels ({@link Channels#MEAN}) or its first input channel ({@link Channels#FIRST}).
 */
public final class FilterGrid {

  /** How a kernel's input channels become a pixel. */
  public enum Channels {
    /** Three input channels (conv1), BGR drawn as RGB. */
    COLOUR,
    /** Grey: the mean over the input channels. */
    MEAN,
    /** Grey: the first input channel only. */
    FIRST
  }

  /** Pixels between kernels, and between the two bands. */
  static final int GAP = 2;
  static final int BAND_GAP = 10;

  private final int kh;
  private final int kw;
  private final int in;
  private final int out;
  private final int scale;
  private final int cols;
  private final int rowsPerBand;

  private FilterGrid(int[] shape, int scale) {
    this.kh = shape[0];
    this.kw = shape[1];
    this.in = shape[2];
    this.out = shape[3];
    this.scale = scale;
    this.cols = out == 96 ? 12 : 16;
    this.rowsPerBand = (out / 2 + cols - 1) / cols;
  }

  /** The grid of {@code weights} ({@code [height, width, in, out]}, as {@code conv1/weights} is). */
  public static BufferedImage render(WeightArray weights, Channels channels, int scale) {
    int[] shape = weights.shape();
    if (shape.length != 4 || shape[3] < 2) {
      throw new IllegalArgumentException("expected convolution weights [height, width, in, out], found "
          + WeightArray.shapeString(shape));
    }
    if (channels == Channels.COLOUR && shape[2] != 3) {
      throw new IllegalArgumentException("colour needs 3 input channels (conv1); these weights have " + shape[2]
          + ": draw them with the mean or the first channel");
    }
    if (scale < 1 || scale > 64) {
      throw new IllegalArgumentException("scale must be 1 to 64, was " + scale);
    }
    FilterGrid g = new FilterGrid(shape, scale);
    BufferedImage image = new BufferedImage(g.width(), g.height(), BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D gr = image.createGraphics();
    gr.setColor(java.awt.Color.WHITE);
    gr.fillRect(0, 0, image.getWidth(), image.getHeight());
    gr.dispose();
    float[] w = weights.data();
    for (int k = 0; k < g.out; k++) {
      int[] rgb = g.kernel(w, k, channels);
      int x0 = g.originX(k);
      int y0 = g.originY(k);
      for (int y = 0; y < g.kh; y++) {
        for (int x = 0; x < g.kw; x++) {
          int p = rgb[y * g.kw + x];
          for (int dy = 0; dy < scale; dy++) {
            for (int dx = 0; dx < scale; dx++) {
              image.setRGB(x0 + x * scale + dx, y0 + y * scale + dy, p);
            }
          }
        }
      }
    }
    return image;
  }

  /** The left edge of kernel {@code k}'s cell in a grid of {@code weights}. */
  public static int originX(int[] shape, int scale, int k) {
    return new FilterGrid(shape, scale).originX(k);
  }

  /** The top edge of kernel {@code k}'s cell. */
  public static int originY(int[] shape, int scale, int k) {
    return new FilterGrid(shape, scale).originY(k);
  }

  private int band(int k) {
    return k < out / 2 ? 0 : 1;
  }

  private int originX(int k) {
    int inBand = k - band(k) * (out / 2);
    return GAP + (inBand % cols) * (kw * scale + GAP);
  }

  private int originY(int k) {
    int inBand = k - band(k) * (out / 2);
    return GAP + band(k) * (rowsPerBand * (kh * scale + GAP) + BAND_GAP) + (inBand / cols) * (kh * scale + GAP);
  }

  private int width() {
    return GAP + cols * (kw * scale + GAP);
  }

  private int height() {
    return GAP + 2 * rowsPerBand * (kh * scale + GAP) + BAND_GAP;
  }

  /** Kernel {@code k}'s pixels as 0xRRGGBB, row by row, min-max scaled over the whole kernel. */
  private int[] kernel(float[] w, int k, Channels channels) {
    int planes = channels == Channels.COLOUR ? 3 : 1;
    float[] v = new float[kh * kw * planes];
    for (int y = 0; y < kh; y++) {
      for (int x = 0; x < kw; x++) {
        int base = ((y * kw + x) * in) * out + k;
        int at = (y * kw + x) * planes;
        switch (channels) {
          case COLOUR -> {
            for (int c = 0; c < 3; c++) {
              v[at + c] = w[base + c * out];
            }
          }
          case MEAN -> {
            double s = 0;
            for (int c = 0; c < in; c++) {
              s += w[base + c * out];
            }
            v[at] = (float) (s / in);
          }
          case FIRST -> v[at] = w[base];
          default -> throw new IllegalStateException();
        }
      }
    }
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float x : v) {
      if (Float.isFinite(x)) {
        min = Math.min(min, x);
        max = Math.max(max, x);
      }
    }
    int[] rgb = new int[kh * kw];
    for (int i = 0; i < rgb.length; i++) {
      if (planes == 3) {
        // BGR weights drawn as RGB
        rgb[i] = (level(v[i * 3 + 2], min, max) << 16) | (level(v[i * 3 + 1], min, max) << 8)
            | level(v[i * 3], min, max);
      } else {
        int g = level(v[i], min, max);
        rgb[i] = (g << 16) | (g << 8) | g;
      }
    }
    return rgb;
  }

  /** {@code round(255 (x - min) / (max - min))}; mid-grey for a constant kernel, and for a NaN or infinity. */
  static int level(float x, float min, float max) {
    if (!Float.isFinite(x) || !(max > min)) {
      return 128;
    }
    return (int) Math.round(255.0 * (x - min) / (max - min));
  }
}
