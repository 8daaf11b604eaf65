package org.alexnettfj.search;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Reader;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.alexnettfj.weights.Float16;
import org.alexnettfj.weights.NpyLayout;
import org.alexnettfj.weights.NpyWriter;
import org.alexnettfj.weights.PartialWrite;

/**
 * Image features to search: an {@code [N, D]} float32 or float16 {@code .npy} and the N image paths, row by row.
 *
 * <p>On disk an index is a folder ({@code photos.index/}) holding {@value #FEATURES}, {@value #PATHS} and
 * {@value #PROPERTIES} (the layer, weights and preprocessing the features came from). The pair that {@code alexnet
 * features} writes ({@code feats.npy} with {@code feats.txt} beside it) opens too, with no properties. The rows
 * are memory-mapped, never read onto the heap whole: a million fc7 rows are 16 GB in float32, 8 GB in float16.
 * numpy opens the same file: {@code np.load("photos.index/features.npy", mmap_mode="r")}.
 *
 * <p>An open index may be read by several threads at once.
 */
public final class FeatureIndex implements AutoCloseable {

  public static final String FEATURES = "features.npy";
  public static final String PATHS = "paths.txt";
  public static final String PROPERTIES = "index.properties";

  /** Largest mapping: {@link MappedByteBuffer} addresses at most 2 GB, so a big index is mapped in chunks. */
  private static final long CHUNK_BYTES = 1L << 30;

  private final Path location;
  private final int size;
  private final int dims;
  private final boolean float16;
  private final List<String> paths;
  private final Properties properties;
  private final MappedByteBuffer[] chunks;
  private final int rowsPerChunk;
  private final FileChannel channel;

  private FeatureIndex(Path location, int size, int dims, boolean float16, List<String> paths, Properties properties,
      FileChannel channel, MappedByteBuffer[] chunks, int rowsPerChunk) {
    this.location = location;
    this.size = size;
    this.dims = dims;
    this.float16 = float16;
    this.paths = paths;
    this.properties = properties;
    this.channel = channel;
    this.chunks = chunks;
    this.rowsPerChunk = rowsPerChunk;
  }

