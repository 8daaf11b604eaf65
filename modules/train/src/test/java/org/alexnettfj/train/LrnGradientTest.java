package org.alexnettfj.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.alexnettfj.graph.AlexNetGraph;
import org.alexnettfj.testfixtures.RandomValues;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.nn.LocalResponseNormalization;
import org.tensorflow.types.TFloat32;

/**
 * LRN's gradient at AlexNet's attributes (radius 2, alpha 2e-5, beta 0.75, bias 1), against central differences
 * of a float64 LRN written from the definition. The loss is {@code sum(r * lrn(x))} with fixed random {@code r},
 * so its gradient is LRN's vector-Jacobian product with {@code r}.
 */
class LrnGradientTest {

  private static final int RADIUS = 2;
  private static final double ALPHA = 2e-5;
  private static final double BETA = 0.75;
  private static final double BIAS = 1;
  private static final int H = 3;
  private static final int W = 3;
  private static final int C = 16;

  /** Values like conv1's outputs, large enough that the normalisation matters (denominators up to ~2). */
  private final float[] x = positive(RandomValues.uniform(new SplittableRandom(1), H * W * C, 150));
  private final float[] r = RandomValues.uniform(new SplittableRandom(2), H * W * C, 1);
  /** AlexNet's beta unless a test changes it: 0.75 takes lrnFromBasicOps' rsqrt path, others its pow path. */
  private double beta = BETA;
  /** How the window is summed: C = 16 is two blocks of the block convolution. */
  private AlexNetGraph.LrnWindow window = AlexNetGraph.LrnWindow.BANDED_PRODUCT;

  @ParameterizedTest
  @EnumSource(AlexNetGraph.LrnWindow.class)
  void lrnFromBasicOpsHasTheGradientOfTheDefinition(AlexNetGraph.LrnWindow window) {
    this.window = window;
    double[] expected = finiteDifferences();
    float[] actual = tfGradient(true);

    assertThat(relativeError(actual, expected)).as("basic-ops LRN gradient (window sum as %s) vs central "
        + "differences, relative to the largest entry", window).isLessThan(1e-4);
  }

  @Test
  void lrnFromBasicOpsHasTheGradientOfTheDefinitionAtAnyBeta() {
    beta = 0.6;
    double[] expected = finiteDifferences();
    float[] actual = tfGradient(true);

    assertThat(relativeError(actual, expected)).as("basic-ops LRN (pow path, beta 0.6) gradient vs central "
        + "differences").isLessThan(1e-4);
  }

  /**
   * Records why the training graph does not use the fused op: TensorFlow's C++ gradient for LRN (used by
   * {@code Graph.addGradients}) creates {@code LRNGrad} without the forward op's attributes, so it differentiates
   * LRN(radius 5, alpha 1, beta 0.5, bias 1) instead.
   */
  @Test
  void fusedLrnOpsRegisteredGradientIsWrongAtAlexNetsAttributes() {
    double[] expected = finiteDifferences();
    float[] stock = tfGradient(false);

    assertThat(relativeError(stock, expected)).as("TF's stock LRN gradient vs central differences: if this fails, "
        + "TensorFlow fixed the gradient and Lrn.BASIC_OPS may no longer be needed").isGreaterThan(0.5);
  }

  private float[] tfGradient(boolean basicOps) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> in = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, H, W, C)));
      Operand<TFloat32> y = basicOps
          ? AlexNetGraph.lrnFromBasicOps(tf, in, RADIUS, (float) ALPHA, (float) beta, (float) BIAS, window)
          : tf.nn.localResponseNormalization(in, LocalResponseNormalization.depthRadius((long) RADIUS),
              LocalResponseNormalization.alpha((float) ALPHA), LocalResponseNormalization.beta((float) beta),
              LocalResponseNormalization.bias((float) BIAS));
      Operand<TFloat32> loss = tf.reduceSum(tf.math.mul(y, tf.constant(Shape.of(1, H, W, C),
          DataBuffers.of(r, true, false))), tf.constant(new int[] {0, 1, 2, 3}));
      Operand<?> grad = tf.gradients(loss, List.of(in)).dy(0);
      try (TFloat32 t = TFloat32.tensorOf(Shape.of(1, H, W, C), DataBuffers.of(x, true, false));
          Result res = s.runner().feed(in, t).fetch(grad).run()) {
        float[] out = new float[x.length];
        ((TFloat32) res.get(0)).copyTo(DataBuffers.of(out, false, false));
        return out;
      }
    }
  }

  private double[] finiteDifferences() {
    double[] xd = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      xd[i] = x[i];
    }
    double[] grad = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double h = 1e-4 * Math.max(1, Math.abs(xd[i]));
      double keep = xd[i];
      xd[i] = keep + h;
      double plus = loss(xd);
      xd[i] = keep - h;
      double minus = loss(xd);
      xd[i] = keep;
      grad[i] = (plus - minus) / (2 * h);
    }
    return grad;
  }

  /** {@code sum(r * x / (bias + alpha * sum of x^2 over [c - radius, c + radius])^beta)} in float64. */
  private double loss(double[] v) {
    double sum = 0;
    for (int p = 0; p < H * W; p++) {
      for (int c = 0; c < C; c++) {
        double window = 0;
        for (int j = Math.max(0, c - RADIUS); j <= Math.min(C - 1, c + RADIUS); j++) {
          window += v[p * C + j] * v[p * C + j];
        }
        sum += r[p * C + c] * v[p * C + c] / Math.pow(BIAS + ALPHA * window, beta);
      }
    }
    return sum;
  }

  static double relativeError(float[] actual, double[] expected) {
    double scale = 0;
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      scale = Math.max(scale, Math.abs(expected[i]));
      worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    }
    return worst / scale;
  }

  private static float[] positive(float[] values) {
    for (int i = 0; i < values.length; i++) {
      values[i] = Math.abs(values[i]);
    }
    return values;
  }
}
