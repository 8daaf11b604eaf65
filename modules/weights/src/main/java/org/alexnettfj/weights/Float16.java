package org.alexnettfj.weights;

/**
 * IEEE 754 binary16 ("half", numpy's {@code float16}) to and from float32. Java 17 has neither
 * {@code Float.float16ToFloat} nor {@code floatToFloat16} (both came in Java 20); these give the same results.
 */
public final class Float16 {

  private Float16() {
  }

  /**
   * The float32 value of the binary16 {@code bits}: exact, as every half is a float.
   *
   * @param bits a half, as numpy stores it
   * @return the same value as a float; infinities and NaN stay what they are
   */
  public static float toFloat(short bits) {
    int h = bits & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      if (mant == 0) {
        return Float.intBitsToFloat(sign);
      }
      float v = mant / 1024f / 16384f; // subnormal: mant * 2^-24
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /**
   * The binary16 nearest to {@code f}, ties to even (numpy's {@code astype(float16)}): beyond 65504 it is
   * infinite, below 2^-24 it is zero or a subnormal, NaN stays NaN.
   *
   * @param f any float
   * @return the half's bits
   */
  public static short fromFloat(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exp = (bits >>> 23) & 0xff;
    int mant = bits & 0x7fffff;
    if (exp == 0xff) {
      return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
    }
    int e = exp - 127 + 15;
    if (e >= 0x1f) {
      return (short) (sign | 0x7c00);
    }
    if (e <= 0) {
      if (e < -10) {
        return (short) sign;
      }
      // subnormal half: shift the mantissa (with its implicit 1) right, rounding to nearest even
      int m = mant | 0x800000;
      int shift = 14 - e;
      int half = m >>> shift;
      int rest = m & ((1 << shift) - 1);
      int midpoint = 1 << (shift - 1);
      if (rest > midpoint || (rest == midpoint && (half & 1) != 0)) {
        half++;
      }
      return (short) (sign | half);
    }
    int half = (e << 10) | (mant >>> 13);
    int rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
      half++;   // may carry into the exponent, up to infinity: right
    }
    return (short) (sign | half);
  }
}
