package org.alexnettfj.train.tensorboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;

/** TFRecord framing and masked CRC-32C against known answers and a bit-by-bit CRC. */
class TfRecordsTest {

  /** CRC-32C one bit at a time (reflected Castagnoli polynomial 0x82F63B78): independent of java.util.zip. */
  static int bitwiseCrc32c(byte[] data, int offset, int length) {
    int crc = 0xffffffff;
    for (int i = offset; i < offset + length; i++) {
      crc ^= data[i] & 0xff;
      for (int bit = 0; bit < 8; bit++) {
        crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
      }
    }
    return ~crc;
  }

  /** TensorFlow's mask in unsigned 64-bit arithmetic: ((crc >> 15) | (crc << 17)) + 0xa282ead8, mod 2^32. */
  static int referenceMask(int crc) {
    long c = crc & 0xffffffffL;
    long rotated = ((c >>> 15) | (c << 17)) & 0xffffffffL;
    return (int) ((rotated + 0xa282ead8L) & 0xffffffffL);
  }

  @Test
  void crc32cGivesTheKnownAnswersOfRfc3720() {
    byte[] zeros = new byte[32];
    byte[] ones = new byte[32];
    byte[] up = new byte[32];
    byte[] down = new byte[32];
    for (int i = 0; i < 32; i++) {
      ones[i] = (byte) 0xff;
      up[i] = (byte) i;
      down[i] = (byte) (31 - i);
    }
    byte[] digits = "123456789".getBytes(StandardCharsets.US_ASCII);
    Object[][] cases = {{digits, 0xe3069283}, {zeros, 0x8a9136aa}, {ones, 0x62a8ab43}, {up, 0x46dd794e},
        {down, 0x113fdb5c}};
    for (Object[] c : cases) {
      byte[] data = (byte[]) c[0];
      int expected = (int) c[1];
      assertThat(TfRecords.unmask(TfRecords.maskedCrc32c(data, 0, data.length)))
          .as("CRC-32C of %s", HexFormat.of().formatHex(data)).isEqualTo(expected);
      assertThat(bitwiseCrc32c(data, 0, data.length)).as("the bitwise reference itself, %s",
          HexFormat.of().formatHex(data)).isEqualTo(expected);
    }
  }

  @Test
  void maskedCrcAgreesWithTheBitwiseCrcAndTensorFlowsMaskOnRandomData() {
    SplittableRandom random = new SplittableRandom(7);
    for (int n = 0; n < 300; n++) {
      byte[] data = new byte[random.nextInt(0, 600)];
      random.nextBytes(data);
      int offset = data.length == 0 ? 0 : random.nextInt(data.length);
      int length = data.length - offset;
      int crc = bitwiseCrc32c(data, offset, length);
      assertThat(TfRecords.maskedCrc32c(data, offset, length)).as("masked CRC of %d random bytes", length)
          .isEqualTo(referenceMask(crc));
      assertThat(TfRecords.unmask(TfRecords.mask(crc))).as("unmask undoes mask").isEqualTo(crc);
    }
  }

  @Test
  void framesTensorFlowsOwnFileVersionRecordsByteForByte() {
    // Records from the event-file loader tests of TensorFlow (python/summary/impl), written by TensorFlow itself.
    String[][] records = {
        {"brain.Event:1", "18 00 00 00 00 00 00 00 a3 7f 4b 22 09 00 00 c0 25 dd 75 d5 41 1a 0d" + hex("brain.Event:1")
            + "ec f3 32 8d"},
        {"brain.Event:2", "18 00 00 00 00 00 00 00 a3 7f 4b 22 09 00 00 00 27 e6 b3 d5 41 1a 0d" + hex("brain.Event:2")
            + "6a 4d 0b 15"}};
    for (String[] r : records) {
      byte[] expected = bytes(r[1]);
      double wallTime = ByteBuffer.wrap(expected, 13, 8).order(ByteOrder.LITTLE_ENDIAN).getDouble();
      Event event = Event.newBuilder().setWallTime(wallTime).setFileVersion(r[0]).build();

      assertThat(wallTime).as("%s: a plausible wall time, so the byte positions are right", r[0])
          .isBetween(1.4e9, 1.5e9);
      assertThat(TfRecords.frame(event.toByteArray())).as("framed %s record", r[0]).isEqualTo(expected);
    }
  }

  @Test
  void framesAScalarRecordAsAnIndependentTensorBoardWriterDoes() {
    // tensorboard_logger's test_serialization: Event{wall_time 256.5, step 1, summary{value{tag "v/1",
    // simple_value 1.5}}}, which TensorBoard reads.
    byte[] expected = bytes("19 00 00 00 00 00 00 00 8b f1 08 28 09 00 00 00 00 00 08 70 40 10 01 2a 0c 0a 0a 0a 03"
        + hex("v/1") + "15 00 00 c0 3f 2c ec c0 87");
    Event event = Event.newBuilder().setWallTime(256.5).setStep(1).setSummary(Summary.newBuilder()
        .addValue(Summary.Value.newBuilder().setTag("v/1").setSimpleValue(1.5f))).build();

    assertThat(TfRecords.frame(event.toByteArray())).as("framed scalar record").isEqualTo(expected);
  }

  static String hex(String ascii) {
    return " " + HexFormat.ofDelimiter(" ").formatHex(ascii.getBytes(StandardCharsets.US_ASCII)) + " ";
  }

  static byte[] bytes(String hex) {
    return HexFormat.of().parseHex(hex.replaceAll("\\s+", ""));
  }
}
