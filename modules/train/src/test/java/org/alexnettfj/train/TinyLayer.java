package org.alexnettfj.train;

import java.util.List;
import org.alexnettfj.graph.AlexNetGraph;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * A graph with one layer, {@code fc8}, 3 inputs and 2 classes, scoring two fixed examples: small enough that the
 * loss, the train op and their parts can be checked against a hand computation without AlexNet around them.
 */
final class TinyLayer implements AutoCloseable {

  static final int INPUTS = 3;
  static final int CLASSES = 2;
  /** The two examples, one row each. */
  static final float[][] X = {{1f, -2f, 0.5f}, {0.3f, 1f, -1f}};
  /** fc8's weights, {@code [in, out]} row-major, and biases, to start from. */
  static final float[] W0 = {0.2f, -0.1f, 0.4f, 0.3f, -0.5f, 0.1f};
  static final float[] B0 = {0.05f, -0.05f};

  final Graph graph = new Graph();
  final Session session = new Session(graph);
  final Ops tf = Ops.create(graph);
  /** {@code fc8/weights}, {@code [3, 2]} in AlexNet's layout; held {@code [2, 3]} if transposed. */
  final AlexNetGraph.Parameter weights;
  final AlexNetGraph.Parameter biases;
  /** {@code X * weights + biases}. */
  final Operand<TFloat32> logits;

  TinyLayer(boolean transposed) {
    Ops layer = tf.withSubScope("fc8");
    weights = parameter(layer, "weights", new long[] {INPUTS, CLASSES}, transposed);
    biases = parameter(layer, "biases", new long[] {CLASSES}, false);
    logits = tf.nn.biasAdd(tf.linalg.matMul(tf.constant(X), weights.read()), biases.read());
  }

  private static AlexNetGraph.Parameter parameter(Ops layer, String param, long[] shape, boolean transposed) {
    Shape alexNet = Shape.of(shape);
    Shape held = transposed ? Shape.of(shape[1], shape[0]) : alexNet;
    Variable<TFloat32> v = layer.withName(param).variable(held, TFloat32.class);
    Placeholder<TFloat32> value = layer.withName(param + "_value").placeholder(TFloat32.class,
        Placeholder.shape(alexNet));
    Operand<TFloat32> read = transposed ? layer.linalg.transpose(v, layer.constant(new int[] {1, 0})) : v;
    Operand<TFloat32> assigned = transposed ? layer.linalg.transpose(value, layer.constant(new int[] {1, 0})) : value;
    return new AlexNetGraph.Parameter("fc8/" + param, v, value, layer.assign(v, assigned), read, transposed);
  }

  /** finetune.py's var_list: both of fc8's variables, weights first. */
  List<AlexNetGraph.Parameter> varList() {
    return List.of(weights, biases);
  }

  /** Sets the weights and biases, in AlexNet's layout. */
  void set(float[] w, float[] b) {
    try (TFloat32 wt = TFloat32.tensorOf(Shape.of(INPUTS, CLASSES), DataBuffers.of(w));
        TFloat32 bt = TFloat32.tensorOf(Shape.of(CLASSES), DataBuffers.of(b))) {
      session.runner().feed(weights.value(), wt).feed(biases.value(), bt).addTarget(weights.assign())
          .addTarget(biases.assign()).run().close();
    }
  }

  float[] fetch(Operand<TFloat32> value) {
    try (Result r = session.runner().fetch(value).run()) {
      return values((TFloat32) r.get(0));
    }
  }

  static float[] values(TFloat32 t) {
    float[] out = new float[Math.toIntExact(t.shape().size())];
    t.copyTo(DataBuffers.of(out, false, false));
    return out;
  }

  /** Softmax probabilities of each example, in float64, at weights {@code w} and biases {@code b}. */
  static double[][] probabilities(float[] w, float[] b) {
    double[][] p = new double[X.length][CLASSES];
    for (int i = 0; i < X.length; i++) {
      double max = Double.NEGATIVE_INFINITY;
      double[] z = new double[CLASSES];
      for (int c = 0; c < CLASSES; c++) {
        z[c] = b[c];
        for (int k = 0; k < INPUTS; k++) {
          z[c] += (double) X[i][k] * w[k * CLASSES + c];
        }
        max = Math.max(max, z[c]);
      }
      double sum = 0;
      for (int c = 0; c < CLASSES; c++) {
        sum += Math.exp(z[c] - max);
      }
      for (int c = 0; c < CLASSES; c++) {
        p[i][c] = Math.exp(z[c] - max) / sum;
      }
    }
    return p;
  }

  /**
   * The gradient of the mean cross-entropy (no decay) at {@code w}, {@code b} for {@code labels}: the weights'
   * {@code [3, 2]} row-major, then the biases' 2 values.
   */
  static double[] crossEntropyGradient(float[] w, float[] b, int[] labels) {
    double[][] p = probabilities(w, b);
    double[] g = new double[INPUTS * CLASSES + CLASSES];
    for (int i = 0; i < X.length; i++) {
      for (int c = 0; c < CLASSES; c++) {
        double d = (p[i][c] - (labels[i] == c ? 1 : 0)) / X.length;
        for (int k = 0; k < INPUTS; k++) {
          g[k * CLASSES + c] += X[i][k] * d;
        }
        g[INPUTS * CLASSES + c] += d;
      }
    }
    return g;
  }

  @Override
  public void close() {
    try (graph) {
      session.close();
    }
  }
}
