package org.alexnettfj.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Mutated images, seeded (truncations, bit flips, inflated length fields, inserted bytes): each decodes or ends in
 * the decoder's own {@link ImageDecodeException} naming the image — never another exception or a hang — and no
 * case takes over a second. 100 cases per fixture by default; {@code -Dalexnet.fuzz.cases=100000} for a long run.
 */
class ImageDecoderFuzzTest {

  private static final int CASES = Integer.getInteger("alexnet.fuzz.cases", 100);
  private static final long SLOWEST_NANOS = 1_000_000_000L;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"small.jpg", "cmyk.jpg", "orientation-6.jpg", "small.png", "gray16.png",
      "palette-trns.png", "small.gif", "small.bmp", "palette8.bmp"})
  void mutatedImagesDecodeOrFailCleanly(String fixture) throws Exception {
    byte[] original = Files.readAllBytes(Fixtures.decode(fixture));
    Random rnd = new Random(fixture.hashCode());
    int[] outcomes = new int[2];
    long[] slowest = {0};
    Assertions.assertTimeoutPreemptively(Duration.ofSeconds(Math.max(60, CASES / 10)), () -> {
      for (int i = 0; i < CASES; i++) {
        byte[] mutated = mutate(original, rnd);
        if (fixture.endsWith(".png") && rnd.nextBoolean()) {
          resealPng(mutated);   // past the CRC check, into the decoder itself
        }
        String name = "case" + i + "-" + fixture;
        long start = System.nanoTime();
        try {
          ImageDecoder.DEFAULT.decode(mutated, name);
          outcomes[0]++;
        } catch (ImageDecodeException e) {
          assertThat(e.getMessage()).as("the error names the image").contains(name);
          outcomes[1]++;
        } catch (RuntimeException | Error e) {
          fail("case " + i + " of " + fixture + " escaped as " + e, e);
        }
        long took = System.nanoTime() - start;
        slowest[0] = Math.max(slowest[0], took);
        if (took > SLOWEST_NANOS) {
          fail("case " + i + " of " + fixture + " took " + took / 1_000_000 + " ms (at most 1 s)");
        }
      }
    });
    System.out.printf("fuzz %s: %d cases, %d decoded, %d refused, slowest %.1f ms%n", fixture, CASES, outcomes[0],
        outcomes[1], slowest[0] / 1e6);
    assertThat(outcomes[1]).as("some mutations must be caught").isPositive();
  }

  /** Recomputes each chunk's CRC as far as the chunk lengths can be followed. */
  static void resealPng(byte[] b) {
    int at = 8;
    while (at + 12 <= b.length) {
      long length = ((b[at] & 0xffL) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8)
          | (b[at + 3] & 0xff);
      if (at + 12 + length > b.length) {
        return;
      }
      java.util.zip.CRC32 crc = new java.util.zip.CRC32();
      crc.update(b, at + 4, (int) length + 4);
      int c = at + 8 + (int) length;
      long v = crc.getValue();
      b[c] = (byte) (v >>> 24);
      b[c + 1] = (byte) (v >>> 16);
      b[c + 2] = (byte) (v >>> 8);
      b[c + 3] = (byte) v;
      at = c + 4;
    }
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
        // a length or size field: 2 or 4 bytes overwritten with a huge or random value
        int at = rnd.nextInt(Math.max(1, b.length - 4));
        int v = rnd.nextBoolean() ? 0x7fffffff : rnd.nextInt();
        int width = rnd.nextBoolean() ? 2 : 4;
        for (int k = 0; k < width && at + k < b.length; k++) {
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
