package org.alexnettfj.weights;

/** Summary of one array's values, NaN and infinities counted apart (they are excluded from min/max/mean). */
public record ArrayStats(float min, float max, double mean, long nanCount, long infCount) {

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

  public boolean allFinite() {
    return nanCount == 0 && infCount == 0;
  }
}
