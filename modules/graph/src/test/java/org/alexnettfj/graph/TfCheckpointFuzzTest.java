package org.alexnettfj.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.alexnettfj.weights.WeightArray;
import org.alexnettfj.weights.WeightFileException;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint's index (the table TensorFlow's reader parses) and data file mutated, seeded: each read gives the
 * arrays or the reader's own {@link WeightFileException} naming the file — never another exception, a crash or a
 * hang — in at most a second. 300 cases by default; {@code -Dalexnet.fuzz.cases=100000} for a long run.
 */
class TfCheckpointFuzzTest {

  private static final int CASES = Integer.getInteger("alexnet.fuzz.cases", 300);

  @TempDir
  Path dir;

  @Test
  void mutatedCheckpointsReadOrFailCleanly() throws Exception {
    Map<String, WeightArray> arrays = new LinkedHashMap<>();
    arrays.put("conv1/weights", WeightArray.of(new int[] {2, 2, 3, 4}, new float[48]));
    arrays.put("conv1/biases", WeightArray.of(new int[] {4}, new float[] {1, 2, 3, 4}));
    arrays.put("fc8/weights", WeightArray.of(new int[] {4, 3}, new float[12]));
    Path good = dir.resolve("good/model.ckpt");
    TfCheckpoint.write(good, arrays, false);
    byte[] index = Files.readAllBytes(Path.of(good + TfCheckpoint.INDEX));
    byte[] data = Files.readAllBytes(Path.of(good + TfCheckpoint.DATA));
    Random rnd = new Random(17);
    int[] outcomes = new int[2];
    long[] slowest = {0};
    Assertions.assertTimeoutPreemptively(Duration.ofSeconds(Math.max(60, CASES / 10)), () -> {
      for (int i = 0; i < CASES; i++) {
        Path prefix = dir.resolve("m" + (i % 4) + "/model.ckpt");
        Files.createDirectories(prefix.getParent());
        boolean inIndex = rnd.nextInt(4) != 0;
        Files.write(Path.of(prefix + TfCheckpoint.INDEX), inIndex ? mutate(index, rnd) : index);
        Files.write(Path.of(prefix + TfCheckpoint.DATA), inIndex ? data : mutate(data, rnd));
        long start = System.nanoTime();
        try {
          TfCheckpoint.read(prefix);
          outcomes[0]++;
        } catch (WeightFileException e) {
          assertThat(e.getMessage()).as("the error names the checkpoint").contains(prefix.getParent().toString());
          outcomes[1]++;
        } catch (Exception | Error e) {
          fail("case " + i + " (" + (inIndex ? "index" : "data") + ") escaped as " + e, e);
        }
        long took = System.nanoTime() - start;
        slowest[0] = Math.max(slowest[0], took);
        if (took > 1_000_000_000L) {
          fail("case " + i + " took " + took / 1_000_000 + " ms (at most 1 s)");
        }
      }
    });
    System.out.printf("fuzz checkpoint: %d cases, %d read, %d refused, slowest %.1f ms%n", CASES, outcomes[0],
        outcomes[1], slowest[0] / 1e6);
    assertThat(outcomes[1]).as("some mutations must be caught").isPositive();
  }

  private static byte[] mutate(byte[] in, Random rnd) {
    byte[] b = in.clone();
    switch (rnd.nextInt(4)) {
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
        int at = rnd.nextInt(Math.max(1, b.length - 4));
        int v = rnd.nextBoolean() ? 0x7fffffff : rnd.nextInt();
        for (int k = 0; k < 4 && at + k < b.length; k++) {
          b[at + k] = (byte) (v >>> (8 * k));
        }
      }
      default -> {
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
