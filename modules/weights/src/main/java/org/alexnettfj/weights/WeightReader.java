package org.alexnettfj.weights;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.CompressorException;
import org.apache.commons.compress.compressors.CompressorStreamFactory;

/**
 * Reads AlexNet weight files in every form they reach users: the classic Python-2 pickled {@code .npy}
 * ({@code bvlc_alexnet.npy}), Python-3 and numpy-2 re-saves (pickle protocols 2 to 5), caffe-tensorflow's dict of
 * dicts, plain {@code .npy} arrays, {@code .npz} archives, Caffe {@code .caffemodel} files (converted to
 * TensorFlow layout by {@link CaffeReader}: recognised by the extension or by a named net's first bytes), ONNX
 * models' float32 initializers ({@code .onnx}, {@link OnnxReader}), and gzip/bzip2/xz copies of any of them.
 *
 * <pre>{@code
 * WeightFile file = WeightReader.read(Path.of("weights/bvlc_alexnet.npy"));
 * WeightArray fc7 = file.array("fc7/weights");   // [4096, 4096], C order
 * }</pre>
 *
 * <p>Nothing in the file is executed: see {@link Unpickler} for what a pickle may contain.
 */
public final class WeightReader {

  /** A decompressed file may be at most this large, 8 times the classic file (a guard against bombs). */
  public static final long DEFAULT_MAX_DECOMPRESSED = 2L << 30;
  /** Deflate cannot expand data by more than about 1032:1; an entry claiming more is corrupt. */
  private static final long MAX_DEFLATE_RATIO = 1100;
  /** The most arrays a file may hold (AlexNet has 16, VGG-19 38). */
  public static final int MAX_ARRAYS = 4096;
  /** The deepest nesting of containers a pickle may use (the classic file nests 3: dict, list, array). */
  public static final int MAX_DEPTH = 16;
  /** The most entries an .npz may have. */
  public static final int MAX_NPZ_ENTRIES = MAX_ARRAYS;

  private final long maxDecompressed;
  /** Told the bytes read of the whole file: the caller's listener, or one placing an .npz entry's reads in it. */
  private ProgressListener regionProgress;

  private WeightReader(ProgressListener progress, long maxDecompressed) {
    this.maxDecompressed = maxDecompressed;
    this.regionProgress = progress;
  }

  /**
   * Reads every array of a weight file, whatever its form.
   *
   * @param path a {@code .npy}, {@code .npz}, {@code .caffemodel} or {@code .onnx}, compressed or not
   * @return the arrays, named like TensorFlow variables ({@code conv1/weights})
   * @throws IOException if the file cannot be read; a {@link WeightFileException} naming the file, layer and byte
   *     if it is not a weight file this reader understands
   */
  public static WeightFile read(Path path) throws IOException {
    return read(path, ProgressListener.NONE);
  }

  /**
   * As {@link #read(Path)}, telling {@code progress} how far the read has got.
   *
   * @param path a {@code .npy}, {@code .npz}, {@code .caffemodel} or {@code .onnx}, compressed or not
   * @param progress told the bytes read so far, on the reading thread
   * @return the arrays, named like TensorFlow variables ({@code conv1/weights})
   * @throws IOException if the file cannot be read; a {@link WeightFileException} naming the file, layer and byte
   *     if it is not a weight file this reader understands
   */
  public static WeightFile read(Path path, ProgressListener progress) throws IOException {
    return read(path, progress, DEFAULT_MAX_DECOMPRESSED);
  }

  /** With a lower bound on decompressed size (for tests: a bomb at the default bound costs 2 GiB of disk). */
  static WeightFile read(Path path, ProgressListener progress, long maxDecompressed) throws IOException {
    WeightFile file = new WeightReader(progress, maxDecompressed).readFile(path, path.toString(), 0);
    long size = Files.size(path);
    progress.progress(size, size);   // the readers count payload bytes; a bar should still end full
    return file;
  }

