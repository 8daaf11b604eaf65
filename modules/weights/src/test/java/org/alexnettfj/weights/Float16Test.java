package org.alexnettfj.weights;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Float16Test {

  @Test
  void everyHalfSurvivesTheRoundTrip() {
    for (int h = 0; h < 1 << 16; h++) {
      float f = Float16.toFloat((short) h);
      if (Float.isNaN(f)) {
        assertThat(Float.isNaN(Float16.toFloat(Float16.fromFloat(f)))).isTrue();
      } else {
        assertThat(Float16.fromFloat(f) & 0xffff).as("half %04x", h).isEqualTo(h);
      }
    }
  }

  /** Nearest half by search over all finite halves, ties to the even one: independent of the bit arithmetic. */
  @Test
  void roundsToTheNearestHalfTiesToEven() {
    int count = 0x7c00;   // +0 .. 65504, then +infinity
    BigDecimal[] values = new BigDecimal[count];
    for (int h = 0; h < count; h++) {
      values[h] = new BigDecimal(Float16.toFloat((short) h));
    }
    Random random = new Random(7);
    float[] samples = new float[20_000];
    for (int i = 0; i < samples.length; i++) {
      // magnitudes 2^-27 .. 2^17: subnormals, normals and overflow; a quarter of them exact midpoints
      float f = (float) Math.scalb(1 + random.nextDouble(), random.nextInt(45) - 27);
      if (i % 4 == 0) {
        int h = 1 + random.nextInt(count - 2);
        f = (Float16.toFloat((short) h) + Float16.toFloat((short) (h + 1))) / 2;
      }
      samples[i] = random.nextBoolean() ? f : -f;
    }
    for (float f : samples) {
      BigDecimal x = new BigDecimal(Math.abs(f));
      int pos = Arrays.binarySearch(values, x);
      int expected;
      if (pos >= 0) {
        expected = pos;
      } else if (-pos - 1 >= count) {
        // beyond 65504: infinity unless nearer 65504 than the next step (65520 and above round up)
        expected = x.compareTo(new BigDecimal(65520)) >= 0 ? 0x7c00 : count - 1;
      } else {
        int hi = -pos - 1;
        int lo = hi - 1;
        int c = x.subtract(values[lo]).compareTo(values[hi].subtract(x));
        expected = c < 0 ? lo : c > 0 ? hi : (lo % 2 == 0 ? lo : hi);
      }
      int sign = f < 0 ? 0x8000 : 0;
      assertThat(Float16.fromFloat(f) & 0xffff).as("%s", f).isEqualTo(sign | expected);
    }
  }

  @Test
  void specialValues() {
    assertThat(Float16.fromFloat(Float.POSITIVE_INFINITY) & 0xffff).isEqualTo(0x7c00);
    assertThat(Float16.fromFloat(Float.NEGATIVE_INFINITY) & 0xffff).isEqualTo(0xfc00);
    assertThat(Float.isNaN(Float16.toFloat(Float16.fromFloat(Float.NaN)))).isTrue();
    assertThat(Float16.fromFloat(-0f) & 0xffff).isEqualTo(0x8000);
    assertThat(Float16.fromFloat(1e-9f) & 0xffff).isZero();
    assertThat(Float16.toFloat(Float16.fromFloat(65504f))).isEqualTo(65504f);
    assertThat(Float16.toFloat((short) 1)).isEqualTo((float) Math.scalb(1.0, -24));
  }

  @Test
  void rowWriterStoresHalvesThatTheReaderReadsBack(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("h.npy");
    float[] row = {0f, 1f, -2.5f, 1000.1f, 3.14159f};
    try (NpyWriter.RowWriter w = new NpyWriter.RowWriter(out, row.length, true)) {
      w.write(row);
      w.write(row);
      w.commit();
    }
    NpyLayout layout = NpyLayout.read(out);
    assertThat(layout.descr()).isEqualTo("<f2");
    assertThat(layout.shape()).containsExactly(2, 5);
    assertThat(layout.fileSize()).isEqualTo(layout.dataOffset() + 2 * 5 * 2);
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
    b.position((int) layout.dataOffset());
    for (float v : row) {
      assertThat(b.getShort()).isEqualTo(Float16.fromFloat(v));
    }
    WeightArray read = WeightReader.read(out).arrays().values().iterator().next();
    assertThat(read.data()[3]).isEqualTo(Float16.toFloat(Float16.fromFloat(1000.1f)));
  }
}
