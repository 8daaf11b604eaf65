package org.alexnettfj.train.tensorboard;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * TFRecord framing, the container of TensorBoard event files (TensorFlow's {@code core/lib/io/record_writer.cc}).
 * Each record is, little-endian:
 * <pre>
 *   uint64  length
 *   uint32  masked CRC-32C of the 8 length bytes
 *   byte    data[length]
 *   uint32  masked CRC-32C of data
 * </pre>
 * A masked CRC is {@code rotateRight(crc, 15) + 0xa282ead8} (mod 2^32): TensorFlow masks because a CRC of data that
 * itself holds CRCs is weak.
 */
final class TfRecords {

  /** Length field plus its CRC. */
  static final int HEADER_BYTES = 12;
  /** The data CRC. */
  static final int FOOTER_BYTES = 4;

  private static final int MASK_DELTA = 0xa282ead8;

  private TfRecords() {
  }

  static int mask(int crc) {
    return Integer.rotateRight(crc, 15) + MASK_DELTA;
  }

  static int unmask(int masked) {
    return Integer.rotateLeft(masked - MASK_DELTA, 15);
  }

  /** The CRC-32C (Castagnoli) of {@code data[offset, offset + length)}, masked. */
  static int maskedCrc32c(byte[] data, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(data, offset, length);
    return mask((int) crc.getValue());
  }

  /** {@code data} framed as one record: header, data, footer. */
  static byte[] frame(byte[] data) {
    ByteBuffer record = ByteBuffer.allocate(HEADER_BYTES + data.length + FOOTER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    record.putLong(data.length);
    record.putInt(maskedCrc32c(record.array(), 0, Long.BYTES));
    record.put(data);
    record.putInt(maskedCrc32c(data, 0, data.length));
    return record.array();
  }
}
