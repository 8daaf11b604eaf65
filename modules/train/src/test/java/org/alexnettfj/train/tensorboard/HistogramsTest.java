package org.alexnettfj.train.tensorboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.HistogramProto;

/** Histograms against TensorFlow's bucket definition and float64 statistics computed here. */
class HistogramsTest {

  /** Index of the first limit above {@code v}, by a plain scan. */
  private static int firstLimitAbove(double[] limits, double v) {
    int i = 0;
    while (i < limits.length && !(v < limits[i])) {
      i++;
    }
    return i;
  }

  @Test
  void defaultLimitsAreTensorFlowsSymmetricSeriesOfOnePointOnePowers() {
    double[] limits = Histograms.defaultBucketLimits();

    // 1e-12 * 1.1^k < 1e20 for k = 0 .. 773: ln(1e32) / ln(1.1) = 773.1.
    assertThat(limits).as("774 powers and DBL_MAX on each side, and 0").hasSize(2 * 775 + 1);
    assertThat(limits[775]).as("the middle limit").isEqualTo(0.0);
    assertThat(limits[0]).as("first").isEqualTo(-Double.MAX_VALUE);
    assertThat(limits[limits.length - 1]).as("last").isEqualTo(Double.MAX_VALUE);
    for (int i = 1; i < limits.length; i++) {
      assertThat(limits[i]).as("limits strictly increase at %d", i).isGreaterThan(limits[i - 1]);
      assertThat(limits[limits.length - 1 - i]).as("symmetric at %d", i).isEqualTo(-limits[i]);
    }
    for (int k = 0; k < 774; k++) {
      double expected = 1e-12 * Math.pow(1.1, k);
      assertThat(limits[776 + k]).as("positive limit %d", k).isCloseTo(expected, within(1e-12 * expected));
    }
    assertThat(limits[776]).as("first positive limit, exactly").isEqualTo(1e-12);
    assertThat(limits[776 + 773] * 1.1).as("the series stops at the first power >= 1e20").isGreaterThanOrEqualTo(1e20);
  }

  @Test
  void eachValueGoesToTheFirstLimitAboveIt() {
    double[] limits = Histograms.defaultBucketLimits();
    List<Float> values = new ArrayList<>(List.of(0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL,
        -Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 1f, -1f, 1e-12f, -1e-12f));
    // Every limit a float can come near, and the floats just around it: the boundaries are where a fast search
    // goes wrong.
    for (double limit : limits) {
      float f = (float) limit;
      if (Float.isFinite(f)) {
        values.addAll(List.of(f, Math.nextUp(f), Math.nextDown(f)));
      }
    }
    SplittableRandom random = new SplittableRandom(5);
    for (int i = 0; i < 100_000; i++) {
      values.add(Float.intBitsToFloat(random.nextInt()));
      values.add((float) (random.nextGaussian() * Math.pow(10, random.nextInt(-14, 6))));
    }
    int checked = 0;
    for (float f : values) {
      if (Float.isFinite(f)) {
        assertThat(Histograms.bucketOf(f)).as("bucket of %s", f).isEqualTo(firstLimitAbove(limits, f));
        checked++;
      }
    }
    assertThat(checked).as("values checked").isGreaterThan(200_000);
  }

