package org.alexnettfj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The outside report, through the commands a user runs: a hostile weight file makes {@code inspect},
 * {@code convert} and {@code predict} fail at once with the reader's one-line error and exit 1, writing nothing;
 * no OutOfMemoryError, stack overflow or trace comes out.
 */
class HostileWeightFilesTest {

  private static final Path FIXTURES = Path.of("../weights/src/test/resources/fixtures");
  private static final Path IMAGE = Path.of("../data/src/test/resources/images/zebra.jpeg");

  @TempDir
  static Path tmp;

  static List<Path> files() throws Exception {
    List<Path> files = new ArrayList<>();
    for (String bomb : new String[] {"memo-bomb-10x6.npy", "memo-bomb-30x6.npy", "memo-bomb-100x5.npy"}) {
      files.add(FIXTURES.resolve("hostile").resolve(bomb));
    }
    // 200,000 levels of TUPLE1 around an empty list
    ByteArrayOutputStream deep = new ByteArrayOutputStream();
    deep.write(new byte[] {(byte) 0x80, 2, ']'});
    for (int i = 0; i < 200_000; i++) {
      deep.write(0x85);
    }
    deep.write('.');
    files.add(Files.write(tmp.resolve("deep.npy"), deep.toByteArray()));
    // a dict of 1,000,000 keys, every value the same empty list (memo 0)
    ByteArrayOutputStream wide = new ByteArrayOutputStream();
    wide.write(new byte[] {(byte) 0x80, 2, '}', ']', 'q', 0, '0'});
    for (int i = 0; i < 1_000_000; i++) {
      byte[] key = String.format("k%07d", i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      wide.write('U');
      wide.write(key.length);
      wide.write(key);
      wide.write(new byte[] {'h', 0, 's'});
    }
    wide.write('.');
    files.add(Files.write(tmp.resolve("wide.npy"), wide.toByteArray()));
    return files;
  }

  @BeforeAll
  static void warmUp() {
    Run.of("inspect", FIXTURES.resolve("bvlc-mini-py2.npy").toString());
  }

  @ParameterizedTest(name = "inspect {0}")
  @MethodSource("files")
  void inspectRefusesAtOnce(Path file) {
    long start = System.nanoTime();
    Run r = Run.of("inspect", file.toString());
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertRefused(r, "inspect", file);
    assertThat(ms).as("inspect of %s took %d ms", file, ms).isLessThan(1000);
  }

  @ParameterizedTest(name = "convert {0}")
  @MethodSource("files")
  void convertRefusesAndWritesNothing(Path file) throws Exception {
    Path out = tmp.resolve("out-" + file.getFileName() + ".npz");
    Run r = Run.of("convert", file.toString(), out.toString());
    assertRefused(r, "convert", file);
    assertThat(out).doesNotExist();
    try (var left = Files.list(tmp)) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("out-"));
    }
  }

  @ParameterizedTest(name = "predict {0}")
  @MethodSource("files")
  void predictRefusesTheWeights(Path file) {
    Run r = Run.of("predict", "--weights", file.toString(), IMAGE.toString());
    assertRefused(r, "predict", file);
    assertThat(r.out()).isEmpty();
  }

  private static void assertRefused(Run r, String command, Path file) {
    assertThat(r.code()).as(r.err()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(r.err().strip()).as("one line").doesNotContain("\n").startsWith("alexnet " + command + ": ")
        .contains(file.toString()).doesNotContain("Exception").doesNotContain("Error");
  }
}
