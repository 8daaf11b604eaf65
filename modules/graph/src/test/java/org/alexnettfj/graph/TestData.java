package org.alexnettfj.graph;

import java.util.SplittableRandom;
import org.alexnettfj.testfixtures.RandomAlexNet;
import org.alexnettfj.testfixtures.RandomValues;
import org.alexnettfj.weights.WeightArray;
import org.alexnettfj.weights.WeightFile;

/** Random stand-ins for the pretrained file and for preprocessed images (the real weights are not on CI). */
final class TestData {

  /** Values per preprocessed image, 227 x 227 x 3. */
  static final int IMAGE_VALUES = 227 * 227 * 3;

  private TestData() {
  }

  /**
   * A full-size AlexNet weight file of random values: He-uniform weights, biases uniform in [-0.5, 0.5]
   * ({@link RandomAlexNet#heUniform}), so activations keep their scale through all eight layers and LRN, pooling and
   * ReLU all do real work.
   */
  static WeightFile randomWeightFile(long seed, int numClasses) {
    return new WeightFile("random-test-weights", "test", RandomAlexNet.heUniform(numClasses, seed, 0.5, 1));
  }

  /** {@code n} images of 227x227x3 values uniform in [-120, 120], like mean-subtracted pixels. */
  static float[] randomImages(long seed, int n) {
    return RandomValues.uniform(new SplittableRandom(seed), n * IMAGE_VALUES, 120);
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
}
