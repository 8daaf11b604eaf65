package org.alexnettfj.train.tensorboard;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.proto.HistogramProto;

/**
 * Histograms as TensorFlow's {@code HistogramSummary} op writes them ({@code core/lib/histogram/histogram.cc}), so
 * that TensorBoard shows ours exactly as it shows TensorFlow's.
 *
 * <p><b>Buckets.</b> TensorFlow's default bucket limits: the series {@code 1e-12 * 1.1^k} for every {@code k} with
 * a value below {@code 1e20} (774 limits), made as TensorFlow makes them, by repeated multiplication in double
 * precision so that every limit is bit for bit TensorFlow's; then {@code Double.MAX_VALUE}; the negatives of all of
 * these; and 0. Sorted, that is 1551 limits from {@code -Double.MAX_VALUE} to {@code Double.MAX_VALUE}. Bucket
 * {@code i} counts the values {@code v} with {@code limit[i-1] <= v < limit[i]} (the first bucket has no lower
 * bound): the bucket of {@code v} is the first limit greater than {@code v}. Near zero a bucket is 1e-12 wide;
 * away from zero each is 10% wider than the one before, so any weight or gradient scale gets a readable shape.
 *
 * <p><b>Encoding.</b> As the op does: {@code min}, {@code max}, {@code num}, {@code sum}, {@code sum_squares}
 * accumulated in double in the order of the values; then for each non-empty bucket its upper limit and count, a run
 * of empty buckets being collapsed into one empty bucket that carries the run's last limit. So the encoded limits
 * are strictly increasing, the counts sum to {@code num}, and an empty input gives one bucket
 * ({@code Double.MAX_VALUE}, 0) with {@code min = Double.MAX_VALUE}, {@code max = -Double.MAX_VALUE}. NaN and
 * infinite values are rejected, as the op rejects them.
 *
 * <pre>{@code
 * HistogramProto h = Histograms.of(fc8Weights);   // h.getNum() == fc8Weights.length
 * }</pre>
 */
public final class Histograms {

  private static final double[] LIMITS = defaultLimits();

  // Where the search for a float's bucket may start, by sign and binary exponent (-127 for zero and subnormals).
  // From there a forward scan crosses at most the ~7 limits of one binary octave, instead of a binary search over
  // 1551, which makes binning fc6's 37.7 million weights about 4 times faster.
  private static final int EXPONENTS = Float.MAX_EXPONENT - (Float.MIN_EXPONENT - 1) + 1;
  private static final int[] POSITIVE_START = new int[EXPONENTS];
  private static final int[] NEGATIVE_START = new int[EXPONENTS];

  static {
    for (int e = Float.MIN_EXPONENT - 1; e <= Float.MAX_EXPONENT; e++) {
      int i = e - (Float.MIN_EXPONENT - 1);
      // v >= 2^e for positive v with exponent e (v >= 0 for zero and subnormals) ...
      POSITIVE_START[i] = upperBound(e == Float.MIN_EXPONENT - 1 ? 0.0 : Math.scalb(1.0, e));
      // ... and v > -2^(e+1) for negative v.
      NEGATIVE_START[i] = upperBound(-Math.scalb(1.0, e + 1));
    }
  }

  private Histograms() {
  }

  /**
   * TensorFlow's default bucket limits, the buckets {@link #of} counts into.
   *
   * @return a new array of the 1551 limits, sorted
   */
  public static double[] defaultBucketLimits() {
    return LIMITS.clone();
  }

  /**
   * The histogram of {@code values} over the default buckets.
   *
   * @param values the values, e.g. a variable's weights; not kept
   * @return the encoded histogram, as TensorFlow's op would give for the same values
   * @throws IllegalArgumentException naming the index of the first NaN or infinite value
   */
  public static HistogramProto of(float[] values) {
    double[] counts = new double[LIMITS.length];
    double min = Double.MAX_VALUE;
    double max = -Double.MAX_VALUE;
    double sum = 0;
    double sumSquares = 0;
    for (int i = 0; i < values.length; i++) {
      float f = values[i];
      if (!Float.isFinite(f)) {
        throw new IllegalArgumentException("value " + i + " of " + values.length + " is " + f
            + "; a histogram takes finite values only");
      }
      double v = f;
      counts[bucketOf(f)]++;
      // Comparisons, not Math.min/max, as TensorFlow: the first of 0.0 and -0.0 stays.
      if (min > v) {
        min = v;
      }
      if (max < v) {
        max = v;
      }
      sum += v;
      sumSquares += v * v;
    }
    HistogramProto.Builder h = HistogramProto.newBuilder().setMin(min).setMax(max).setNum(values.length)
        .setSum(sum).setSumSquares(sumSquares);
    List<Double> limits = new ArrayList<>();
    List<Double> buckets = new ArrayList<>();
    for (int i = 0; i < counts.length; ) {
      double end = LIMITS[i];
      double count = counts[i++];
      if (count == 0) {
        while (i < counts.length && counts[i] == 0) {
          end = LIMITS[i++];
        }
      }
      limits.add(end);
      buckets.add(count);
    }
    return h.addAllBucketLimit(limits).addAllBucket(buckets).build();
  }

  /** Index of the bucket of finite {@code f}: the first limit greater than it. */
  static int bucketOf(float f) {
    int e = Math.getExponent(f) - (Float.MIN_EXPONENT - 1);
    double v = f;
    int i = v >= 0 ? POSITIVE_START[e] : NEGATIVE_START[e];
    // Never runs past the end: the last limit, Double.MAX_VALUE, is above every float.
    while (LIMITS[i] <= v) {
      i++;
    }
    return i;
  }

  /** First index whose limit is greater than {@code v} (C++'s {@code std::upper_bound}). */
  private static int upperBound(double v) {
    int lo = 0;
    int hi = LIMITS.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (LIMITS[mid] <= v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static double[] defaultLimits() {
    List<Double> positive = new ArrayList<>();
    // Repeated multiplication, not Math.pow: the limits must be TensorFlow's to the last bit.
    for (double v = 1.0e-12; v < 1.0e20; v *= 1.1) {
      positive.add(v);
    }
    positive.add(Double.MAX_VALUE);
    int n = positive.size();
    double[] limits = new double[2 * n + 1];
    for (int k = 0; k < n; k++) {
      limits[n - 1 - k] = -positive.get(k);
      limits[n + 1 + k] = positive.get(k);
    }
    limits[n] = 0.0;
    return limits;
  }
}
