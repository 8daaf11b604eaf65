package org.alexnettfj.pictures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.alexnettfj.pictures.FilterGrid.Channels;
import org.alexnettfj.weights.WeightArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilterGridTest {

  private static WeightArray random(int[] shape, long seed) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    float[] w = new float[n];
    Random random = new Random(seed);
    for (int i = 0; i < n; i++) {
      w[i] = (float) random.nextGaussian() * 0.01f;
    }
    return WeightArray.of(shape, w);
  }

  /** Weight {@code [y, x, c, k]} of a {@code [h, w, in, out]} array, indexed by hand. */
  private static float at(WeightArray a, int y, int x, int c, int k) {
    int[] s = a.shape();
    return a.data()[((y * s[1] + x) * s[2] + c) * s[3] + k];
  }

  @Test
  void conv1PixelsAreEachKernelsMinMaxScaledWeightsInRgb(@TempDir Path dir) throws Exception {
    int[] shape = {11, 11, 3, 96};
    WeightArray w = random(shape, 1);
    int scale = 3;
    BufferedImage image = FilterGrid.render(w, Channels.COLOUR, scale);
    // 12 kernels a row, 4 rows a band, two bands
    assertThat(image.getWidth()).isEqualTo(2 + 12 * (33 + 2));
    assertThat(image.getHeight()).isEqualTo(2 + 8 * (33 + 2) + FilterGrid.BAND_GAP);
    Path png = dir.resolve("conv1.png");
    Png.write(image, png);
    BufferedImage read = ImageIO.read(png.toFile());
    for (int k : new int[] {0, 11, 12, 47, 48, 95}) {
      float min = Float.MAX_VALUE;
      float max = -Float.MAX_VALUE;
      for (int y = 0; y < 11; y++) {
        for (int x = 0; x < 11; x++) {
          for (int c = 0; c < 3; c++) {
            min = Math.min(min, at(w, y, x, c, k));
            max = Math.max(max, at(w, y, x, c, k));
          }
        }
      }
      int x0 = FilterGrid.originX(shape, scale, k);
      int y0 = FilterGrid.originY(shape, scale, k);
      for (int[] yx : new int[][] {{0, 0}, {5, 7}, {10, 10}}) {
        int rgb = read.getRGB(x0 + yx[1] * scale + 1, y0 + yx[0] * scale + 2) & 0xffffff;
        // channel 2 (R of BGR) is red, channel 0 (B) is blue
        for (int c = 0; c < 3; c++) {
          int expected = (int) Math.round(255.0 * (at(w, yx[0], yx[1], c, k) - min) / (max - min));
          int shift = c * 8;   // B in the low byte, R in the high one
          assertThat((rgb >> shift) & 0xff).as("kernel %d pixel %d,%d channel %d", k, yx[0], yx[1], c)
              .isEqualTo(expected);
        }
      }
    }
    // the second band (kernels 48..95, the second GPU) lies below the first, past the band gap
    assertThat(FilterGrid.originY(shape, scale, 48)).isEqualTo(2 + 4 * 35 + FilterGrid.BAND_GAP);
    assertThat(FilterGrid.originX(shape, scale, 48)).isEqualTo(FilterGrid.originX(shape, scale, 0));
    // between kernels: white
    assertThat(read.getRGB(0, 0) & 0xffffff).isEqualTo(0xffffff);
  }

  @Test
  void deeperLayersAreGreyMeansOrFirstChannels() {
    int[] shape = {5, 5, 48, 256};
    WeightArray w = random(shape, 2);
    for (Channels mode : new Channels[] {Channels.MEAN, Channels.FIRST}) {
      BufferedImage image = FilterGrid.render(w, mode, 2);
      int k = 200;
      double[] v = new double[25];
      for (int y = 0; y < 5; y++) {
        for (int x = 0; x < 5; x++) {
          double s = 0;
          for (int c = 0; c < 48; c++) {
            s += at(w, y, x, c, k);
          }
          v[y * 5 + x] = mode == Channels.MEAN ? (float) (s / 48) : at(w, y, x, 0, k);
        }
      }
      double min = java.util.Arrays.stream(v).min().orElseThrow();
      double max = java.util.Arrays.stream(v).max().orElseThrow();
      int px = image.getRGB(FilterGrid.originX(shape, 2, k) + 3 * 2, FilterGrid.originY(shape, 2, k) + 4 * 2);
      int expected = (int) Math.round(255.0 * (v[4 * 5 + 3] - min) / (max - min));
      assertThat(px & 0xff).as("%s", mode).isCloseTo(expected, org.assertj.core.data.Offset.offset(1));
      assertThat((px >> 8) & 0xff).isEqualTo(px & 0xff);
    }
    assertThatThrownBy(() -> FilterGrid.render(w, Channels.COLOUR, 2)).hasMessageContaining("3 input channels");
    assertThatThrownBy(() -> FilterGrid.render(WeightArray.of(new int[] {4, 4}, new float[16]), Channels.MEAN, 2))
        .hasMessageContaining("[height, width, in, out]");
  }

  @Test
  void aConstantKernelIsMidGrey() {
    WeightArray w = WeightArray.of(new int[] {1, 1, 3, 2}, new float[] {1, 1, 1, 1, 1, 1});
    BufferedImage image = FilterGrid.render(w, Channels.COLOUR, 1);
    assertThat(image.getRGB(FilterGrid.originX(w.shape(), 1, 1), FilterGrid.originY(w.shape(), 1, 1)) & 0xffffff)
        .isEqualTo(0x808080);
  }
}