  /** Opens an index folder, or a features {@code .npy} with its {@code .txt} of paths beside it. */
  public static FeatureIndex open(Path location) throws IOException {
    Path npy;
    Path pathList;
    Properties props = new Properties();
    if (Files.isDirectory(location)) {
      npy = location.resolve(FEATURES);
      pathList = location.resolve(PATHS);
      Path propFile = location.resolve(PROPERTIES);
      if (!Files.exists(npy) || !Files.exists(pathList)) {
        throw new FileNotFoundException(location + " is not a feature index: it needs " + FEATURES + " and " + PATHS
            + " (alexnet index writes them)");
      }
      if (Files.exists(propFile)) {
        try (Reader r = Files.newBufferedReader(propFile, StandardCharsets.UTF_8)) {
          props.load(r);
        }
      }
    } else if (Files.isRegularFile(location)) {
      npy = location;
      String name = location.getFileName().toString();
      pathList = location.resolveSibling((name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name)
          + ".txt");
      if (!Files.exists(pathList)) {
        throw new FileNotFoundException(location + ": no " + pathList.getFileName() + " beside it naming the image "
            + "of each row (alexnet features writes the pair)");
      }
    } else {
      throw new FileNotFoundException(location + ": no such index (a folder written by alexnet index, or a .npy "
          + "written by alexnet features)");
    }
    NpyLayout layout = NpyLayout.read(npy);
    if (layout.shape().length != 2 || layout.fortranOrder()
        || !(layout.descr().equals("<f4") || layout.descr().equals("<f2"))) {
      throw new IOException(npy + ": expected a C-ordered [N, D] array of <f4 or <f2, found " + layout.descr()
          + (layout.fortranOrder() ? " Fortran-ordered" : "") + " of shape " + java.util.Arrays.toString(
              layout.shape()));
    }
    int n = layout.shape()[0];
    int d = layout.shape()[1];
    long expected = layout.dataOffset() + layout.count() * layout.itemSize();
    if (layout.fileSize() != expected) {
      throw new IOException(npy + ": " + layout.fileSize() + " bytes, but its header [" + n + ", " + d + "] "
          + layout.descr() + " needs " + expected + " (truncated or appended to)");
    }
    if (d == 0) {
      throw new IOException(npy + ": rows of 0 values; nothing to search");
    }
    List<String> names = Files.readAllLines(pathList, StandardCharsets.UTF_8);
    if (names.size() != n) {
      throw new IOException(pathList + " names " + names.size() + " images but " + npy + " has " + n + " rows");
    }
    long rowBytes = (long) d * layout.itemSize();
    int perChunk = (int) Math.max(1, Math.min(n == 0 ? 1 : n, CHUNK_BYTES / rowBytes));
    int chunkCount = n == 0 ? 0 : (n + perChunk - 1) / perChunk;
    FileChannel ch = FileChannel.open(npy, StandardOpenOption.READ);
    try {
      MappedByteBuffer[] chunks = new MappedByteBuffer[chunkCount];
      for (int c = 0; c < chunkCount; c++) {
        long firstRow = (long) c * perChunk;
        long rows = Math.min(perChunk, n - firstRow);
        chunks[c] = ch.map(FileChannel.MapMode.READ_ONLY, layout.dataOffset() + firstRow * rowBytes, rows * rowBytes);
      }
      return new FeatureIndex(location, n, d, layout.descr().equals("<f2"), List.copyOf(names), props, ch, chunks,
          perChunk);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** Rows (images) in the index. */
  public int size() {
    return size;
  }

  /** Values per row: 4096 for fc7. */
  public int dims() {
    return dims;
  }

  /** Whether the rows are stored as float16. */
  public boolean float16() {
    return float16;
  }

  /** The image of row {@code row}, as it was given when the index was written. */
  public String path(int row) {
    return paths.get(row);
  }

  /** The folder or {@code .npy} it was opened from. */
  public Path location() {
    return location;
  }

  /** What produced the rows ({@code layer}, {@code weights}, …); empty for a {@code features} pair. */
  public Properties properties() {
    Properties copy = new Properties();
    copy.putAll(properties);
    return copy;
  }

  /** Copies rows {@code from … from + count - 1} into {@code dst}, row after row, as float32. */
  public void rows(int from, int count, float[] dst, int offset) {
    if (from < 0 || count < 0 || from + count > size) {
      throw new IndexOutOfBoundsException("rows " + from + "+" + count + " of " + size);
    }
    int done = 0;
    while (done < count) {
      int row = from + done;
      int chunk = row / rowsPerChunk;
      int inChunk = row - chunk * rowsPerChunk;
      int n = Math.min(count - done, rowsPerChunk - inChunk);
      MappedByteBuffer b = chunks[chunk];
      int values = n * dims;
      int at = offset + done * dims;
      if (float16) {
        var halves = b.duplicate().position(inChunk * dims * 2).slice().order(ByteOrder.LITTLE_ENDIAN)
            .asShortBuffer();
        for (int i = 0; i < values; i++) {
          dst[at + i] = HALF[halves.get(i) & 0xffff];
        }
      } else {
        b.duplicate().position(inChunk * dims * 4).slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
            .get(dst, at, values);
      }
      done += n;
    }
  }

  /** One row as float32. */
  public float[] row(int row) {
    float[] out = new float[dims];
    rows(row, 1, out, 0);
    return out;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  /** Every half's float value: a table is faster than the bit arithmetic in the search's inner loop. */
  private static final float[] HALF = new float[1 << 16];

  static {
    for (int i = 0; i < HALF.length; i++) {
      HALF[i] = Float16.toFloat((short) i);
    }
  }

  /**
   * Starts writing an index folder at {@code target}. Rows go to {@code .NAME.partial/} beside it (a fixed, locked
   * name: one left by a killed run is replaced by the next), which {@link Writer#commit} renames into place.
   */
  public static Writer writer(Path target, int dims, boolean float16, Map<String, String> properties)
      throws IOException {
    return new Writer(target, dims, float16, properties);
  }

  /** Writes an index: {@link #add} each image's features, then {@link #commit}; closing uncommitted leaves nothing. */
  public static final class Writer implements AutoCloseable {
    private final PartialWrite partial;
    private final NpyWriter.RowWriter rows;
    private final java.io.BufferedWriter names;
    private final Properties properties = new Properties();
    private boolean committed;

    private Writer(Path target, int dims, boolean float16, Map<String, String> props) throws IOException {
      this.partial = PartialWrite.folder(target);
      this.rows = new NpyWriter.RowWriter(partial.path().resolve(FEATURES), dims, float16);
      this.names = Files.newBufferedWriter(partial.path().resolve(PATHS), StandardCharsets.UTF_8);
      properties.putAll(props);
      properties.setProperty("dims", Integer.toString(dims));
      properties.setProperty("dtype", float16 ? "float16" : "float32");
    }

    /** One image's row. */
    public void add(float[] features, String path) throws IOException {
      if (path.indexOf('\n') >= 0 || path.indexOf('\r') >= 0) {
        throw new IllegalArgumentException("image path with a line break cannot be indexed: " + path);
      }
      rows.write(features);
      names.write(path);
      names.write('\n');
    }

    /** Rows added so far. */
    public long count() {
      return rows.count();
    }

    /** Finishes the files and puts the folder in place of {@code target} (replacing an older index there). */
    public void commit() throws IOException {
      rows.commit();
      names.close();
      properties.setProperty("rows", Long.toString(rows.count()));
      try (java.io.Writer o = Files.newBufferedWriter(partial.path().resolve(PROPERTIES), StandardCharsets.UTF_8)) {
        properties.store(o, "alexnet-tfj feature index");
      }
      partial.commitFolder();
      committed = true;
      partial.close();
    }

    @Override
    public void close() throws IOException {
      if (!committed) {
        rows.close();
        names.close();
        partial.close();
      }
    }
  }
}
