package org.alexnettfj.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.alexnettfj.weights.AlexNetSpec;
import org.alexnettfj.weights.AlexNetWeights;
import org.alexnettfj.weights.WeightArray;
import org.alexnettfj.weights.WeightFile;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class GradCamTest {

  /** alpha_c = mean over positions of d logit / d A_c, against (logit(A + eps 1_c) - logit(A - eps 1_c)) / 2 eps. */
  @Test
  void channelWeightsMatchFiniteDifferences() throws Exception {
    AlexNetWeights weights = AlexNetWeights.complete(TestData.randomWeightFile(3, 5));
    float[] image = TestData.randomImages(4, 1);
    try (GradCam cam = new GradCam(weights, "conv5")) {
      int k = 2;
      GradCam.Map2D m = cam.compute(image, k);
      assertThat(m.height()).isEqualTo(13);
      assertThat(m.width()).isEqualTo(13);
      float[] a = cam.layerOutput(image);
      // within the step some of fc6's and fc7's 8192 ReLUs change side, which bends the line a little
      assertChannelWeightsMatchSlopes(cam, image, a, m, k, new int[] {0, 7, 100, 255}, 2e-3);
      // the logit with the layer's own output fed back is the logit
      assertThat(cam.logitFrom(image, a, k)).isCloseTo(m.logits()[k], org.assertj.core.data.Offset.offset(
          1e-4f * Math.max(1, Math.abs(m.logits()[k]))));
    }
  }

  /**
   * The channel weights against a backward pass written out here in double: fc8 -> ReLU fc7 -> ReLU fc6 -> max
   * pooling (3x3, stride 2) onto conv5, from the layer output TensorFlow computed.
   */
  @Test
  void channelWeightsMatchABackwardPassInDouble() throws Exception {
    WeightFile file = TestData.randomWeightFile(7, 3);
    AlexNetWeights weights = AlexNetWeights.complete(file);
    float[] image = TestData.randomImages(8, 1);
    int k = 1;
    try (GradCam cam = new GradCam(weights, "conv5")) {
      GradCam.Map2D m = cam.compute(image, k);
      float[] a = cam.layerOutput(image);
      // forward in double from conv5: pool5 (with its argmax), fc6, fc7
      double[] pool = new double[6 * 6 * 256];
      int[] from = new int[pool.length];
      for (int py = 0; py < 6; py++) {
        for (int px = 0; px < 6; px++) {
          for (int c = 0; c < 256; c++) {
            double best = Double.NEGATIVE_INFINITY;
            int at = -1;
            for (int dy = 0; dy < 3; dy++) {
              for (int dx = 0; dx < 3; dx++) {
                int i = ((2 * py + dy) * 13 + (2 * px + dx)) * 256 + c;
                if (a[i] > best) {
                  best = a[i];
                  at = i;
                }
              }
            }
            pool[(py * 6 + px) * 256 + c] = best;
            from[(py * 6 + px) * 256 + c] = at;
          }
        }
      }
      float[] w6 = file.array("fc6/weights").data();
      float[] b6 = file.array("fc6/biases").data();
      float[] w7 = file.array("fc7/weights").data();
      float[] b7 = file.array("fc7/biases").data();
      float[] w8 = file.array("fc8/weights").data();
      double[] h6 = new double[4096];
      for (int j = 0; j < 4096; j++) {
        h6[j] = b6[j];
      }
      for (int i = 0; i < 9216; i++) {
        for (int j = 0; j < 4096; j++) {
          h6[j] += pool[i] * w6[i * 4096 + j];
        }
      }
      double[] h7 = new double[4096];
      for (int j = 0; j < 4096; j++) {
        h7[j] = b7[j];
      }
      for (int i = 0; i < 4096; i++) {
        double r = Math.max(0, h6[i]);
        for (int j = 0; j < 4096; j++) {
          h7[j] += r * w7[i * 4096 + j];
        }
      }
      // backward: d logit_k / d relu(h7) = w8[:, k], through the ReLUs and the two products, then the pooling
      double[] g7 = new double[4096];
      for (int i = 0; i < 4096; i++) {
        g7[i] = h7[i] > 0 ? w8[i * 3 + k] : 0;
      }
      double[] g6 = new double[4096];
      for (int i = 0; i < 4096; i++) {
        if (h6[i] > 0) {
          double s = 0;
          for (int j = 0; j < 4096; j++) {
            s += w7[i * 4096 + j] * g7[j];
          }
          g6[i] = s;
        }
      }
      double[] gA = new double[a.length];
      for (int i = 0; i < 9216; i++) {
        double s = 0;
        for (int j = 0; j < 4096; j++) {
          s += w6[i * 4096 + j] * g6[j];
        }
        gA[from[i]] += s;
      }
      double scale = 0;
      for (int c = 0; c < 256; c++) {
        double alpha = 0;
        for (int p = 0; p < 169; p++) {
          alpha += gA[p * 256 + c];
        }
        alpha /= 169;
        scale = Math.max(scale, Math.abs(alpha));
      }
      for (int c = 0; c < 256; c++) {
        double alpha = 0;
        for (int p = 0; p < 169; p++) {
          alpha += gA[p * 256 + c];
        }
        alpha /= 169;
        assertThat(Math.abs(m.channelWeights()[c] - alpha)).as("channel %d", c).isLessThan(1e-4 * scale);
      }
    }
  }

  /**
   * The channel weights TensorFlow gives (float32) against central differences of the logit computed here in
   * double from the layer's output: pool5, fc6, ReLU, fc7, ReLU, fc8. In double a step of 1e-6 is small enough that
   * no ReLU changes side and large enough that rounding stays far below 1e-3, which the float32 differences of
   * {@link #channelWeightsMatchFiniteDifferences} cannot reach.
   */
  @Test
  void channelWeightsMatchFiniteDifferencesInDouble() throws Exception {
    WeightFile file = TestData.randomWeightFile(11, 4);
    AlexNetWeights weights = AlexNetWeights.complete(file);
    float[] image = TestData.randomImages(12, 1);
    int k = 3;
    try (GradCam cam = new GradCam(weights, "conv5")) {
      GradCam.Map2D m = cam.compute(image, k);
      float[] a = cam.layerOutput(image);
      double[] layer = new double[a.length];
      for (int i = 0; i < a.length; i++) {
        layer[i] = a[i];
      }
      double scale = largestMagnitude(m.channelWeights());
      assertThat(scale).as("some channel matters").isPositive();
      assertThat(logitInDouble(layer, file, k)).as("the double forward pass is the graph's")
          .isCloseTo(m.logits()[k], Offset.offset(1e-4 * Math.max(1, Math.abs(m.logits()[k]))));
      double eps = 1e-6;
      for (int c : new int[] {0, 31, 128, 200, 255, argmaxAbs(m.channelWeights())}) {
        double up = logitInDouble(shifted(layer, c, eps), file, k);
        double down = logitInDouble(shifted(layer, c, -eps), file, k);
        // d logit / d t along "add t to every position of channel c" is the sum over positions; alpha is the mean
        double fd = (up - down) / (2 * eps) / (13 * 13);
        assertThat(Math.abs(m.channelWeights()[c] - fd)).as("channel %d: %s vs %s", c, m.channelWeights()[c], fd)
            .isLessThan(1e-3 * scale);
      }
    }
  }

  /**
   * conv2's map differentiates through norm2: the channel weights must still match the slope of the logit, which
   * the fused LRN's registered gradient would not give.
   */
  @Test
  void channelWeightsThroughLrnMatchFiniteDifferences() throws Exception {
    AlexNetWeights weights = AlexNetWeights.complete(TestData.randomWeightFile(13, 3));
    float[] image = TestData.randomImages(14, 1);
    try (GradCam cam = new GradCam(weights, "conv2")) {
      int k = 1;
      GradCam.Map2D m = cam.compute(image, k);
      float[] a = cam.layerOutput(image);
      // steps this size move some ReLUs of conv3 ... fc7, so the slope is only close; a wrong LRN gradient misses
      // by more than the largest weight
      assertChannelWeightsMatchSlopes(cam, image, a, m, k, new int[] {3, 64, 129, 250}, 0.1);
    }
  }

  /**
   * Each of {@code channels} and the largest channel: its weight against {@link #slopeInFloat} (a least-squares
   * slope over several steps averages out float32 rounding, which a single difference of two logits would not),
   * within {@code tolerance} of the largest weight.
   */
  private static void assertChannelWeightsMatchSlopes(GradCam cam, float[] image, float[] a, GradCam.Map2D m, int k,
      int[] channels, double tolerance) {
    double scale = largestMagnitude(m.channelWeights());
    assertThat(scale).as("some channel matters").isPositive();
    int[] checked = java.util.Arrays.copyOf(channels, channels.length + 1);
    checked[channels.length] = argmaxAbs(m.channelWeights());
    for (int c : checked) {
      double fd = slopeInFloat(cam, image, a, m.logits()[k], k, c, 0.05);
      assertThat(Math.abs(m.channelWeights()[c] - fd)).as("channel %d: %s vs %s", c, m.channelWeights()[c], fd)
          .isLessThan(tolerance * scale);
    }
  }

  /**
   * The slope of logit {@code k} along "add t to every position of channel c" per position, least squares over t in
   * +-eps ... +-4 eps through the float32 graph (which averages out its rounding).
   */
  private static double slopeInFloat(GradCam cam, float[] image, float[] a, float logit, int k, int c, double eps) {
    int channels = 256;
    int positions = a.length / channels;
    double num = 0;
    double den = 0;
    for (int step : new int[] {-4, -3, -2, -1, 1, 2, 3, 4}) {
      float[] moved = a.clone();
      for (int p = 0; p < positions; p++) {
        moved[p * channels + c] += (float) (step * eps);
      }
      double t = step * eps;
      num += t * ((double) cam.logitFrom(image, moved, k) - logit);
      den += t * t;
    }
    return num / den / positions;
  }

  private static double[] shifted(double[] layer, int channel, double t) {
    double[] moved = layer.clone();
    for (int p = 0; p < 13 * 13; p++) {
      moved[p * 256 + channel] += t;
    }
    return moved;
  }

  /** Logit {@code k} from conv5's output {@code [13, 13, 256]}, all in double. */
  private static double logitInDouble(double[] conv5, WeightFile file, int k) {
    double[] pool = new double[6 * 6 * 256];
    for (int py = 0; py < 6; py++) {
      for (int px = 0; px < 6; px++) {
        for (int c = 0; c < 256; c++) {
          double best = Double.NEGATIVE_INFINITY;
          for (int dy = 0; dy < 3; dy++) {
            for (int dx = 0; dx < 3; dx++) {
              best = Math.max(best, conv5[((2 * py + dy) * 13 + (2 * px + dx)) * 256 + c]);
            }
          }
          pool[(py * 6 + px) * 256 + c] = best;
        }
      }
    }
    double[] h6 = reluOfAffine(pool, file.array("fc6/weights").data(), file.array("fc6/biases").data(), 4096);
    double[] h7 = reluOfAffine(h6, file.array("fc7/weights").data(), file.array("fc7/biases").data(), 4096);
    float[] w8 = file.array("fc8/weights").data();
    int classes = file.array("fc8/biases").data().length;
    double logit = file.array("fc8/biases").data()[k];
    for (int i = 0; i < h7.length; i++) {
      logit += h7[i] * w8[i * classes + k];
    }
    return logit;
  }

  private static double[] reluOfAffine(double[] x, float[] w, float[] b, int out) {
    double[] y = new double[out];
    for (int j = 0; j < out; j++) {
      y[j] = b[j];
    }
    for (int i = 0; i < x.length; i++) {
      if (x[i] != 0) {
        for (int j = 0; j < out; j++) {
          y[j] += x[i] * w[i * out + j];
        }
      }
    }
    for (int j = 0; j < out; j++) {
      y[j] = Math.max(0, y[j]);
    }
    return y;
  }

  /**
   * fc6 to fc8 wired so that class 0's logit is the mean over channels of pool5 at one position, and an image dark
   * but for a textured patch under that position: the map's maximum lies in the patch.
   */
  @Test
  void theMapPeaksWhereTheLogitLooks() throws Exception {
    int ph = 1;
    int pw = 4;   // pool5 cell (1, 4): conv5 rows 2..4, columns 8..10
    WeightFile random = TestData.randomWeightFile(5, 2);
    Map<String, WeightArray> arrays = new LinkedHashMap<>(random.arrays());
    float[] fc6 = new float[9216 * 4096];
    for (int c = 0; c < 256; c++) {
      fc6[((ph * 6 + pw) * 256 + c) * 4096] = 1f / 256;
    }
    arrays.put("fc6/weights", WeightArray.of(new int[] {9216, 4096}, fc6));
    arrays.put("fc6/biases", WeightArray.of(new int[] {4096}, new float[4096]));
    float[] fc7 = new float[4096 * 4096];
    fc7[0] = 1;
    arrays.put("fc7/weights", WeightArray.of(new int[] {4096, 4096}, fc7));
    arrays.put("fc7/biases", WeightArray.of(new int[] {4096}, new float[4096]));
    float[] fc8 = new float[4096 * 2];
    fc8[0] = 1;
    arrays.put("fc8/weights", WeightArray.of(new int[] {4096, 2}, fc8));
    arrays.put("fc8/biases", WeightArray.of(new int[] {2}, new float[2]));
    AlexNetWeights weights = AlexNetWeights.complete(new WeightFile("patch", "test", arrays));
    // conv5 position (r, c) sees about pixels 16r-ish: put texture over conv5 rows 2..4, columns 8..10
    float[] image = new float[AlexNetSpec.IMAGE_SIZE * AlexNetSpec.IMAGE_SIZE * 3];
    SplittableRandom random2 = new SplittableRandom(9);
    for (int y = 2 * 16 + 8; y < 5 * 16 + 8; y++) {
      for (int x = 8 * 16 + 8; x < 11 * 16 + 8; x++) {
        for (int ch = 0; ch < 3; ch++) {
          image[(y * AlexNetSpec.IMAGE_SIZE + x) * 3 + ch] = (float) random2.nextDouble(-120, 120);
        }
      }
    }
    try (GradCam cam = new GradCam(weights, "conv5")) {
      GradCam.Map2D m = cam.compute(image, 0);
      int best = 0;
      for (int p = 1; p < m.map().length; p++) {
        if (m.map()[p] > m.map()[best]) {
          best = p;
        }
      }
      int row = best / 13;
      int col = best % 13;
      assertThat(m.map()[best]).isEqualTo(1f);
      assertThat(row).as("peak row").isBetween(2, 4);
      assertThat(col).as("peak column").isBetween(8, 10);
    }
    assertThatThrownBy(() -> new GradCam(weights, "fc7")).hasMessageContaining("convolution layer");
  }

  private static double largestMagnitude(float[] v) {
    return Math.abs(v[argmaxAbs(v)]);
  }

  private static int argmaxAbs(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (Math.abs(v[i]) > Math.abs(v[best])) {
        best = i;
      }
    }
    return best;
  }
}
