package org.alexnettfj.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.alexnettfj.weights.AlexNetSpec;
import org.alexnettfj.weights.WeightArray;

/** A full-size AlexNet of random values for the command tests: weights uniform in ±scale, biases in ±0.1. */
final class RandomWeights {

  private RandomWeights() {
  }

  static Map<String, WeightArray> alexNet(int classes, long seed, double weightScale) {
    SplittableRandom rnd = new SplittableRandom(seed);
    Map<String, WeightArray> arrays = new LinkedHashMap<>();
    for (AlexNetSpec.Layer l : AlexNetSpec.layers(classes)) {
      arrays.put(l.name() + "/weights", random(l.weightsShape(), rnd, weightScale));
      arrays.put(l.name() + "/biases", random(l.biasesShape(), rnd, 0.1));
    }
    return arrays;
  }

  private static WeightArray random(int[] shape, SplittableRandom rnd, double scale) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
    }
    return WeightArray.of(shape, v);
  }
}
