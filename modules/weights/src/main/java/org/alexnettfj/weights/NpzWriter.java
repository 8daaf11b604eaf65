package org.alexnettfj.weights;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes weights as an {@code .npz}: a zip of plain little-endian float32 {@code .npy} entries, one per array,
 * named after it ({@code conv1/weights.npy}, ...), exactly what {@code numpy.savez} makes. No pickle anywhere,
 * so Python loads it with {@code numpy.load(path, allow_pickle=False)}; {@link WeightReader} reads it back to the
 * same names.
 *
 * <p>Entries are stored, not deflated, as {@code savez} does: float weights hardly compress, and stored entries
 * are read in place without inflating. The archive is streamed to a temporary file beside the target and renamed
 * into place (see {@link NpyWriter}); only a 64 KiB buffer is held besides the arrays themselves. Entry times are
 * fixed (1980-01-01), so the same arrays always give the same bytes and the same sha256.
 *
 * <pre>{@code
 * NpzWriter.write(Path.of("weights/bvlc_alexnet.npz"), WeightReader.read(Path.of("bvlc_alexnet.npy")).arrays());
 * }</pre>
 */
public final class NpzWriter {

  private static final LocalDateTime FIXED_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);
  private static final int BUFFER = 1 << 16;

  private NpzWriter() {
  }

  /**
   * Writes {@code arrays} as one {@code .npz}, entries in the order given.
   *
   * @param out the {@code .npz} to write, replaced if it exists
   * @param arrays the arrays by name, e.g. {@code conv1/weights}
   * @throws IOException if the file cannot be written (the target is then left as it was)
   * @throws IllegalArgumentException if a name cannot be a zip entry (empty, absolute, {@code ..}, a backslash)
   */
  public static void write(Path out, Map<String, WeightArray> arrays) throws IOException {
    write(out, arrays, ProgressListener.NONE);
  }

  /**
   * As {@link #write(Path, Map)}, telling {@code progress} how many array bytes are written.
   *
   * @param out the {@code .npz} to write, replaced if it exists
   * @param arrays the arrays by name, e.g. {@code conv1/weights}
   * @param progress told the array bytes written so far
   * @throws IOException if the file cannot be written (the target is then left as it was)
   * @throws IllegalArgumentException if a name cannot be a zip entry (empty, absolute, {@code ..}, a backslash)
   */
  public static void write(Path out, Map<String, WeightArray> arrays, ProgressListener progress) throws IOException {
    arrays.keySet().forEach(NpzWriter::checkName);
    long total = 0;
    for (WeightArray a : arrays.values()) {
      total += 4L * a.size();
    }
    long all = total;
    NpyWriter.atomically(out, stream -> {
      ZipOutputStream zip = new ZipOutputStream(stream);
      ByteBuffer buf = ByteBuffer.allocate(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
      long done = 0;
      for (Map.Entry<String, WeightArray> e : arrays.entrySet()) {
        WeightArray a = e.getValue();
        byte[] header = header(a);
        // a stored entry needs its CRC before its data: one pass to checksum, one to write
        CRC32 crc = new CRC32();
        crc.update(header);
        floats(a.data(), buf, crc::update);
        ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(header.length + 4L * a.size());
        entry.setCompressedSize(entry.getSize());
        entry.setCrc(crc.getValue());
        entry.setTimeLocal(FIXED_TIME);
        zip.putNextEntry(entry);
        zip.write(header);
        long before = done;
        long[] written = {0};
        floats(a.data(), buf, (chunk, off, len) -> {
          zip.write(chunk, off, len);
          written[0] += len;
          progress.progress(before + written[0], all);
        });
        done += written[0];
        zip.closeEntry();
      }
      zip.finish();
    });
  }

  /** The .npy header numpy writes for a C-ordered {@code <f4} array of this shape. */
  private static byte[] header(WeightArray a) throws IOException {
    ByteArrayOutputStream h = new ByteArrayOutputStream(128);
    NpyWriter.writePlainHeader(h, a);
    return h.toByteArray();
  }

  private interface Chunk {
    void accept(byte[] bytes, int offset, int length) throws IOException;
  }

  /** Feeds the little-endian bytes of {@code data} to {@code sink}, a buffer at a time. */
  private static void floats(float[] data, ByteBuffer buf, Chunk sink) throws IOException {
    for (int i = 0; i < data.length; ) {
      int n = Math.min(BUFFER / 4, data.length - i);
      buf.clear();
      buf.asFloatBuffer().put(data, i, n);
      sink.accept(buf.array(), 0, n * 4);
      i += n;
    }
  }

  /** Entry names become paths when someone unzips the file: keep them relative and plain. */
  private static void checkName(String name) {
    boolean bad = name.isEmpty() || name.startsWith("/") || name.contains("\\") || name.contains("\0")
        || name.endsWith("/");
    for (String part : name.split("/", -1)) {
      bad |= part.isEmpty() || part.equals("..") || part.equals(".");
    }
    if (bad) {
      throw new IllegalArgumentException("array name '" + name + "' cannot be an .npz entry: use names like "
          + "conv1/weights");
    }
  }
}
