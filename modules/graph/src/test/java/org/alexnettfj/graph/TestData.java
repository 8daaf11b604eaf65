package org.alexnettfj.graph;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.alexnettfj.weights.AlexNetSpec;
import org.alexnettfj.weights.WeightArray;
import org.alexnettfj.weights.WeightFile;

/** Random stand-ins for the pretrained file and for preprocessed images (the real weights are not on CI). */
final class TestData {

  /** Values per preprocessed image, 227 x 227 x 3. */
  static final int IMAGE_VALUES = 227 * 227 * 3;

  private TestData() {
  }

  /**
   * A full-size AlexNet weight file of random values. Weights are uniform with the variance of He initialisation
   * ({@code 2 / fan_in}), biases uniform in [-0.5, 0.5], so activations keep their scale through all eight layers
   * and LRN, pooling and ReLU all do real work — with N(0, 0.01) weights the signal would vanish and a wrong
   * layer could hide behind the biases.
   */
  static WeightFile randomWeightFile(long seed, int numClasses) {
    SplittableRandom random = new SplittableRandom(seed);
    Map<String, WeightArray> arrays = new LinkedHashMap<>();
    for (AlexNetSpec.Layer layer : AlexNetSpec.layers(numClasses)) {
      int[] shape = layer.weightsShape();
      int fanIn = 1;
      for (int i = 0; i < shape.length - 1; i++) {
        fanIn *= shape[i];
      }
      double halfWidth = Math.sqrt(3 * 2.0 / fanIn);
      arrays.put(layer.name() + "/weights", WeightArray.of(shape, uniform(random, count(shape), halfWidth)));
      arrays.put(layer.name() + "/biases", WeightArray.of(layer.biasesShape(),
          uniform(random, layer.biasesShape()[0], 0.5)));
    }
    return new WeightFile("random-test-weights", "test", arrays);
  }

  /** {@code n} images of 227x227x3 values uniform in [-120, 120], like mean-subtracted pixels. */
  static float[] randomImages(long seed, int n) {
    return uniform(new SplittableRandom(seed), n * IMAGE_VALUES, 120);
  }

  static float[] uniform(SplittableRandom random, int n, double halfWidth) {
    float[] data = new float[n];
    for (int i = 0; i < n; i++) {
      data[i] = (float) ((2 * random.nextDouble() - 1) * halfWidth);
    }
    return data;
  }

  static float[] image(float[] batch, int i) {
    float[] one = new float[IMAGE_VALUES];
    System.arraycopy(batch, i * IMAGE_VALUES, one, 0, one.length);
    return one;
  }

  /** {@code [rows, cols]} row-major, transposed. */
  static WeightArray transposed(WeightArray m) {
    int rows = m.dim(0);
    int cols = m.dim(1);
    float[] t = new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = m.data()[r * cols + c];
      }
    }
    return WeightArray.of(new int[] {cols, rows}, t);
  }

  private static int count(int[] shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }
}