  @Test
  void statisticsAndBucketsMatchAFloat64CountOfTheValues() {
    SplittableRandom random = new SplittableRandom(11);
    float[] values = new float[50_000];
    for (int i = 0; i < values.length; i++) {
      // Weights of a few scales, some exact zeros and ties, as real layers have.
      values[i] = i % 50 == 0 ? 0f : (float) (random.nextGaussian() * (i % 3 == 0 ? 0.01 : 0.005) + 0.002);
    }
    values[7] = values[8];

    HistogramProto h = Histograms.of(values);

    BigDecimal exactSum = BigDecimal.ZERO;
    BigDecimal exactSquares = BigDecimal.ZERO;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (float f : values) {
      exactSum = exactSum.add(new BigDecimal(f));
      exactSquares = exactSquares.add(new BigDecimal(f).multiply(new BigDecimal(f)));
      min = Math.min(min, f);
      max = Math.max(max, f);
    }
    assertThat(h.getNum()).as("num").isEqualTo(values.length);
    assertThat(h.getMin()).as("min").isEqualTo(min);
    assertThat(h.getMax()).as("max").isEqualTo(max);
    assertThat(h.getSum()).as("sum against an exact sum").isCloseTo(exactSum.doubleValue(), within(1e-12));
    assertThat(h.getSumSquares()).as("sum of squares against an exact sum")
        .isCloseTo(exactSquares.doubleValue(), within(1e-12 * exactSquares.doubleValue()));

    List<Double> limits = h.getBucketLimitList();
    List<Double> counts = h.getBucketList();
    assertThat(counts).as("one count per limit").hasSameSizeAs(limits);
    assertThat(counts.stream().mapToDouble(Double::doubleValue).sum()).as("counts sum to num")
        .isEqualTo(values.length);
    double lower = Double.NEGATIVE_INFINITY;
    for (int b = 0; b < limits.size(); b++) {
      double upper = limits.get(b);
      assertThat(upper).as("bucket limits sorted, at %d", b).isGreaterThan(lower);
      int expected = 0;
      for (float f : values) {
        expected += lower <= f && f < upper ? 1 : 0;
      }
      assertThat(counts.get(b)).as("count of [%s, %s)", lower, upper).isEqualTo(expected);
      if (b > 0) {
        assertThat(counts.get(b) > 0 || counts.get(b - 1) > 0).as("empty buckets %d and %d are collapsed", b - 1, b)
            .isTrue();
      }
      lower = upper;
    }
    assertThat(limits.get(limits.size() - 1)).as("the last bucket reaches DBL_MAX").isEqualTo(Double.MAX_VALUE);
    assertThat(limits).as("every encoded limit is a default limit")
        .allSatisfy(l -> assertThat(Histograms.defaultBucketLimits()).contains(l));
  }

  @Test
  void aSingleValueGivesItsBucketBetweenTwoEmptyRuns() {
    HistogramProto h = Histograms.of(new float[] {1f});
    double[] limits = Histograms.defaultBucketLimits();
    int b = firstLimitAbove(limits, 1.0);

    assertThat(h.getBucketLimitList()).as("limits").containsExactly(limits[b - 1], limits[b], Double.MAX_VALUE);
    assertThat(h.getBucketList()).as("counts").containsExactly(0.0, 1.0, 0.0);
    assertThat(limits[b - 1]).as("1 lies in its bucket").isLessThanOrEqualTo(1.0);
    assertThat(limits[b]).as("1 lies in its bucket").isGreaterThan(1.0);
    assertThat(List.of(h.getMin(), h.getMax(), h.getSum(), h.getSumSquares())).as("min, max, sum, sum of squares")
        .containsExactly(1.0, 1.0, 1.0, 1.0);
  }

  @Test
  void noValuesGiveTensorFlowsEmptyHistogram() {
    HistogramProto h = Histograms.of(new float[0]);

    assertThat(h.getNum()).as("num").isZero();
    assertThat(h.getBucketLimitList()).as("one empty bucket up to DBL_MAX").containsExactly(Double.MAX_VALUE);
    assertThat(h.getBucketList()).as("its count").containsExactly(0.0);
    assertThat(h.getMin()).as("min, untouched").isEqualTo(Double.MAX_VALUE);
    assertThat(h.getMax()).as("max, untouched").isEqualTo(-Double.MAX_VALUE);
  }

  @Test
  void rejectsNaNAndInfinityNamingTheIndex() {
    assertThatThrownBy(() -> Histograms.of(new float[] {1f, 2f, Float.NaN})).as("NaN")
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("value 2 of 3 is NaN");
    assertThatThrownBy(() -> Histograms.of(new float[] {Float.NEGATIVE_INFINITY})).as("-Infinity")
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("value 0 of 1 is -Infinity");
  }
}
