package org.alexnettfj.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A weight file is untrusted input: whatever it holds, reading it takes time and memory bounded by its size and by
 * what AlexNet needs, and the rest is refused with the reader's own one-line error. Each hostile file here must be
 * refused in under a second having allocated under 100 MB (counted by the JVM for this thread), through both
 * {@link WeightReader#read} and {@link AlexNetWeights#load}.
 */
class BoundedReadingTest {

  private static final long MAX_ALLOCATED = 100L << 20;
  private static final long MAX_NANOS = 1_000_000_000L;

  @TempDir
  Path tmp;

  /** The outside report's shape, written by Python 2's cPickle (tools/fixtures/make_hostile.py). */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"memo-bomb-10x6.npy", "memo-bomb-30x6.npy", "memo-bomb-100x5.npy"})
  void aMemoBombIsRefusedAtTheFirstSharedList(String name) throws Exception {
    Path bomb = Fixtures.file("hostile/" + name);
    String message = refusedQuickly(bomb);
    assertThat(message).contains("the same container is reached twice").contains("conv1/weights")
        .contains("at byte ");
  }

  @Test
  void nestingTwoHundredThousandLevelsDeepIsRefused() throws Exception {
    // TUPLE1 200,000 times around an empty list: the stack never grows, the nesting does
    PickleBytes tuples = new PickleBytes().proto(2).op(']');
    for (int i = 0; i < 200_000; i++) {
      tuples.op(0x85);
    }
    Path deepTuples = write("deep-tuples.pkl", tuples.op('.').bytes());
    assertThat(refusedQuickly(deepTuples)).contains("more than " + Unpickler.MAX_ITEMS + " containers");

    // 200,000 empty lists, then as many APPENDs would nest them: stopped before the first APPEND
    PickleBytes lists = new PickleBytes().proto(2);
    for (int i = 0; i < 200_000; i++) {
      lists.op(']');
    }
    Path deepLists = write("deep-lists.pkl", lists.op('.').bytes());
    assertThat(refusedQuickly(deepLists)).containsAnyOf("stack grew beyond " + Unpickler.MAX_STACK,
        "more than " + Unpickler.MAX_ITEMS + " containers");
  }

  @Test
  void nestingDeeperThanTheBoundIsRefusedByTheWalk() throws Exception {
    // {'a': {'a': ... {'a': array}}}, 20 dicts: few objects, too deep for a weight file
    PickleBytes p = new PickleBytes().proto(2);
    for (int i = 0; i < 20; i++) {
      p.op('}').shortBinString("a");
    }
    p.floatArray(new int[] {1}, new float[] {1f});
    for (int i = 0; i < 20; i++) {
      p.op('s');
    }
    Path deep = write("deep-dicts.pkl", p.op('.').bytes());
    assertThat(refusedQuickly(deep)).contains("nested more than " + WeightReader.MAX_DEPTH + " deep");
  }

  @Test
  void aWideDictIsRefused() throws Exception {
    // one array under 1,000,000 keys, each a SETITEM of a memo reference (11 MB of pickle)
    PickleBytes p = new PickleBytes().proto(2).op('}');
    p.floatArray(new int[] {1}, new float[] {1f}).op('q', 0).op('0');
    for (int i = 0; i < 1_000_000; i++) {
      p.shortBinString(String.format("k%07d", i)).op('h', 0, 's');
    }
    Path wide = write("wide-dict.pkl", p.op('.').bytes());
    assertThat(refusedQuickly(wide)).contains("containers and container items");

    // the same keys inside one MARK (SETITEMS): bounded by the stack
    PickleBytes marked = new PickleBytes().proto(2).op('}');
    marked.floatArray(new int[] {1}, new float[] {1f}).op('q', 0).op('0', '(');
    for (int i = 0; i < 1_000_000; i++) {
      marked.shortBinString(String.format("k%07d", i)).op('h', 0);
    }
    Path wideMarked = write("wide-dict-marked.pkl", marked.op('u', '.').bytes());
    assertThat(refusedQuickly(wideMarked)).contains("stack grew beyond");
  }

  @Test
  void moreArraysThanTheBoundAreRefused() throws Exception {
    PickleBytes p = new PickleBytes().proto(2).op('}');
    for (int i = 0; i < WeightReader.MAX_ARRAYS + 10; i++) {
      p.shortBinString("layer" + i).floatArray(new int[] {1}, new float[] {i}).op('s');
    }
    Path many = write("many-arrays.pkl", p.op('.').bytes());
    assertThat(refusedQuickly(many)).contains("more than " + WeightReader.MAX_ARRAYS + " arrays");
  }

  @Test
  void oneByteStringIsDecodedIntoOneArrayOnly() throws Exception {
    // a 64 KB payload memoised once and handed to 1000 arrays through BINGET: 64 MB of floats from a 70 KB file
    float[] values = new float[16384];
    Arrays.fill(values, 2f);
    byte[] payload = littleEndian(values);
    PickleBytes p = new PickleBytes().proto(2).op('}');
    p.binString(payload).op('q', 1).op('0');
    for (int i = 0; i < 1000; i++) {
      p.shortBinString("layer" + i);
      arrayWithData(p, 16384, () -> p.op('h', 1));
      p.op('s');
    }
    Path shared = write("shared-payload.pkl", p.op('.').bytes());
    assertThat(refusedQuickly(shared)).contains("one byte string is used for more than one array");
  }

  @Test
  void oneArrayUnderTwoNamesIsReadOnceAndBothNamesGiven() throws Exception {
    PickleBytes p = new PickleBytes().proto(2).op('}');
    p.shortBinString("fc7").floatArray(new int[] {2}, new float[] {3f, 4f}).op('q', 0, 's');
    p.shortBinString("fc7_copy").op('h', 0, 's');
    WeightFile file = WeightReader.read(write("alias.pkl", p.op('.').bytes()));
    assertThat(file.arrays().keySet()).containsExactly("fc7", "fc7_copy");
    assertThat(file.array("fc7").data()).containsExactly(3f, 4f);
    assertThat(file.array("fc7_copy")).isSameAs(file.array("fc7"));
  }

  @Test
  void oneArrayUnderMoreNamesThanTheFileHasBytesIsRefused() throws Exception {
    // 1000 names for one 4096-value array: 4 million values described by a 30 KB file
    float[] values = new float[4096];
    PickleBytes p = new PickleBytes().proto(2).op('}');
    p.shortBinString("a0").floatArray(new int[] {4096}, values).op('q', 0, 's');
    for (int i = 1; i < 1000; i++) {
      p.shortBinString("a" + i).op('h', 0, 's');
    }
    Path aliased = write("aliased.pkl", p.op('.').bytes());
    assertThat(refusedQuickly(aliased)).contains("values in all but the file holds");
  }

  @Test
  void anNpzDeclaringMoreEntriesThanTheBoundIsRefusedBeforeItsDirectoryIsRead() throws Exception {
    Path npz = tmp.resolve("many.npz");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(npz))) {
      for (int i = 0; i < WeightReader.MAX_NPZ_ENTRIES + 1; i++) {
        zip.putNextEntry(new ZipEntry("a" + i + ".npy"));
        zip.closeEntry();
      }
    }
    assertThat(refusedQuickly(npz)).contains("declares " + (WeightReader.MAX_NPZ_ENTRIES + 1) + " entries");

    // an end record that claims 65,535 entries over a directory of a few
    Path liar = tmp.resolve("liar.npz");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(liar))) {
      zip.putNextEntry(new ZipEntry("conv1_W.npy"));
      zip.closeEntry();
    }
    byte[] b = Files.readAllBytes(liar);
    int eocd = b.length - 22;
    b[eocd + 8] = b[eocd + 9] = b[eocd + 10] = b[eocd + 11] = (byte) 0xfe;
    Files.write(liar, b);
    assertThat(refusedQuickly(liar)).contains("entries");
  }

  @Test
  void anNpzWhoseEntriesDeclareMoreThanTheUnpackLimitIsRefused() throws Exception {
    // three stored entries, each claiming 1 GiB in the central directory (the data itself is tiny)
    Path npz = tmp.resolve("huge.npz");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(npz))) {
      for (int i = 0; i < 3; i++) {
        zip.putNextEntry(new ZipEntry("a" + i + ".npy"));
        zip.write(new byte[] {1, 2, 3});
        zip.closeEntry();
      }
    }
    byte[] b = Files.readAllBytes(npz);
    for (int at = 0; at + 46 < b.length; at++) {
      if (ByteBuffer.wrap(b, at, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() == 0x02014b50) {
        ByteBuffer.wrap(b, at + 24, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(1 << 30);
      }
    }
    Files.write(npz, b);
    assertThat(refusedQuickly(npz)).containsAnyOf("unpack to", "claims", "bomb");
  }

  @Test
  void aCaffeModelWithTooManyLayersOrBlobsIsRefused() throws Exception {
    ByteArrayOutputStream layers = new ByteArrayOutputStream();
    for (int i = 0; i < CaffeReader.MAX_LAYERS + 5; i++) {
      layers.write(new byte[] {0x12, 0x00}); // V1 'layers', empty
    }
    Path manyLayers = write("many-layers.caffemodel", layers.toByteArray());
    assertThat(refusedQuickly(manyLayers)).contains("more than " + CaffeReader.MAX_LAYERS + " layers");

    ByteArrayOutputStream layer = new ByteArrayOutputStream();
    for (int i = 0; i < CaffeReader.MAX_BLOBS + 5; i++) {
      layer.write(new byte[] {0x32, 0x00}); // V1 blobs (field 6), empty
    }
    ByteArrayOutputStream net = new ByteArrayOutputStream();
    net.write(0x12);
    net.write(0x80 | (layer.size() & 0x7f)); // a two-byte varint length
    net.write(layer.size() >> 7);
    net.write(layer.toByteArray());
    Path manyBlobs = write("many-blobs.caffemodel", net.toByteArray());
    assertThat(refusedQuickly(manyBlobs)).contains("more than " + CaffeReader.MAX_BLOBS + " blobs");
  }

  @Test
  void textFromTheFileIsEscapedAndCutBeforeItIsPrinted() throws Exception {
    Path global = write("global.pkl", new PickleBytes().proto(2)
        .global("os\u001b[2J", "system\u0007").op('.').bytes());
    assertSafe(refused(global), "os\\x1b[2J");

    String longKey = "fc8\u001b]0;owned\u0007\r\n" + "x".repeat(3000);
    PickleBytes p = new PickleBytes().proto(2).op('}').unicode(longKey).binInt(5).op('s', '.');
    String message = refused(write("key.pkl", p.bytes()));
    assertSafe(message, "fc8\\x1b]0;owned\\x07\\x0d\\x0a");
    assertThat(message.length()).isLessThan(1000);

    byte[] npy = ("\u0093NUMPY\u0001\u0000" + "\u0020\u0000" + "{'descr': '\u001b[31m<f4'}          \n")
        .getBytes(StandardCharsets.ISO_8859_1);
    assertSafe(refused(write("header.npy", npy)), "\\x1b[31m");

    // an accepted file's names are escaped too: inspect prints them
    PickleBytes named = new PickleBytes().proto(2).op('}').unicode("conv1\u001b[1A")
        .floatArray(new int[] {1}, new float[] {1f}).op('s', '.');
    WeightFile file = WeightReader.read(write("named.pkl", named.bytes()));
    assertThat(file.arrays().keySet()).singleElement().satisfies(k -> assertThat(SafeText.isSafe(k)).isTrue());
  }

  @Test
  void aTruncatedGzipSaysWhereTheStreamEnds() throws Exception {
    byte[] whole = Files.readAllBytes(Fixtures.file("bvlc-mini-py2.npy.gz"));
    Path cut = write("cut.npy.gz", Arrays.copyOf(whole, whole.length / 2));
    assertThat(refused(cut)).contains("unexpected end of the compressed stream at byte")
        .contains("truncated").doesNotContain("null");
  }

  @Test
  void aSymbolicLinkLoopIsReportedAsALoop() throws Exception {
    Path a = tmp.resolve("a.npy");
    Path b = tmp.resolve("b.npy");
    Files.createSymbolicLink(a, b);
    Files.createSymbolicLink(b, a);
    assertThat(refused(a)).contains("symbolic link loop").doesNotContain("no such file");
    Path dangling = tmp.resolve("dangling.npy");
    Files.createSymbolicLink(dangling, tmp.resolve("gone.npy"));
    assertThat(refused(dangling)).contains("symbolic link to a missing file").contains("gone.npy");
    assertThat(refused(tmp.resolve("absent.npy"))).endsWith("no such file");
  }

  @Test
  void aGzipBombStopsAtTheUnpackLimit() throws Exception {
    // 96 MiB of zeros in about 100 KB, read under a 32 MiB limit: refused once the limit is passed
    Path bomb = tmp.resolve("zeros.npy.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(bomb), 1 << 16)) {
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 96; i++) {
        out.write(zeros);
      }
    }
    assertThatThrownBy(() -> WeightReader.read(bomb, ProgressListener.NONE, 32L << 20))
        .isInstanceOf(WeightFileException.class).hasMessageContaining("decompresses to more than " + (32L << 20));
    assertThat(WeightReader.DEFAULT_MAX_DECOMPRESSED).isEqualTo(2L << 30);
  }

  // ---- helpers ----

  /** Refused by the reader and by the Java API, each in under a second and 100 MB of allocation. */
  private String refusedQuickly(Path file) throws Exception {
    refused(file); // class loading and the JIT's first pass are not the file's cost
    String message = null;
    for (ThrowingRead read : new ThrowingRead[] {
        () -> WeightReader.read(file), () -> AlexNetWeights.load(file, Set.of(), 1000)}) {
      com.sun.management.ThreadMXBean threads =
          (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long allocated = threads.getCurrentThreadAllocatedBytes();
      long start = System.nanoTime();
      try {
        read.run();
        fail(file + " was accepted");
      } catch (WeightFileException e) {
        message = e.getMessage();
      }
      long nanos = System.nanoTime() - start;
      allocated = threads.getCurrentThreadAllocatedBytes() - allocated;
      assertThat(nanos).as("time to refuse %s: %d ms", file, nanos / 1_000_000).isLessThan(MAX_NANOS);
      assertThat(allocated).as("bytes allocated refusing %s", file).isLessThan(MAX_ALLOCATED);
      assertSafe(message, file.toString());
    }
    return message;
  }

  private static String refused(Path file) {
    try {
      WeightReader.read(file);
    } catch (WeightFileException e) {
      return e.getMessage();
    } catch (IOException | RuntimeException | Error e) {
      fail(file + " escaped as " + e, e);
    }
    return fail(file + " was accepted");
  }

  private static void assertSafe(String message, String mustContain) {
    assertThat(message).contains(mustContain);
    assertThat(message.chars().filter(c -> c < 0x20 || c == 0x7f)).as("control characters in: %s", message)
        .isEmpty();
  }

  private Path write(String name, byte[] bytes) throws IOException {
    Path p = tmp.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  /** numpy's array opcodes, with the data pushed by {@code data} (a memo reference, say). */
  private static void arrayWithData(PickleBytes p, int n, Runnable data) {
    p.global("numpy.core.multiarray", "_reconstruct");
    p.global("numpy", "ndarray");
    p.binInt(0).op(0x85).shortBinString("b").op(0x87, 'R');
    p.op('(').binInt(1).op('(').binInt(n).op('t');
    p.global("numpy", "dtype").shortBinString("f4").binInt(0).binInt(1).op(0x87, 'R');
    p.op('(').binInt(3).shortBinString("<").op('N', 'N', 'N').binInt(-1).binInt(-1).binInt(0).op('t', 'b');
    p.op(0x89);
    data.run();
    p.op('t', 'b');
  }

  private static byte[] littleEndian(float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return b.array();
  }

  private interface ThrowingRead {
    void run() throws IOException;
  }
}
