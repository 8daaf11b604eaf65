package org.alexnettfj.graph;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.IntStream;
import org.alexnettfj.weights.AlexNetSpec;
import org.alexnettfj.weights.AlexNetWeights;
import org.alexnettfj.weights.WeightArray;

/**
 * Starting values for layers that are not loaded from a weight file: the AlexNet paper's scheme (Krizhevsky,
 * Sutskever, Hinton 2012, section 5). Weights are drawn from N(0, 0.01²) — standard deviation 0.01. Biases are
 * the constant 1 in conv2, conv4, conv5 and the fully-connected hidden layers fc6 and fc7 ("to accelerate the
 * early stages of learning by providing the ReLUs with positive inputs"), and 0 in conv1, conv3 and the output
 * layer fc8. For fc8 — the layer fine-tuning replaces — this is also what Caffe's reference model uses.
 *
 * <p>The values are generated in Java, not by TensorFlow random ops, so they are the same bits on every run, JVM
 * and platform: a SplitMix64 stream per block of 65,536 values, seeded from {@code (seed, layer, block)}, turned
 * into normals by Marsaglia's polar method with {@link StrictMath}. Blocks are filled in parallel; the result
 * does not depend on the number of threads. A layer's values depend only on the seed and the layer's name and
 * shape, so skipping other layers does not change them.
 *
 * <pre>{@code
 * WeightArray w = FreshInit.weights(AlexNetSpec.layer("fc8", 2), 42L);   // [4096, 2], N(0, 0.01²)
 * WeightArray b = FreshInit.biases(AlexNetSpec.layer("fc8", 2));         // [2], zeros
 * }</pre>
 */
public final class FreshInit {

  /** Standard deviation of the fresh weights. */
  public static final double WEIGHT_STDDEV = 0.01;

  private static final Set<String> UNIT_BIAS_LAYERS = Set.of("conv2", "conv4", "conv5", "fc6", "fc7");
  private static final int BLOCK = 1 << 16;
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  private FreshInit() {
  }

  /**
   * A parameter's starting value, e.g.&nbsp;for {@code conv2/weights}: the pretrained array when its layer is loaded
   * from {@code pretrained} (which may be null), else the fresh one for {@code numClasses} and {@code seed}.
   *
   * @param parameter a variable name, {@code <layer>/weights} or {@code <layer>/biases}
   * @param pretrained the loaded weights, or null for none
   * @param numClasses fc8's outputs, which set fc8's shape
   * @param seed the seed of fresh weights
   * @return the value in AlexNet's layout; the pretrained array itself, not a copy, when loaded
   * @throws IllegalArgumentException if {@code parameter}'s layer is not an AlexNet layer
   * @deprecated pretrained values are not fresh ones: use {@link ParameterSource#value}, which both builders use
   */
  @Deprecated
  public static WeightArray initialValue(String parameter, AlexNetWeights pretrained, int numClasses, long seed) {
    String layer = parameter.substring(0, parameter.lastIndexOf('/'));
    boolean isWeights = parameter.endsWith("/weights");
    if (pretrained != null && pretrained.isLoaded(layer)) {
      return isWeights ? pretrained.weights(layer) : pretrained.biases(layer);
    }
    AlexNetSpec.Layer spec = AlexNetSpec.layer(layer, numClasses);
    return isWeights ? weights(spec, seed) : biases(spec);
  }

  /**
   * N(0, 0.01²) weights of a layer's shape, the same bits for the same seed and layer on every platform.
   *
   * @param layer the layer, e.g. {@code AlexNetSpec.layer("fc8", 2)}
   * @param seed any value; 0 is as good as any other
   * @return a new array of {@code layer.weightsShape()}
   */
  public static WeightArray weights(AlexNetSpec.Layer layer, long seed) {
    int[] shape = layer.weightsShape();
    int n = Arrays.stream(shape).reduce(1, Math::multiplyExact);
    float[] data = new float[n];
    long layerSeed = mix(seed ^ mix(AlexNetSpec.LAYER_NAMES.indexOf(layer.name()) + 1L));
    int blocks = (n + BLOCK - 1) / BLOCK;
    IntStream.range(0, blocks).parallel().forEach(b -> {
      int from = b * BLOCK;
      fillNormal(data, from, Math.min(n, from + BLOCK), mix(layerSeed + GOLDEN_GAMMA * (b + 1L)), WEIGHT_STDDEV);
    });
    return WeightArray.of(shape, data);
  }

  /**
   * Constant biases: {@link #biasValue} of the layer.
   *
   * @param layer the layer, e.g. {@code AlexNetSpec.layer("fc8", 2)}
   * @return a new array of {@code layer.biasesShape()}, all 0 or all 1
   */
  public static WeightArray biases(AlexNetSpec.Layer layer) {
    float[] data = new float[layer.biasesShape()[0]];
    Arrays.fill(data, biasValue(layer.name()));
    return WeightArray.of(layer.biasesShape(), data);
  }

  /**
   * The paper's bias of a layer.
   *
   * @param layer an AlexNet layer name, {@code conv1} … {@code fc8}
   * @return 1 for conv2, conv4, conv5, fc6, fc7; 0 for conv1, conv3, fc8
   * @throws IllegalArgumentException if {@code layer} is not an AlexNet layer
   */
  public static float biasValue(String layer) {
    if (!AlexNetSpec.LAYER_NAMES.contains(layer)) {
      throw new IllegalArgumentException("no AlexNet layer '" + layer + "' (layers are " + AlexNetSpec.LAYER_NAMES
          + ")");
    }
    return UNIT_BIAS_LAYERS.contains(layer) ? 1f : 0f;
  }

  /** Marsaglia's polar method over a SplitMix64 stream: two normals per accepted pair of uniforms. */
  private static void fillNormal(float[] out, int from, int to, long state, double stddev) {
    int i = from;
    while (i < to) {
      double u;
      double v;
      double s;
      do {
        state += GOLDEN_GAMMA;
        u = 2 * unit(mix(state)) - 1;
        state += GOLDEN_GAMMA;
        v = 2 * unit(mix(state)) - 1;
        s = u * u + v * v;
      } while (s >= 1 || s == 0);
      double m = StrictMath.sqrt(-2 * StrictMath.log(s) / s) * stddev;
      out[i++] = (float) (u * m);
      if (i < to) {
        out[i++] = (float) (v * m);
      }
    }
  }

  /** The top 53 bits as a double in [0, 1). */
  private static double unit(long bits) {
    return (bits >>> 11) * 0x1.0p-53;
  }

  /** SplitMix64's finaliser (Steele, Lea, Flood 2014): a bijective mix of all 64 bits. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
