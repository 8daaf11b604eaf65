package org.alexnettfj.testfixtures;

import java.util.SplittableRandom;

/** Seeded random floats. */
public final class RandomValues {

  private RandomValues() {
  }

  /**
   * {@code n} values uniform in [-halfWidth, halfWidth], one {@code nextDouble()} each, in order.
   *
   * @param random the source, advanced by {@code n} draws
   * @param n how many values
   * @param halfWidth the half width of the interval
   * @return the values
   */
  public static float[] uniform(SplittableRandom random, int n, double halfWidth) {
    float[] data = new float[n];
    for (int i = 0; i < n; i++) {
      data[i] = (float) ((2 * random.nextDouble() - 1) * halfWidth);
    }
    return data;
  }
}
