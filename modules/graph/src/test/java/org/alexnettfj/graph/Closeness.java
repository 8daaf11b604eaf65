package org.alexnettfj.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.alexnettfj.weights.WeightArray;

/**
 * Float32 results against float64 references. The tolerance is relative to the layer's largest magnitude, not to
 * each element: elements near zero (ReLU's kink, cancelling sums) carry the absolute rounding error of their big
 * neighbours, so a per-element relative bound would flag rounding rather than bugs.
 */
final class Closeness {

  private Closeness() {
  }

  /** Largest {@code |actual - expected|} divided by the largest {@code |expected|}. */
  static double relativeError(float[] actual, double[] expected) {
    assertThat(actual).as("number of values").hasSize(expected.length);
    double scale = 0;
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      scale = Math.max(scale, Math.abs(expected[i]));
      worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    }
    return scale == 0 ? worst : worst / scale;
  }

  static void assertClose(float[] actual, double[] expected, double tolerance, String what) {
    double scale = 0;
    for (double e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    assertThat(scale).as("%s: the reference is all zeros, so the comparison would prove nothing", what)
        .isGreaterThan(0);
    int worstIndex = 0;
    double worst = -1;
    for (int i = 0; i < expected.length; i++) {
      double err = Math.abs(actual[i] - expected[i]);
      if (err > worst) {
        worst = err;
        worstIndex = i;
      }
    }
    assertThat(relativeError(actual, expected))
        .as("%s: worst error %.3g at index %d (got %s, reference %s) relative to the largest magnitude %.4g",
            what, worst, worstIndex, actual[worstIndex], expected[worstIndex], scale)
        .isLessThanOrEqualTo(tolerance);
  }

  /**
   * Bit-for-bit equality, reporting the first difference. (AssertJ's {@code containsExactly} diffs element lists
   * and is far too slow for arrays of millions of values.)
   */
  static void assertSameValues(float[] actual, float[] expected, String what) {
    assertThat(actual.length).as("%s: number of values", what).isEqualTo(expected.length);
    int mismatch = Arrays.mismatch(actual, expected);
    assertThat(mismatch)
        .as("%s: first differing index (-1 when identical)%s", what,
            mismatch < 0 ? "" : ": got " + actual[mismatch] + ", expected " + expected[mismatch])
        .isEqualTo(-1);
  }

  static void assertSameValues(WeightArray actual, WeightArray expected, String what) {
    assertThat(actual.shape()).as("%s: shape", what).containsExactly(expected.shape());
    assertSameValues(actual.data(), expected.data(), what);
  }

  static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
