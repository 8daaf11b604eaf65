package org.alexnettfj.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutates valid fixtures thousands of times, seeded (truncations, bit flips, inflated length fields, inserted
 * bytes): every outcome must be a clean result or the reader's own {@link WeightFileException} — never another
 * exception, an OutOfMemoryError, a stack overflow or a hang — and no case may take over a second. 600 cases per
 * fixture by default; {@code mvn -B test -pl modules/weights -Dtest=WeightReaderFuzzTest -Dalexnet.fuzz.cases=
 * 100000} for a long run.
 */
class WeightReaderFuzzTest {

  private static final int MUTATIONS = Integer.getInteger("alexnet.fuzz.cases", 600);
  private static final long SLOWEST_NANOS = 1_000_000_000L;

  @TempDir
  Path tmp;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bvlc-mini-py2.npy", "bvlc-mini-p2py3-np1.npy", "bvlc-mini-npsave-np2.npy",
      "bvlc-mini-oihw-views-p5-np2.npy", "caffe-tf-dict-of-dicts-bytes-keys-np1.npy",
      "bvlc-mini-savez-underscore-np1.npz", "bvlc-mini-savez-compressed-slash-np2.npz", "bvlc-mini-py2.npy.gz",
      "plain-f4-fortran.npy", "real/facenet-det1.npy", "hostile/memo-bomb-10x6.npy",
      "caffe/alexnet-mini-v1.caffemodel", "caffe/v2-unpacked-shape.caffemodel"})
  void mutatedFixturesEitherReadOrFailCleanly(String fixture) throws Exception {
    byte[] original = Files.readAllBytes(Fixtures.file(fixture));
    Random rnd = new Random(fixture.hashCode());
    int[] outcomes = new int[2];
    long[] slowest = {0};
    Assertions.assertTimeoutPreemptively(Duration.ofSeconds(Math.max(60, MUTATIONS / 10)), () -> {
      for (int i = 0; i < MUTATIONS; i++) {
        byte[] mutated = mutate(original, rnd);
        Path p = tmp.resolve("m" + (i % 8) + suffix(fixture));
        Files.write(p, mutated);
        long start = System.nanoTime();
        try {
          WeightReader.read(p);
          outcomes[0]++;
        } catch (WeightFileException e) {
          assertThat(e.getMessage()).as("error names the file").contains(p.toString());
          outcomes[1]++;
        } catch (IOException | RuntimeException | Error e) {
          fail("mutation " + i + " of " + fixture + " escaped as " + e, e);
        }
        long took = System.nanoTime() - start;
        slowest[0] = Math.max(slowest[0], took);
        if (took > SLOWEST_NANOS) {
          fail("mutation " + i + " of " + fixture + " took " + took / 1_000_000 + " ms (at most 1 s)");
        }
      }
    });
    System.out.printf("fuzz %s: %d cases, %d read, %d refused, slowest %.1f ms%n", fixture, MUTATIONS, outcomes[0],
        outcomes[1], slowest[0] / 1e6);
    assertThat(outcomes[0] + outcomes[1]).isEqualTo(MUTATIONS);
    assertThat(outcomes[1]).as("most mutations must be detected").isGreaterThan(MUTATIONS / 10);
  }

  private static String suffix(String fixture) {
    return fixture.substring(fixture.indexOf('.'));
  }

  private static byte[] mutate(byte[] in, Random rnd) {
    byte[] b = in.clone();
    switch (rnd.nextInt(5)) {
      case 0 -> {
        return java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
      }
      case 1 -> {
        for (int k = 1 + rnd.nextInt(4); k > 0; k--) {
          int at = rnd.nextInt(b.length);
          b[at] ^= (byte) (1 << rnd.nextInt(8));
        }
      }
      case 2 -> {
        // a length-like field: 4 or 8 bytes overwritten with a huge, negative or off-by-some value
        int at = rnd.nextInt(Math.max(1, b.length - 8));
        long v = switch (rnd.nextInt(4)) {
          case 0 -> 0x7fff_ffffL;
          case 1 -> -1L;
          case 2 -> rnd.nextLong();
          default -> rnd.nextInt(1 << 20);
        };
        int width = rnd.nextBoolean() ? 4 : 8;
        for (int k = 0; k < width && at + k < b.length; k++) {
          b[at + k] = (byte) (v >>> (8 * k));
        }
      }
      case 3 -> {
        // an opcode-sized byte replaced by a random one
        b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
      }
      default -> {
        // 1 to 16 random bytes inserted: every offset after them shifts
        int at = rnd.nextInt(b.length + 1);
        byte[] extra = new byte[1 + rnd.nextInt(16)];
        rnd.nextBytes(extra);
        byte[] out = new byte[b.length + extra.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(extra, 0, out, at, extra.length);
        System.arraycopy(b, at, out, at + extra.length, b.length - at);
        return out;
      }
    }
    return b;
  }
}
