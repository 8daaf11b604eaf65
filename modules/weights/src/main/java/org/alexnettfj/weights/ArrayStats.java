package org.alexnettfj.weights;

/**
 * Summary of one array's values, NaN and infinities counted apart (they are excluded from min/max/mean).
 *
 * @param min the least finite value, NaN when there is none
 * @param max the greatest finite value, NaN when there is none
 * @param mean the mean of the finite values, NaN when there is none
 * @param nanCount how many values are NaN
 * @param infCount how many values are infinite, either sign
 */
public record ArrayStats(float min, float max, double mean, long nanCount, long infCount) {

  /**
   * Summarises {@code data} in one pass.
   *
   * @param data the values, e.g. {@link WeightArray#data()}
   * @return their statistics
   */
  public static ArrayStats of(float[] data) {
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    double sum = 0;
    long nan = 0;
    long inf = 0;
    for (float v : data) {
      if (Float.isNaN(v)) {
        nan++;
      } else if (Float.isInfinite(v)) {
        inf++;
      } else {
        min = Math.min(min, v);
        max = Math.max(max, v);
        sum += v;
      }
    }
    long finite = data.length - nan - inf;
    return finite == 0
        ? new ArrayStats(Float.NaN, Float.NaN, Double.NaN, nan, inf)
        : new ArrayStats(min, max, sum / finite, nan, inf);
  }

  /**
   * Whether the array can be used as it is.
   *
   * @return true when there is no NaN and no infinity
   */
  public boolean allFinite() {
    return nanCount == 0 && infCount == 0;
  }
}
