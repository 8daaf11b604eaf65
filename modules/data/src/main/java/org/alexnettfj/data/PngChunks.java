package org.alexnettfj.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * The CRC check libpng makes and the JDK's PNG reader does not: a critical chunk (IHDR, PLTE, IDAT, IEND) whose
 * CRC does not match its bytes is a corrupt file, which {@code cv2.imread} refuses. Ancillary chunks (text, gamma,
 * colour profiles) with a bad CRC are left alone: libpng warns and skips them, and the pixels do not depend on them.
 */
final class PngChunks {

  private PngChunks() {
  }

  /**
   * The problem with the PNG in {@code in} (positioned at its signature), or null when every critical chunk up to
   * IEND has the CRC of its bytes. A file that ends early is left to the decoder, which names it.
   */
  static String badCrc(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    if (data.skipBytes(8) < 8) {
      return null;
    }
    long offset = 8;
    byte[] buffer = new byte[1 << 16];
    CRC32 crc = new CRC32();
    try {
      while (true) {
        long length = data.readInt() & 0xffffffffL;
        byte[] type = new byte[4];
        data.readFully(type);
        crc.reset();
        crc.update(type);
        long left = length;
        while (left > 0) {
          int n = data.read(buffer, 0, (int) Math.min(buffer.length, left));
          if (n < 0) {
            return null;
          }
          crc.update(buffer, 0, n);
          left -= n;
        }
        long stored = data.readInt() & 0xffffffffL;
        String name = new String(type, java.nio.charset.StandardCharsets.ISO_8859_1);
        boolean critical = (type[0] & 0x20) == 0;
        if (critical && stored != crc.getValue()) {
          return String.format(Locale.ROOT, "corrupt PNG: chunk %s at byte %d has CRC %08x, its bytes give %08x "
              + "(libpng, and so cv2.imread, refuses it)", printable(name), offset, stored, crc.getValue());
        }
        if (name.equals("IEND")) {
          return null;
        }
        offset += 12 + length;
      }
    } catch (EOFException e) {
      return null;
    }
  }

  private static String printable(String type) {
    return type.chars().allMatch(c -> c >= 'A' && c <= 'z') ? type : "(unnamed)";
  }
}
