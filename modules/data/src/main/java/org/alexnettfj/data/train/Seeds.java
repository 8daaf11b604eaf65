package org.alexnettfj.data.train;

/** Derives independent seeds from a few numbers, so draws depend on what they are for, not on when they are made. */
final class Seeds {

  private Seeds() {
  }

  /** A well-mixed 64-bit seed from {@code (seed, a, b)}: SplitMix64's finaliser applied after each part. */
  static long mix(long seed, long a, long b) {
    long h = splitMix(seed);
    h = splitMix(h ^ a);
    return splitMix(h ^ b);
  }

  private static long splitMix(long z) {
    z += 0x9e3779b97f4a7c15L;
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133eb0d1L;
    return z ^ (z >>> 31);
  }
}
