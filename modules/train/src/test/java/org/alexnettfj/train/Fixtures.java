package org.alexnettfj.train;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.alexnettfj.graph.AlexNetGraph;
import org.alexnettfj.graph.Placement;
import org.alexnettfj.testfixtures.RandomAlexNet;
import org.alexnettfj.weights.WeightArray;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Random He-scaled weights and synthetic images for the trainer's tests (the real weights are not on CI). */
final class Fixtures {

  static final int IMAGE_VALUES = Trainer.IMAGE_VALUES;

  private Fixtures() {
  }

  /**
   * He-uniform weights ({@link RandomAlexNet#heUniform}) and biases uniform in [-0.1, 0.1] for conv1 … fc7, so
   * activations keep their scale through the network (with N(0, 0.01²) weights the signal vanishes); fc8 is
   * scaled down by {@code fc8Scale} so that the softmax is not saturated.
   */
  static Map<String, WeightArray> randomParameters(long seed, int numClasses, double fc8Scale) {
    return RandomAlexNet.heUniform(numClasses, seed, 0.1, fc8Scale);
  }

  /**
   * {@code n} images of stripes, like mean-subtracted pixels in [-100, 100] plus noise: label 0 horizontal, 1
   * vertical, random period (6 to 14 pixels) and phase.
   */
  static float[] stripes(long seed, int[] labels) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] out = new float[labels.length * IMAGE_VALUES];
    for (int i = 0; i < labels.length; i++) {
      double period = 6 + 8 * random.nextDouble();
      double phase = 2 * Math.PI * random.nextDouble();
      for (int y = 0; y < 227; y++) {
        for (int x = 0; x < 227; x++) {
          double t = labels[i] == 0 ? y : x;
          double v = 100 * Math.sin(2 * Math.PI * t / period + phase);
          for (int c = 0; c < 3; c++) {
            out[((i * 227 + y) * 227 + x) * 3 + c] = (float) (v + 20 * (2 * random.nextDouble() - 1));
          }
        }
      }
    }
    return out;
  }

  /** pool5 of {@code n} images through LRN from basic ops: an LRN other than the fused op that inference uses. */
  static float[] pool5(Map<String, WeightArray> parameters, float[] images, int n) {
    return pool5(parameters, images, n, AlexNetGraph.Lrn.BASIC_OPS, AlexNetGraph.Convolutions.CLASSIC);
  }

  /**
   * pool5 of {@code n} images, {@code n * 9216} values flattened (h, w, c), from the whole network built with
   * {@code lrn} and {@code convolutions}: with the {@link Trainer}'s choices, the pool5 its image graph computes.
   */
  static float[] pool5(Map<String, WeightArray> parameters, float[] images, int n, AlexNetGraph.Lrn lrn,
      AlexNetGraph.Convolutions convolutions) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      AlexNetGraph net = AlexNetGraph.create(Ops.create(g), 2, 0L, lrn, convolutions, Placement.DEFAULT);
      Map<String, WeightArray> conv = new LinkedHashMap<>();
      parameters.forEach((name, value) -> {
        if (name.startsWith("conv")) {
          conv.put(name, value);
        }
      });
      net.assign(s, conv);
      float[] out = new float[n * Trainer.POOL5_VALUES];
      try (TFloat32 x = TFloat32.tensorOf(Shape.of(n, 227, 227, 3), DataBuffers.of(images, true, false));
          Result r = s.runner().feed(net.input(), x).fetch(net.layer("pool5")).run()) {
        ((TFloat32) r.get(0)).copyTo(DataBuffers.of(out, false, false));
      }
      return out;
    }
  }

  /** The fc6, fc7 and fc8 entries of {@code parameters}: what a pool5 trainer has. */
  static Map<String, WeightArray> classifierParameters(Map<String, WeightArray> parameters) {
    Map<String, WeightArray> fc = new LinkedHashMap<>();
    parameters.forEach((name, value) -> {
      if (name.startsWith("fc")) {
        fc.put(name, value);
      }
    });
    return fc;
  }
}
