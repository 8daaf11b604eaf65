package org.alexnettfj.testfixtures;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.alexnettfj.weights.AlexNetSpec;
import org.alexnettfj.weights.NpyWriter;
import org.alexnettfj.weights.WeightArray;

/**
 * Full-size AlexNet parameters of seeded random values, as {@code layer/weights} and {@code layer/biases} in
 * {@link AlexNetSpec}'s order. Every layer draws its weights, then its biases, from one {@link SplittableRandom}
 * ({@link RandomValues#uniform}), so a seed and a distribution give the same bits wherever they are used: tests
 * compare against references computed from these arrays.
 */
public final class RandomAlexNet {

  private RandomAlexNet() {
  }

  /**
   * Each layer's weights uniform in ±{@code weightHalfWidth(layer)}, then its biases in
   * ±{@code biasHalfWidth(layer)}. A half width of exactly 0 gives zeros and draws nothing, so the arrays after it
   * are what they would be without it.
   *
   * @param classes fc8's outputs
   * @param seed the random seed
   * @param weightHalfWidth the weights' half width of a layer, e.g. from {@link #heHalfWidth}
   * @param biasHalfWidth the biases' half width of a layer
   * @return the arrays by name
   */
  public static Map<String, WeightArray> of(int classes, long seed,
      ToDoubleFunction<AlexNetSpec.Layer> weightHalfWidth, ToDoubleFunction<AlexNetSpec.Layer> biasHalfWidth) {
    SplittableRandom random = new SplittableRandom(seed);
    Map<String, WeightArray> arrays = new LinkedHashMap<>();
    for (AlexNetSpec.Layer layer : AlexNetSpec.layers(classes)) {
      arrays.put(layer.name() + "/weights", values(random, layer.weightsShape(), weightHalfWidth.applyAsDouble(layer)));
      arrays.put(layer.name() + "/biases", values(random, layer.biasesShape(), biasHalfWidth.applyAsDouble(layer)));
    }
    return arrays;
  }

  /**
   * Weights uniform in ±{@code weightHalfWidth}, biases in ±{@code biasHalfWidth}, every layer alike.
   *
   * @param classes fc8's outputs
   * @param seed the random seed
   * @param weightHalfWidth the weights' half width
   * @param biasHalfWidth the biases' half width
   * @return the arrays by name
   */
  public static Map<String, WeightArray> uniform(int classes, long seed, double weightHalfWidth,
      double biasHalfWidth) {
    return of(classes, seed, layer -> weightHalfWidth, layer -> biasHalfWidth);
  }

  /**
   * Weights uniform with the variance of He initialisation ({@link #heHalfWidth}), biases uniform in
   * ±{@code biasHalfWidth}, so activations keep their scale through all eight layers and LRN, pooling and ReLU all
   * do real work: with N(0, 0.01²) weights the signal would vanish and a wrong layer could hide behind the biases.
   * fc8's weights and biases are scaled by {@code fc8Scale} (below 1, the softmax is not saturated).
   *
   * @param classes fc8's outputs
   * @param seed the random seed
   * @param biasHalfWidth the biases' half width (before fc8's scale)
   * @param fc8Scale fc8's factor; 1 leaves it He-scaled like the others
   * @return the arrays by name
   */
  public static Map<String, WeightArray> heUniform(int classes, long seed, double biasHalfWidth, double fc8Scale) {
    ToDoubleFunction<AlexNetSpec.Layer> scale = layer -> layer.name().equals("fc8") ? fc8Scale : 1;
    return of(classes, seed, layer -> scale.applyAsDouble(layer) * heHalfWidth(layer),
        layer -> biasHalfWidth * scale.applyAsDouble(layer));
  }

  /**
   * He initialisation's uniform half width for a layer's weights, {@code sqrt(6 / fan_in)} (variance
   * {@code 2 / fan_in}), fan_in the product of all but the last (output) dimension.
   *
   * @param layer the layer
   * @return the half width
   */
  public static double heHalfWidth(AlexNetSpec.Layer layer) {
    int[] shape = layer.weightsShape();
    return Math.sqrt(6.0 / (count(shape) / shape[shape.length - 1]));
  }

  /**
   * Writes a file in the exact form of {@code bvlc_alexnet.npy} (Python-2 pickle, dict of lists, fc7 and fc8
   * Fortran-ordered; NpyWriterTest proves the writer's bytes equal Python 2 numpy's): ImageNet's 1000 classes,
   * weights uniform in ±0.01, biases in ±0.1. 244 MB.
   *
   * @param file where to write it
   * @param seed the random seed
   * @throws IOException if it cannot be written
   */
  public static void writeClassic(Path file, long seed) throws IOException {
    NpyWriter.writeClassic(file, uniform(AlexNetSpec.IMAGENET_CLASSES, seed, 0.01, 0.1),
        name -> name.startsWith("fc7/") || name.startsWith("fc8/"));
  }

  private static WeightArray values(SplittableRandom random, int[] shape, double halfWidth) {
    int n = count(shape);
    return WeightArray.of(shape, halfWidth == 0 ? new float[n] : RandomValues.uniform(random, n, halfWidth));
  }

  private static int count(int[] shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }
}
