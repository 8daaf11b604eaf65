package org.alexnettfj.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.alexnettfj.data.BgrImage;
import org.alexnettfj.data.ImageDecodeException;
import org.alexnettfj.data.ImageDecoder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TensorFlow's libjpeg-turbo against the JDK's libjpeg 6b (whose output the data module checks against real
 * {@code cv2.imread}): the same bytes at full size, a box-filtered image at 1/2-1/8, and the JDK's answer for
 * whatever it does not decode.
 */
class TfJpegDecoderTest {

  private static final Path IMAGES = Path.of("../data/src/test/resources/images");
  private static final Path DECODE = Path.of("../data/src/test/resources/decode");

  private static TfJpegDecoder jpeg;

  @TempDir
  Path temp;

  @BeforeAll
  static void open() {
    jpeg = new TfJpegDecoder();
  }

  @AfterAll
  static void close() {
    jpeg.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"images/llama.jpeg", "images/sealion.jpeg", "images/zebra.jpeg", "decode/small.jpg",
      "decode/gray.jpg", "decode/orientation-1.jpg"})
  void atFullSizeGivesTheSameBytesAsTheJdkReader(String name) throws Exception {
    Path file = IMAGES.resolveSibling(name);
    BgrImage tf = jpeg.decode(Files.readAllBytes(file), 1);
    assertThat(tf).isEqualTo(ImageDecoder.DEFAULT.decode(file));
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 4, 8})
  void scaledDownIsCloseToTheFullDecodeAveragedOverBlocks(int scale) throws Exception {
    Path file = IMAGES.resolve("zebra.jpeg");   // 500 x 375, stripes: the hardest of the three to shrink
    BgrImage full = ImageDecoder.DEFAULT.decode(file);
    BgrImage scaled = jpeg.decode(Files.readAllBytes(file), scale);
    assertThat(scaled.width()).isEqualTo((500 + scale - 1) / scale);
    assertThat(scaled.height()).isEqualTo((375 + scale - 1) / scale);
    // DCT scaling keeps the low frequencies of each 8 x 8 block: about a box filter, not exactly one.
    // Measured: a mean |difference| of 0.45-0.47 levels at 1/2, 1/4 and 1/8.
    assertThat(meanDifference(scaled, full, scale)).isLessThan(1.5);
  }

  @Test
  void aLargePhotoHandedOverByImageDecoderIsScaledAndTurnedUpright() throws Exception {
    Path photo = IMAGES.resolve("sealion.jpeg");   // 500 x 375
    assertThat(ImageDecoder.DEFAULT.withJpegDecoder(jpeg, 150).decode(photo))
        .isEqualTo(jpeg.decode(Files.readAllBytes(photo), 2));
    assertThat(ImageDecoder.DEFAULT.withJpegDecoder(jpeg, 189).decode(photo))
        .as("under twice the floor: the JDK's reader").isEqualTo(ImageDecoder.DEFAULT.decode(photo));
    // orientation 6 (turn 90 degrees clockwise) of a 125 x 84 photo, at 1/2: 42 x 63, upright
    Path rotated = DECODE.resolve("orientation-6.jpg");
    BgrImage scaled = ImageDecoder.DEFAULT.withJpegDecoder(jpeg, 40).decode(rotated);
    BgrImage upright = ImageDecoder.DEFAULT.decode(rotated);
    assertThat(scaled.width()).isEqualTo(42);
    assertThat(scaled.height()).isEqualTo(63);
    assertThat(meanDifference(scaled, upright, 2)).as("measured 0.55").isLessThan(1.5);
  }

  @Test
  void whatItCannotDecodeTheJdkReaderDecodesOrRefusesWithItsOwnMessage() throws Exception {
    ImageDecoder training = ImageDecoder.DEFAULT.withJpegDecoder(jpeg, 1);
    Path truncated = DECODE.resolve("truncated.jpg");
    assertThatThrownBy(() -> jpeg.decode(Files.readAllBytes(truncated), 1)).isInstanceOf(RuntimeException.class);
    assertThatThrownBy(() -> training.decode(truncated))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageStartingWith(truncated + ": truncated or corrupt JPEG");
    assertThat(training.withAllowTruncated(true).decode(truncated))
        .isEqualTo(ImageDecoder.DEFAULT.withAllowTruncated(true).decode(truncated));
    // a frame header libjpeg refuses (sampling factors 0), though the file is whole: TensorFlow's error is
    // dropped and the JDK's reader names the problem
    Path bogus = temp.resolve("bogus.jpg");
    byte[] bytes = Files.readAllBytes(IMAGES.resolve("llama.jpeg"));
    int sof = 2;
    while ((bytes[sof + 1] & 0xff) != 0xc0) {
      sof += 2 + (((bytes[sof + 2] & 0xff) << 8) | (bytes[sof + 3] & 0xff));
    }
    bytes[sof + 11] = 0;   // component 1's sampling factors
    Files.write(bogus, bytes);
    assertThatThrownBy(() -> jpeg.decode(bytes, 2)).isInstanceOf(RuntimeException.class);
    assertThatThrownBy(() -> training.decode(bogus)).isInstanceOf(ImageDecodeException.class)
        .hasMessage(exactError(bogus));
    Path text = DECODE.resolve("text.jpg");
    assertThatThrownBy(() -> training.decode(text)).isInstanceOf(ImageDecodeException.class)
        .hasMessage(exactError(text));
    for (String other : List.of("cmyk.jpg", "small.png", "small.gif")) {
      assertThat(training.decode(DECODE.resolve(other))).as(other)
          .isEqualTo(ImageDecoder.DEFAULT.decode(DECODE.resolve(other)));
    }
  }

  @Test
  void decodesFromSeveralThreadsAtOnce() throws Exception {
    List<byte[]> photos = new ArrayList<>();
    List<BgrImage> expected = new ArrayList<>();
    for (String name : List.of("llama.jpeg", "sealion.jpeg", "zebra.jpeg")) {
      photos.add(Files.readAllBytes(IMAGES.resolve(name)));
      expected.add(ImageDecoder.DEFAULT.decode(IMAGES.resolve(name)));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int task = 0; task < 60; task++) {
        int k = task % 3;
        results.add(pool.submit(() -> jpeg.decode(photos.get(k), 1).equals(expected.get(k))));
      }
      for (Future<Boolean> r : results) {
        assertThat(r.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void refusesAScaleLibjpegCannot() {
    assertThatThrownBy(() -> jpeg.decode(new byte[] {(byte) 0xff, (byte) 0xd8}, 3))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("scale must be 1, 2, 4 or 8, got 3");
  }

  private static String exactError(Path file) {
    try {
      ImageDecoder.DEFAULT.decode(file);
      throw new AssertionError(file + " decoded");
    } catch (ImageDecodeException e) {
      return e.getMessage();
    }
  }

  /** Mean |difference| of {@code scaled} against {@code full}'s scale x scale block means, edge blocks left out. */
  private static double meanDifference(BgrImage scaled, BgrImage full, int scale) {
    double sum = 0;
    int n = 0;
    for (int y = 0; y < scaled.height() - 1; y++) {
      for (int x = 0; x < scaled.width() - 1; x++) {
        for (int c = 0; c < 3; c++) {
          sum += Math.abs(scaled.get(y, x, c) - boxMean(full, y, x, c, scale));
          n++;
        }
      }
    }
    return sum / n;
  }

  private static double boxMean(BgrImage img, int y, int x, int c, int scale) {
    double sum = 0;
    for (int dy = 0; dy < scale; dy++) {
      for (int dx = 0; dx < scale; dx++) {
        sum += img.get(y * scale + dy, x * scale + dx, c);
      }
    }
    return sum / (scale * scale);
  }
}
