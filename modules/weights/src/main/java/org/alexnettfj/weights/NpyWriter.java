package org.alexnettfj.weights;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Writes weights as {@code .npy} files that Python reads back.
 *
 * <p>{@link #writeClassic} produces the classic {@code bvlc_alexnet.npy} form byte for byte as Python 2's numpy
 * wrote it (cPickle protocol 2, {@code {'conv1': [W, b], ...}}), so the classic Python code loads it with
 * {@code np.load(path, encoding='bytes', allow_pickle=True).item()}. Every file is written to a temporary name
 * beside the target and renamed into place, so an interrupted write never leaves half a file.
 */
public final class NpyWriter {

  private NpyWriter() {
  }

  /**
   * Writes {@code arrays} (named {@code layer/weights}, {@code layer/biases}) as a dict of {@code [W, b]} lists, in
   * the order given. Arrays for which {@code storeFortran} holds are stored Fortran-ordered, as fc7 and fc8 are in
   * the original file.
   *
   * @param out the {@code .npy} to write, replaced if it exists
   * @param arrays each layer's weights, then its biases
   * @param storeFortran which array names to store Fortran-ordered
   * @throws IOException if the file cannot be written (the target is then left as it was)
   * @throws IllegalArgumentException if a layer does not have exactly weights then biases
   */
  public static void writeClassic(Path out, Map<String, WeightArray> arrays, Predicate<String> storeFortran)
      throws IOException {
    writeClassic(out, arrays, storeFortran, ProgressListener.NONE);
  }

  /**
   * As {@link #writeClassic(Path, Map, Predicate)}, telling {@code progress} how many bytes are written.
   *
   * @param out the {@code .npy} to write, replaced if it exists
   * @param arrays each layer's weights, then its biases
   * @param storeFortran which array names to store Fortran-ordered
   * @param progress told the array bytes written so far
   * @throws IOException if the file cannot be written (the target is then left as it was)
   * @throws IllegalArgumentException if a layer does not have exactly weights then biases
   */
  public static void writeClassic(Path out, Map<String, WeightArray> arrays, Predicate<String> storeFortran,
      ProgressListener progress) throws IOException {
    Map<String, List<String>> layers = new LinkedHashMap<>();
    for (String name : arrays.keySet()) {
      layers.computeIfAbsent(WeightFile.layerOf(name), k -> new ArrayList<>()).add(name);
    }
    for (Map.Entry<String, List<String>> e : layers.entrySet()) {
      if (!e.getValue().equals(List.of(e.getKey() + "/weights", e.getKey() + "/biases"))) {
        throw new IllegalArgumentException("layer '" + e.getKey() + "' must have exactly weights then biases, has "
            + e.getValue());
      }
    }
    long total = 0;
    for (WeightArray a : arrays.values()) {
      total += 4L * a.size();
    }
    long payload = total;
    atomically(out, raw -> {
      OutputStream stream = progress == ProgressListener.NONE ? raw : new Counting(raw, payload, progress);
      Py2Pickler p = new Py2Pickler(stream);
      writeHeader(stream, "{'descr': '|O', 'fortran_order': False, 'shape': (), }");
      p.classicDict(layers, arrays, storeFortran);
    });
  }

  /**
   * Writes one plain {@code <f4} array (no pickle), loadable with {@code allow_pickle=False}.
   *
   * @param out the {@code .npy} to write, replaced if it exists
   * @param array the values, written C-ordered
   * @throws IOException if the file cannot be written (the target is then left as it was)
   */
  public static void writePlain(Path out, WeightArray array) throws IOException {
    atomically(out, stream -> writePlain(stream, array));
  }

  /**
   * As {@link #writePlain(Path, WeightArray)}, to a stream (an HTTP response); does not close it.
   *
   * @param stream where the {@code .npy} bytes go
   * @param array the values, written C-ordered
   * @throws IOException if the stream fails
   */
  public static void writePlain(OutputStream stream, WeightArray array) throws IOException {
    writePlainHeader(stream, array);
    writeFloats(stream, array.data(), 0, array.size());
  }

  /** The header numpy writes for a C-ordered {@code <f4} array of this shape. */
  static void writePlainHeader(OutputStream stream, WeightArray array) throws IOException {
    String shape = array.rank() == 1 ? "(" + array.dim(0) + ",)"
        : array.shapeString();
    writeHeader(stream, "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }");
  }

  /**
   * Writes a float32 {@code [n, width]} array one row at a time, when {@code n} is not known in advance (features
   * of a long image list). Rows go to a temporary file; {@link #commit()} writes the final {@code .npy} (header,
   * then the rows) to a temporary name and renames it into place. Closing without committing leaves nothing.
   */
  public static final class RowWriter implements java.io.Closeable {
    private final Path out;
    private final int width;
    private final boolean float16;
    private final PartialWrite rows;
    private final OutputStream stream;
    private long count;
    private boolean done;

    /**
     * A writer of float32 rows.
     *
     * @param out the {@code .npy} that {@link #commit()} writes
     * @param width the values in each row
     * @throws IOException if the temporary for the rows cannot be claimed (e.g. another write of {@code out} is
     *     going on)
     */
    public RowWriter(Path out, int width) throws IOException {
      this(out, width, false);
    }

    /**
     * With {@code float16}, values are stored as numpy's {@code <f2} (half the size, about 3 digits).
     *
     * @param out the {@code .npy} that {@link #commit()} writes
     * @param width the values in each row
     * @param float16 whether to store halves rather than float32
     * @throws IOException if the temporary for the rows cannot be claimed (e.g. another write of {@code out} is
     *     going on)
     */
    public RowWriter(Path out, int width, boolean float16) throws IOException {
      this.out = out.toAbsolutePath();
      this.width = width;
      this.float16 = float16;
      this.rows = PartialWrite.file(this.out, ".rows");
      this.stream = new BufferedOutputStream(rows.stream(), 1 << 16);
    }

    /**
     * Appends one row.
     *
     * @param row exactly {@code width} values
     * @throws IOException if the temporary cannot be written
     * @throws IllegalArgumentException if the row has another length
     */
    public void write(float[] row) throws IOException {
      if (row.length != width) {
        throw new IllegalArgumentException("row of " + row.length + " values, expected " + width);
      }
      if (float16) {
        writeHalves(stream, row);
      } else {
        writeFloats(stream, row, 0, row.length);
      }
      count++;
    }

    /**
     * How many rows are written so far.
     *
     * @return the rows, the first dimension of the final array
     */
    public long count() {
      return count;
    }

    /**
     * Writes the final {@code .npy}, shape {@code [count, width]}, and renames it onto the target.
     *
     * @throws IOException if it cannot be written (the target is then left as it was)
     */
    public void commit() throws IOException {
      stream.close();
      atomically(out, o -> {
        writeHeader(o, "{'descr': '" + (float16 ? "<f2" : "<f4") + "', 'fortran_order': False, 'shape': (" + count
            + ", " + width + "), }");
        Files.copy(rows.path(), o);
      });
      done = true;
      rows.close();
    }

    /** Without a {@link #commit()} before, deletes the rows and leaves the target as it was. */
    @Override
    public void close() throws IOException {
      if (!done) {
        stream.close();
        rows.close();
      }
    }
  }

  /** NPY v1.0 header, padded with spaces to a 16-byte boundary and ended by a newline, as numpy 1.x does. */
  static void writeHeader(OutputStream out, String dict) throws IOException {
    int unpadded = 6 + 2 + 2 + dict.length() + 1;
    int pad = (16 - unpadded % 16) % 16;
    String header = dict + " ".repeat(pad) + "\n";
    out.write(NpyHeader.MAGIC);
    out.write(1);
    out.write(0);
    out.write(header.length() & 0xff);
    out.write(header.length() >>> 8);
    out.write(header.getBytes(StandardCharsets.ISO_8859_1));
  }

  static void writeFloats(OutputStream out, float[] data, int from, int count) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    int i = from;
    int end = from + count;
    while (i < end) {
      int n = Math.min(buf.capacity() / 4, end - i);
      buf.clear();
      buf.asFloatBuffer().put(data, i, n);
      out.write(buf.array(), 0, n * 4);
      i += n;
    }
  }

  private static void writeHalves(OutputStream out, float[] data) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(2 * data.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : data) {
      buf.putShort(Float16.fromFloat(v));
    }
    out.write(buf.array());
  }

  /** Body of a write: gets the temporary file's stream. */
  interface Body {
    void write(OutputStream out) throws IOException;
  }

  /**
   * Writes through {@code .NAME.partial} beside the target ({@link PartialWrite}: a killed write's leftover is
   * replaced by the next), then renames it into place.
   */
  static void atomically(Path out, Body body) throws IOException {
    Path abs = out.toAbsolutePath();
    try (PartialWrite temp = PartialWrite.file(abs)) {
      shareLike(abs, temp.path());
      try (OutputStream stream = new BufferedOutputStream(temp.stream(), 1 << 16)) {
        body.write(stream);
      }
      temp.commit();
    }
  }

  /** Reports bytes written (capped at the expected total: headers and opcodes come on top of the data). */
  private static final class Counting extends java.io.FilterOutputStream {
    private final long total;
    private final ProgressListener progress;
    private long count;

    Counting(OutputStream out, long total, ProgressListener progress) {
      super(out);
      this.total = total;
      this.progress = progress;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
      progress.progress(Math.min(count, total), total);
    }
  }

  /**
   * Temporary files are created owner-only; the finished file should be as readable as any other (rw-r--r--), or
   * keep the permissions of the file it replaces.
   */
  private static void shareLike(Path target, Path temp) throws IOException {
    if (!temp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return;
    }
    Files.setPosixFilePermissions(temp, Files.exists(target) ? Files.getPosixFilePermissions(target)
        : java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
  }

  /** Emits the opcodes Python 2's cPickle wrote for numpy arrays, memo numbering included. */
  private static final class Py2Pickler {
    private static final int RECONSTRUCT = 1;
    private static final int NDARRAY = 2;
    private static final int DTYPE_CLASS = 4;

    private final OutputStream out;
    private int nextMemo = 1;
    private int float32Memo = -1;

    Py2Pickler(OutputStream out) {
      this.out = out;
    }

    void classicDict(Map<String, List<String>> layers, Map<String, WeightArray> arrays,
        Predicate<String> storeFortran) throws IOException {
      op(0x80, 2);
      global("numpy.core.multiarray", "_reconstruct");
      global("numpy", "ndarray");
      reconstructCall();
      // the 0-d object array around the dict: state (1, (), dtype('O8'), False, [dict])
      op('(');
      integer(1);
      op(')');
      global("numpy", "dtype");
      shortString("O8");
      integer(0);
      integer(1);
      op(0x87, 'R');
      put();
      dtypeState('|', 63);
      op(0x89, ']');
      put();
      op('}');
      put();
      op('(');
      for (Map.Entry<String, List<String>> layer : layers.entrySet()) {
        unicode(layer.getKey());
        op(']');
        put();
        op('(');
        for (String name : layer.getValue()) {
          array(arrays.get(name), storeFortran.test(name));
        }
        op('e');
      }
      op('u', 'a', 't', 'b', '.');
    }

    private void array(WeightArray a, boolean fortran) throws IOException {
      get(RECONSTRUCT);
      get(NDARRAY);
      reconstructCall();
      op('(');
      integer(1);
      int[] shape = a.shape();
      if (shape.length > 3) {
        op('(');
      }
      for (int d : shape) {
        integer(d);
      }
      op(switch (shape.length) {
        case 0 -> ')';
        case 1 -> 0x85;
        case 2 -> 0x86;
        case 3 -> 0x87;
        default -> 't';
      });
      if (float32Memo < 0) {
        get(DTYPE_CLASS);
        shortString("f4");
        integer(0);
        integer(1);
        op(0x87, 'R');
        float32Memo = put();
        dtypeState('<', 0);
      } else {
        get(float32Memo);
      }
      op(fortran && shape.length > 1 ? 0x88 : 0x89);
      long bytes = 4L * a.size();
      if (bytes < 256) {
        op('U', (int) bytes);
      } else {
        op('T');
        u32(bytes);
      }
      float[] data = fortran && shape.length > 1 ? toFortran(a) : a.data();
      writeFloats(out, data, 0, data.length);
      op('t', 'b');
    }

    /** _reconstruct(ndarray, (0,), 'b') */
    private void reconstructCall() throws IOException {
      integer(0);
      op(0x85);
      shortString("b");
      op(0x87, 'R');
      put();
    }

    /** BUILD state of a dtype: (3, byteorder, None, None, None, -1, -1, flags) */
    private void dtypeState(char byteOrder, int flags) throws IOException {
      op('(');
      integer(3);
      shortString(String.valueOf(byteOrder));
      op('N', 'N', 'N');
      integer(-1);
      integer(-1);
      integer(flags);
      op('t', 'b');
    }

    private static float[] toFortran(WeightArray a) {
      int[] shape = a.shape();
      float[] c = a.data();
      float[] f = new float[c.length];
      int[] idx = new int[shape.length];
      for (int k = 0; k < f.length; k++) {
        int ci = 0;
        for (int ax = 0; ax < shape.length; ax++) {
          ci = ci * shape[ax] + idx[ax];
        }
        f[k] = c[ci];
        for (int ax = 0; ax < shape.length; ax++) {
          if (++idx[ax] < shape[ax]) {
            break;
          }
          idx[ax] = 0;
        }
      }
      return f;
    }

    private void global(String module, String name) throws IOException {
      op('c');
      out.write((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
      put();
    }

    private void integer(int v) throws IOException {
      if (v >= 0 && v < 256) {
        op('K', v);
      } else if (v >= 0 && v < 65536) {
        op('M', v & 0xff, v >>> 8);
      } else {
        op('J');
        u32(v);
      }
    }

    private void shortString(String s) throws IOException {
      op('U', s.length());
      out.write(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private void unicode(String s) throws IOException {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      op('X');
      u32(b.length);
      out.write(b);
      put();
    }

    private int put() throws IOException {
      int index = nextMemo++;
      if (index < 256) {
        op('q', index);
      } else {
        op('r');
        u32(index);
      }
      return index;
    }

    private void get(int index) throws IOException {
      if (index < 256) {
        op('h', index);
      } else {
        op('j');
        u32(index);
      }
    }

    private void u32(long v) throws IOException {
      op((int) (v & 0xff), (int) (v >>> 8 & 0xff), (int) (v >>> 16 & 0xff), (int) (v >>> 24 & 0xff));
    }

    private void op(int... bytes) throws IOException {
      for (int b : bytes) {
        out.write(b);
      }
    }
  }
}