  /**
   * Reads a file that holds a single plain array, such as Caffe's {@code ilsvrc_2012_mean.npy}.
   *
   * @param path any form {@link #read(Path)} takes
   * @return the one array
   * @throws IOException if the file cannot be read; a {@link WeightFileException} if it holds other than one array
   */
  public static WeightArray readArray(Path path) throws IOException {
    WeightFile file = read(path);
    if (file.arrays().size() != 1) {
      throw new WeightFileException(path.toString(), null, -1,
          "expected a single array, found " + file.arrays().size() + ": " + file.arrays().keySet());
    }
    return file.arrays().values().iterator().next();
  }

  private WeightFile readFile(Path path, String name, int depth) throws IOException {
    String missing = MissingFile.problem(path);
    if (missing != null) {
      throw new WeightFileException(name, null, -1, missing);
    }
    byte[] head;
    try (InputStream in = Files.newInputStream(path)) {
      head = in.readNBytes(256);
    }
    int n = Math.min(head.length, 6);
    byte[] magic = Arrays.copyOf(head, n);
    String compression = compression(magic);
    if (compression != null) {
      if (depth > 1) {
        throw new WeightFileException(name, null, 0, "compressed more than twice; refusing to unpack further");
      }
      Path temp = decompress(path, name, compression);
      ProgressListener outer = regionProgress;
      regionProgress = ProgressListener.NONE;   // decompressing counted the file's bytes, not parsing the copy
      try {
        WeightFile inner = readFile(temp, name, depth + 1);
        return new WeightFile(name, compression + " of " + inner.format(), inner.arrays());
      } finally {
        regionProgress = outer;
        Files.deleteIfExists(temp);
      }
    }
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = ch.size();
      if (startsWith(magic, NpyHeader.MAGIC)) {
        return readNpy(ch, name, 0, size, fileStem(path));
      }
      if (startsWith(magic, new byte[] {'P', 'K', 3, 4}) || startsWith(magic, new byte[] {'P', 'K', 5, 6})) {
        return readNpz(path, name);
      }
      if (OnnxReader.looksLikeOnnx(name)) {
        return OnnxReader.read(path, name);
      }
      if (n > 0 && (magic[0] & 0xff) == 0x80) {
        FileInput in = input(ch, name, 0, size);
        Unpickler unpickler = new Unpickler(in);
        Collector found = new Collector(name, unpickler, size);
        found.collect(unpickler.load(), "", 0);
        return new WeightFile(name, "pickle, " + found.layout, found.arrays);
      }
      if (CaffeReader.looksLikeCaffeModel(name, head)) {
        return CaffeReader.read(path, name, CaffeReader.Options.defaults().withProgress(regionProgress));
      }
      throw new WeightFileException(name, null, 0, "not a weight file: expected an NPY file (\\x93NUMPY), "
          + "an .npz (zip), a pickle, a Caffe .caffemodel, an ONNX model named .onnx or gzip/bzip2/xz data; the file "
          + "starts with " + hex(magic));
    }
  }

  private FileInput input(FileChannel ch, String name, long start, long end) {
    FileInput in = new FileInput(ch, name, start, end);
    in.progress(regionProgress);
    return in;
  }

  /** An NPY file (or .npz entry) in [start, end) of the channel: a plain array, or a pickled object array. */
  private WeightFile readNpy(FileChannel ch, String name, long start, long end, String arrayName)
      throws IOException {
    FileInput in = input(ch, name, start, end);
    NpyHeader header = NpyHeader.read(in);
    String version = "npy v" + header.major() + ".0";
    Dtype dtype = header.dtype();
    if (dtype.isObject()) {
      Unpickler unpickler = new Unpickler(in);
      Collector found = new Collector(name, unpickler, end - start);
      found.collect(unpickler.load(), "", 0);
      return new WeightFile(name, version + ", pickle, " + found.layout, found.arrays);
    }
    if (!dtype.isFloat()) {
      throw in.error(start, "array '" + arrayName + "' has dtype " + dtype
          + ": weights must be float16, float32 or float64");
    }
    int[] shape = header.shape();
    long count = WeightArray.elementCount(shape);
    if (count < 0) {
      throw in.error(start, "array shape " + WeightArray.shapeString(shape) + " is too large");
    }
    long bytes = count * dtype.itemSize();
    if (bytes > in.remaining()) {
      throw new WeightFileException(name, arrayName, header.dataOffset(), "array " + WeightArray.shapeString(shape)
          + " " + dtype + " needs " + bytes + " bytes of data but only " + in.remaining() + " remain (truncated)");
    }
    float[] data = new float[(int) count];
    FloatDecoder decoder = new FloatDecoder(data, dtype, shape, header.fortranOrder());
    in.stream(header.dataOffset(), bytes, (chunk, last) -> decoder.accept(chunk));
    Map<String, WeightArray> arrays = new LinkedHashMap<>();
    arrays.put(arrayName, new WeightArray(shape, data, dtype.descr(), header.fortranOrder()));
    return new WeightFile(name, version + ", plain array", arrays);
  }

  private WeightFile readNpz(Path path, String name) throws IOException {
    ProgressListener outer = regionProgress;
    Map<String, WeightArray> arrays = new LinkedHashMap<>();
    List<String> formats = new ArrayList<>();
    ZipDirectory.check(path, name, MAX_NPZ_ENTRIES);
    try (ZipFile zip = ZipFile.builder().setPath(path).get();
         FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      List<ZipArchiveEntry> entries = Collections.list(zip.getEntriesInPhysicalOrder());
      if (entries.size() > MAX_NPZ_ENTRIES) {
        throw new WeightFileException(name, null, -1, "the archive has " + entries.size() + " entries; at most "
            + MAX_NPZ_ENTRIES + " are read (AlexNet needs 16)");
      }
      long declared = 0;
      for (ZipArchiveEntry entry : entries) {
        declared += Math.max(entry.getSize(), 0);
        if (declared > maxDecompressed) {
          throw new WeightFileException(name + "!" + entry.getName(), null, -1, "the archive's entries declare "
              + declared + " bytes in all by this one, more than the " + maxDecompressed + " a weight file may "
              + "unpack to (refusing: corrupt, or a decompression bomb)");
        }
      }
      for (ZipArchiveEntry entry : entries) {
        if (entry.isDirectory()) {
          continue;
        }
        String entryName = SafeText.name(entry.getName());
        String arrayName = canonicalName(entryName.endsWith(".npy")
            ? entryName.substring(0, entryName.length() - 4) : entryName);
        String where = name + "!" + entryName;
        WeightFile inner;
        long fileSize = ch.size();
        long base = Math.max(entry.getDataOffset(), 0);
        long span = Math.max(entry.getCompressedSize(), 0);
        try {
          if (entry.getMethod() == ZipArchiveEntry.STORED && entry.getDataOffset() > 0) {
            long start = entry.getDataOffset();
            long size = entry.getCompressedSize();
            if (size < 0 || start + size > fileSize) {
              throw new WeightFileException(where, arrayName, start, "zip entry claims " + size
                  + " bytes, beyond the end of the file");
            }
            // the entry's reader counts its own bytes: place them in the whole file
            regionProgress = (done, total) -> outer.progress(Math.min(start + done, fileSize), fileSize);
            inner = readNpy(ch, where, start, start + size, arrayName);
          } else {
            // read from an inflated copy: its share of the entry's compressed bytes
            regionProgress = (done, total) -> outer.progress(Math.min(fileSize,
                base + (total > 0 ? (long) ((double) done / total * span) : 0)), fileSize);
            inner = readCompressedEntry(zip, entry, where, arrayName);
          }
        } finally {
          regionProgress = outer;
        }
        formats.add(inner.format());
        if (arrays.size() + inner.arrays().size() > MAX_ARRAYS) {
          throw new WeightFileException(where, arrayName, -1, "the archive holds more than " + MAX_ARRAYS
              + " arrays (AlexNet has 16; refusing)");
        }
        for (Map.Entry<String, WeightArray> e : inner.arrays().entrySet()) {
          String key = e.getKey();
          if (arrays.putIfAbsent(key, e.getValue()) != null) {
            throw new WeightFileException(name, WeightFile.layerOf(key), -1,
                "array '" + key + "' appears twice (as " + entryName + " and an earlier entry)");
          }
        }
      }
    } catch (IOException e) {
      if (e instanceof WeightFileException) {
        throw e;
      }
      throw new WeightFileException(name, null, -1, "not a readable .npz (zip) archive: " + e.getMessage());
    }
    boolean deflated = formats.stream().anyMatch(f -> f.contains("deflated"));
    return new WeightFile(name, "npz, " + arrays.size() + " arrays" + (deflated ? ", compressed" : ""), arrays);
  }

  /** A deflated .npz entry: inflated into a temporary file (bounded by the entry's honest size), then read. */
  private WeightFile readCompressedEntry(ZipFile zip, ZipArchiveEntry entry, String where, String arrayName)
      throws IOException {
    long size = entry.getSize();
    long packed = entry.getCompressedSize();
    if (size < 0 || packed < 0 || size > Math.max(packed, 1) * MAX_DEFLATE_RATIO || size > maxDecompressed) {
      throw new WeightFileException(where, arrayName, -1, "zip entry claims " + size + " bytes from " + packed
          + " compressed; refusing (corrupt or a decompression bomb)");
    }
    Path temp = Files.createTempFile("alexnet-tfj-", ".npy");
    try {
      try (InputStream in = zip.getInputStream(entry); OutputStream out = Files.newOutputStream(temp)) {
        long copied = copyBounded(in, out, size, where);
        if (copied != size) {
          throw new WeightFileException(where, arrayName, -1,
              "zip entry holds " + copied + " bytes but its directory says " + size);
        }
      }
      try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.READ)) {
        WeightFile inner = readNpy(ch, where, 0, size, arrayName);
        return new WeightFile(where, inner.format() + ", deflated", inner.arrays());
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private Path decompress(Path path, String name, String compression) throws IOException {
    Path temp = Files.createTempFile("alexnet-tfj-", ".unpacked");
    boolean ok = false;
    long total = Files.size(path);
    try (CountingInputStream raw = new CountingInputStream(
             new java.io.BufferedInputStream(Files.newInputStream(path), 1 << 16), total, regionProgress);
         InputStream in = new CompressorStreamFactory(true).createCompressorInputStream(compression, raw);
         OutputStream out = Files.newOutputStream(temp)) {
      try {
        copyBounded(in, out, maxDecompressed, name);
      } catch (WeightFileException e) {
        throw e;
      } catch (IOException | RuntimeException e) {
        throw new WeightFileException(name, null, raw.count(), "corrupt " + compression + " data: "
            + streamProblem(e, raw.count(), total));
      }
      ok = true;
      return temp;
    } catch (CompressorException e) {
      throw new WeightFileException(name, null, 0, "cannot open " + compression + " data: " + e.getMessage());
    } finally {
      if (!ok) {
        Files.deleteIfExists(temp);
      }
    }
  }

  /** What went wrong inside a compressed stream, in words (the decoders' own messages are often null). */
  private static String streamProblem(Exception e, long at, long total) {
    if (e instanceof java.io.EOFException || (at >= total && e.getMessage() == null)
        || String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("unexpected end")) {
      return "unexpected end of the compressed stream at byte " + at + " of " + total + " (the file is truncated)";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static long copyBounded(InputStream in, OutputStream out, long max, String name) throws IOException {
    byte[] buf = new byte[1 << 16];
    long copied = 0;
    int n;
    while ((n = in.read(buf)) > 0) {
      copied += n;
      if (copied > max) {
        throw new WeightFileException(name, null, -1, "decompresses to more than " + max
            + " bytes; refusing (a decompression bomb, or raise the limit)");
      }
      out.write(buf, 0, n);
    }
    return copied;
  }

  private static String compression(byte[] m) {
    if (m.length >= 2 && (m[0] & 0xff) == 0x1f && (m[1] & 0xff) == 0x8b) {
      return CompressorStreamFactory.GZIP;
    }
    if (m.length >= 3 && m[0] == 'B' && m[1] == 'Z' && m[2] == 'h') {
      return CompressorStreamFactory.BZIP2;
    }
    if (startsWith(m, new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0})) {
      return CompressorStreamFactory.XZ;
    }
    return null;
  }

  // ---- from pickled objects to named arrays ----

  /** What containers a pickle used, for {@code inspect}: dict of lists (classic) or dict of dicts. */
  private static final class Layout {
    boolean lists;
    boolean dicts;
    boolean flat;

    @Override
    public String toString() {
      List<String> kinds = new ArrayList<>();
      if (lists) {
        kinds.add("dict of lists");
      }
      if (dicts) {
        kinds.add("dict of dicts");
      }
      if (flat || kinds.isEmpty()) {
        kinds.add("dict of arrays");
      }
      return String.join(" + ", kinds);
    }
  }

  /**
   * Walks what a pickle built and names its arrays, with bounded work whatever the file: each container is walked
   * once (a pickle can reach one list from a thousand places through its memo), at most {@value #MAX_ARRAYS}
   * arrays, {@value #MAX_DEPTH} levels of nesting, and no more array elements in all than the file has bytes.
   */
  private static final class Collector {
    final Map<String, WeightArray> arrays = new LinkedHashMap<>();
    final Layout layout = new Layout();
    private final String file;
    private final Unpickler unpickler;
    private final long fileBytes;
    private final java.util.IdentityHashMap<Object, String> walked = new java.util.IdentityHashMap<>();
    private final java.util.IdentityHashMap<Object, Boolean> open = new java.util.IdentityHashMap<>();
    private final java.util.IdentityHashMap<Unpickler.NdArray, WeightArray> read =
        new java.util.IdentityHashMap<>();
    private long elements;

    Collector(String file, Unpickler unpickler, long fileBytes) {
      this.file = file;
      this.unpickler = unpickler;
      this.fileBytes = fileBytes;
    }

    void collect(Object o, String prefix, int depth) throws WeightFileException {
      String layer = prefix.isEmpty() ? null : WeightFile.layerOf(prefix);
      long at = unpickler.offsetOf(o);
      if (depth > MAX_DEPTH) {
        throw new WeightFileException(file, layer, at, "containers nested more than " + MAX_DEPTH
            + " deep (a weight file nests 3)");
      }
      boolean container = o instanceof Map<?, ?> || o instanceof List<?> || o instanceof Unpickler.Tuple
          || o instanceof Unpickler.NdArray a && a.objects != null;
      if (container) {
        String first = walked.putIfAbsent(o, prefix);
        if (open.containsKey(o)) {
          throw new WeightFileException(file, layer, at, "a container holds itself (a reference loop from '"
              + (first.isEmpty() ? "the top" : first) + "' back to it at '" + prefix + "')");
        }
        if (first != null) {
          throw new WeightFileException(file, layer, at, "the same container is reached twice, at '"
              + (first.isEmpty() ? "the top" : first) + "' and at '" + prefix + "' (memo references: a weight "
              + "file holds each layer once; refusing to walk it again)");
        }
        open.put(o, Boolean.TRUE);
      }
      try {
        walk(o, prefix, depth, layer, at);
      } finally {
        if (container) {
          open.remove(o);
        }
      }
    }

    private void walk(Object o, String prefix, int depth, String layer, long at) throws WeightFileException {
      if (o instanceof Unpickler.NdArray a) {
        if (a.objects != null) {
          // np.save of a dict: a 0-d object array around it
          if (a.shape.length == 0) {
            collect(a.objects.get(0), prefix, depth + 1);
          } else {
            collect(new ArrayList<>(a.objects), prefix, depth + 1);
          }
          return;
        }
        if (a.floats == null) {
          throw new WeightFileException(file, layer, at, "array was never given its data");
        }
        add(prefix.isEmpty() ? "array" : prefix, a, layer, at);
        return;
      }
      if (o instanceof Map<?, ?> map) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
          String key = SafeText.name(String.valueOf(e.getKey()));
          Object v = e.getValue();
          if (depth <= 1 && prefix.isEmpty()) {
            if (v instanceof List<?>) {
              layout.lists = true;
            } else if (v instanceof Map<?, ?>) {
              layout.dicts = true;
            } else {
              layout.flat = true;
            }
          }
          String child = prefix.isEmpty() ? (v instanceof Unpickler.NdArray ? canonicalName(key) : key)
              : prefix + "/" + key;
          collect(v, child, depth + 1);
        }
        return;
      }
      if (o instanceof List<?> || o instanceof Unpickler.Tuple) {
        List<?> items = o instanceof Unpickler.Tuple t ? Arrays.asList(t.items()) : (List<?>) o;
        for (int i = 0; i < items.size(); i++) {
          String param = i == 0 ? "weights" : i == 1 ? "biases" : "param" + i;
          collect(items.get(i), prefix.isEmpty() ? param : prefix + "/" + param, depth + 1);
        }
        return;
      }
      throw new WeightFileException(file, layer, at, "expected arrays, lists or dicts, found a "
          + Unpickler.typeName(o) + (prefix.isEmpty() ? " at the top" : " at '" + prefix + "'"));
    }

    /** One name for an array; an array reached again under another name is the same data, not a copy. */
    private void add(String name, Unpickler.NdArray a, String layer, long at) throws WeightFileException {
      if (arrays.size() >= MAX_ARRAYS) {
        throw new WeightFileException(file, layer, at, "holds more than " + MAX_ARRAYS
            + " arrays (AlexNet has 16; refusing: corrupt, or built to exhaust memory)");
      }
      elements += a.floats.length;
      if (elements > Math.max(fileBytes, 1)) {
        throw new WeightFileException(file, layer, at, "its arrays describe " + elements + " values in all but the "
            + "file holds " + fileBytes + " bytes (one array reached under many names; refusing)");
      }
      WeightArray array = read.computeIfAbsent(a, x -> new WeightArray(x.shape, x.floats, x.dtype.descr(),
          x.fortran));
      if (arrays.putIfAbsent(name, array) != null) {
        throw new WeightFileException(file, layer, at, "array '" + name + "' appears twice");
      }
    }
  }

  /** Maps the common flat spellings to {@code layer/param}: conv1_W, conv1_b, conv1_weights, conv1/weights. */
  static String canonicalName(String name) {
    for (String[] suffix : new String[][] {{"_W", "weights"}, {"_b", "biases"}, {"_weights", "weights"},
        {"_biases", "biases"}}) {
      if (name.endsWith(suffix[0]) && name.length() > suffix[0].length() && !name.contains("/")) {
        return name.substring(0, name.length() - suffix[0].length()) + "/" + suffix[1];
      }
    }
    return name;
  }

  private static boolean startsWith(byte[] data, byte[] prefix) {
    return data.length >= prefix.length && Arrays.equals(Arrays.copyOf(data, prefix.length), prefix);
  }

  private static String fileStem(Path path) {
    String n = path.getFileName().toString();
    int dot = n.indexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }

  private static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      sb.append(String.format("%02x ", x));
    }
    return sb.toString().trim();
  }

  /** Counts compressed bytes consumed, for progress and for error offsets. */
  private static final class CountingInputStream extends FilterInputStream {
    private final long total;
    private final ProgressListener progress;
    private long count;

    CountingInputStream(InputStream in, long total, ProgressListener progress) {
      super(in);
      this.total = total;
      this.progress = progress;
    }

    long count() {
      return count;
    }

    /** No marks: a reset would count bytes twice (gzip pushes back what it read past a member's end). */
    @Override
    public boolean markSupported() {
      return false;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
        progress.progress(count, total);
      }
      return n;
    }
  }
}
