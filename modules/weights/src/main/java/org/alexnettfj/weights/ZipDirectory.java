package org.alexnettfj.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A look at a zip's end-of-central-directory record before the archive is opened: the zip library reads every
 * entry of the central directory into memory, so an archive that declares (or lays out) more entries than a
 * weight file could hold is refused first, in a few reads whatever its size.
 */
final class ZipDirectory {

  private static final int EOCD = 0x06054b50;
  private static final int ZIP64_LOCATOR = 0x07064b50;
  private static final int ZIP64_EOCD = 0x06064b50;
  private static final int EOCD_SIZE = 22;
  /** A numpy entry's directory record is under 100 bytes; this allows names and extras up to 1 KiB each. */
  private static final int BYTES_PER_ENTRY = 1024;

  private ZipDirectory() {
  }

  /** Refuses a directory of more than {@code maxEntries}; a damaged record is left for the zip library. */
  static void check(Path path, String name, int maxEntries) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = ch.size();
      int tail = (int) Math.min(size, EOCD_SIZE + 0xffff);
      ByteBuffer buf = ByteBuffer.allocate(tail).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, buf, size - tail);
      int at = -1;
      for (int i = tail - EOCD_SIZE; i >= 0; i--) {
        if (buf.getInt(i) == EOCD) {
          at = i;
          break;
        }
      }
      if (at < 0) {
        return;
      }
      long eocd = size - tail + at;
      long entries = buf.getShort(at + 10) & 0xffff;
      long dirStart = buf.getInt(at + 16) & 0xffffffffL;
      if ((entries == 0xffff || dirStart == 0xffffffffL) && eocd >= 20) {
        ByteBuffer loc = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, loc, eocd - 20);
        if (loc.getInt(0) == ZIP64_LOCATOR) {
          long record = loc.getLong(8);
          if (record >= 0 && record + 56 <= size) {
            ByteBuffer z = ByteBuffer.allocate(56).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, z, record);
            if (z.getInt(0) == ZIP64_EOCD) {
              entries = z.getLong(32);
              dirStart = z.getLong(48);
              eocd = record;
            }
          }
        }
      }
      if (entries < 0 || entries > maxEntries) {
        throw new WeightFileException(name, null, eocd, "the zip directory declares "
            + Long.toUnsignedString(entries) + " entries; at most " + maxEntries + " are read (AlexNet needs 16)");
      }
      long span = eocd - dirStart;
      if (dirStart >= 0 && span > (long) maxEntries * BYTES_PER_ENTRY) {
        throw new WeightFileException(name, null, dirStart, "the zip directory spans " + span + " bytes, room "
            + "for more than " + maxEntries + " entries (refusing: corrupt, or built to exhaust memory)");
      }
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long at) throws IOException {
    while (buf.hasRemaining()) {
      if (ch.read(buf, at + buf.position()) < 0) {
        throw new java.io.EOFException();
      }
    }
  }
}
