package org.alexnettfj.weights;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FloatDecoderTest {

  /** Fortran order by the definition: axis 0 varies fastest in the stream. */
  private static float[] fortranStream(float[] cOrder, int[] shape) {
    float[] out = new float[cOrder.length];
    int[] idx = new int[shape.length];
    for (int k = 0; k < out.length; k++) {
      int c = 0;
      for (int a = 0; a < shape.length; a++) {
        c = c * shape[a] + idx[a];
      }
      out[k] = cOrder[c];
      for (int a = 0; a < shape.length; a++) {
        if (++idx[a] < shape[a]) {
          break;
        }
        idx[a] = 0;
      }
    }
    return out;
  }

  private static float[] sequence(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = i * 0.5f - 7;
    }
    return v;
  }

  private static float[] decode(float[] stream, int[] shape, boolean fortran, ByteOrder order, long seed) {
    ByteBuffer bytes = ByteBuffer.allocate(stream.length * 4).order(order);
    bytes.asFloatBuffer().put(stream);
    float[] dest = new float[stream.length];
    FloatDecoder d = new FloatDecoder(dest, new Dtype('f', 4, order == ByteOrder.BIG_ENDIAN ? '>' : '<'), shape,
        fortran);
    // feed in random-sized chunks, splitting elements across chunk boundaries, as the file reader may
    Random rnd = new Random(seed);
    ByteBuffer pending = ByteBuffer.allocate(bytes.capacity());
    pending.flip();
    int pos = 0;
    while (pos < bytes.capacity()) {
      int n = Math.min(bytes.capacity() - pos, 1 + rnd.nextInt(37));
      ByteBuffer chunk = ByteBuffer.allocate(pending.remaining() + n);
      chunk.put(pending).put(bytes.array(), pos, n).flip();
      pos += n;
      d.accept(chunk);
      pending = chunk;
    }
    assertThat(d.complete()).as("decoder consumed every element").isTrue();
    return dest;
  }

  @Test
  void cOrderBytesArriveUnchangedEvenInOddChunks() {
    float[] expected = sequence(6 * 5);
    assertThat(decode(expected, new int[] {6, 5}, false, ByteOrder.LITTLE_ENDIAN, 1)).containsExactly(expected);
  }

  @Test
  void fortranMatrixIsTransposedIntoCOrder() {
    int[] shape = {7, 300};
    float[] logical = sequence(7 * 300);
    assertThat(decode(fortranStream(logical, shape), shape, true, ByteOrder.LITTLE_ENDIAN, 2))
        .as("an F-ordered fc matrix must read as the same logical [in, out] matrix")
        .containsExactly(logical);
  }

  @Test
  void tallFortranMatrixLargerThanStagingIsTransposed() {
    int[] shape = {70_000, 3};
    float[] logical = sequence(70_000 * 3);
    assertThat(decode(fortranStream(logical, shape), shape, true, ByteOrder.LITTLE_ENDIAN, 3))
        .isEqualTo(logical);
  }

  @Test
  void fortranFourDimensionalArrayReversesAllAxes() {
    int[] shape = {3, 2, 4, 5};
    float[] logical = sequence(3 * 2 * 4 * 5);
    assertThat(decode(fortranStream(logical, shape), shape, true, ByteOrder.BIG_ENDIAN, 4))
        .containsExactly(logical);
  }

  @Test
  void float64AndFloat16AreNarrowedToFloat32() {
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    b.putDouble(104.00699).putDouble(-1e-3).flip();
    float[] out = new float[2];
    new FloatDecoder(out, new Dtype('f', 8, '<'), new int[] {2}, false).accept(b);
    assertThat(out).containsExactly(104.00699f, -1e-3f);

    short[] halves = {0x3c00, (short) 0xc000, 0x7bff, 0x0001, 0x7c00, (short) 0x8000, 0x3555};
    float[] expected = {1f, -2f, 65504f, 5.9604645e-8f, Float.POSITIVE_INFINITY, -0f, 0.33325195f};
    for (int i = 0; i < halves.length; i++) {
      assertThat(FloatDecoder.halfToFloat(halves[i])).as("half 0x%04x", halves[i]).isEqualTo(expected[i]);
    }
    assertThat(FloatDecoder.halfToFloat((short) 0x7e00)).isNaN();
  }
}
