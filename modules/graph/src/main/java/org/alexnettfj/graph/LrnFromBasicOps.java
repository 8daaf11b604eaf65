package org.alexnettfj.graph;

import java.util.Arrays;
import java.util.List;
import org.alexnettfj.graph.AlexNetGraph.LrnWindow;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Local response normalisation, {@code x / (bias + alpha * sum(x^2 over [c - radius, c + radius])) ^ beta}, from
 * ops whose gradients TensorFlow's C++ gradient registry gets right (the fused {@code LRN} op's is built with
 * TensorFlow's default attributes, not AlexNet's): square, a sum over each channel's window plus the bias, then
 * rsqrt and sqrt for AlexNet's beta of 0.75 (pow for any other), and a product. {@code alpha} rides in the window's
 * weights and {@code bias} in a {@code BiasAdd}, which TensorFlow's remapper fuses into the product or convolution:
 * two fewer passes over the activations than a separate mul and add. The window is summed as
 * {@link LrnWindow} says.
 */
final class LrnFromBasicOps {

  private LrnFromBasicOps() {
  }

  /** {@link AlexNetGraph#lrnFromBasicOps(Ops, Operand, int, float, float, float, LrnWindow)}. */
  static Operand<TFloat32> lrn(Ops tf, Operand<TFloat32> x, int radius, float alpha, float beta, float bias,
      LrnWindow window) {
    Shape shape = x.shape();
    int channels = Math.toIntExact(shape.get(shape.numDimensions() - 1));
    long[] restore = shape.asArray().clone();
    restore[0] = -1;
    Operand<TFloat32> squares = tf.math.square(x);
    boolean blocks = window == LrnWindow.BLOCK_CONVOLUTION && channels % LrnWindow.BLOCK == 0
        && radius <= LrnWindow.BLOCK;
    Operand<TFloat32> sums = blocks
        ? blockWindowSums(tf, squares, channels, radius, alpha, bias)
        : bandedWindowSums(tf, squares, channels, radius, alpha, bias);
    Operand<TFloat32> base = tf.reshape(sums, tf.constant(restore));
    if (beta == 0.75f) {
      // AlexNet's beta: base^-0.75 = rsqrt(base) * sqrt(rsqrt(base)), two cheap ops instead of pow's exp and log
      // (pow was about a sixth of a training step's forward pass); both have registered gradients.
      Operand<TFloat32> rsqrt = tf.math.rsqrt(base);
      return tf.math.mul(x, tf.math.mul(rsqrt, tf.math.sqrt(rsqrt)));
    }
    return tf.math.div(x, tf.math.pow(base, tf.constant(beta)));
  }

  /** {@code bias + alpha * window sum} as {@code [M, C]}: a product with the banded {@code [C, C]} matrix. */
  private static Operand<TFloat32> bandedWindowSums(Ops tf, Operand<TFloat32> squares, int channels, int radius,
      float alpha, float bias) {
    float[][] band = new float[channels][channels];
    for (int i = 0; i < channels; i++) {
      for (int j = Math.max(0, i - radius); j <= Math.min(channels - 1, i + radius); j++) {
        band[i][j] = alpha;
      }
    }
    Operand<TFloat32> rows = tf.reshape(squares, tf.constant(new long[] {-1, channels}));
    return tf.nn.biasAdd(tf.linalg.matMul(rows, tf.constant(band)), tf.constant(filled(channels, bias)));
  }

  /**
   * {@code bias + alpha * window sum} as {@code [1, M, C / 8, 8]}: a 1 x 3 convolution, SAME, across blocks of 8
   * channels. Block b's output channel o takes input channel i of block b + k - 1 (k = 0, 1, 2) when the two are
   * at most {@code radius} channels apart; the zero padding at either end is the window's edge.
   */
  private static Operand<TFloat32> blockWindowSums(Ops tf, Operand<TFloat32> squares, int channels, int radius,
      float alpha, float bias) {
    int block = LrnWindow.BLOCK;
    float[][][][] filter = new float[1][3][block][block];
    for (int k = 0; k < 3; k++) {
      for (int i = 0; i < block; i++) {
        for (int o = 0; o < block; o++) {
          if (Math.abs((k - 1) * block + i - o) <= radius) {
            filter[0][k][i][o] = alpha;
          }
        }
      }
    }
    Operand<TFloat32> blocks = tf.reshape(squares, tf.constant(new long[] {1, -1, channels / block, block}));
    return tf.nn.biasAdd(tf.nn.conv2d(blocks, tf.constant(filter), List.of(1L, 1L, 1L, 1L), AlexNetGraph.SAME),
        tf.constant(filled(block, bias)));
  }

  private static float[] filled(int n, float value) {
    float[] a = new float[n];
    Arrays.fill(a, value);
    return a;
  }
}
