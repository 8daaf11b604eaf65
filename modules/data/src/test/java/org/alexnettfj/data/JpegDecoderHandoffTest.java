package org.alexnettfj.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What {@link ImageDecoder#withJpegDecoder} hands to the other decoder and what it keeps: the scale it asks for,
 * the formats it never hands over, the pixel limit and EXIF orientation it applies itself, and the JDK's reader
 * when the other decoder fails. A recording stand-in replaces TensorFlow's decoder (tested in the train module).
 */
class JpegDecoderHandoffTest {

  /** Records each call, and answers with the JDK's full decode box-shrunk to the asked scale (or throws). */
  private static final class Recording implements JpegDecoder {
    final List<Integer> scales = new CopyOnWriteArrayList<>();
    final boolean fail;

    Recording(boolean fail) {
      this.fail = fail;
    }

    @Override
    public BgrImage decode(byte[] jpeg, int scale) {
      scales.add(scale);
      if (fail) {
        throw new IllegalStateException("stand-in failure");
      }
      try {
        return shrink(ImageDecoder.DEFAULT.withApplyExifOrientation(false).decode(jpeg, "stand-in"), scale);
      } catch (ImageDecodeException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @ParameterizedTest
  @CsvSource({"4000, 3000, 256, 8", "2048, 1536, 256, 4", "1024, 768, 256, 2", "509, 700, 256, 1",
      "511, 700, 256, 2", "512, 512, 256, 2", "4000, 3000, 227, 8", "2047, 2047, 256, 8", "2041, 2041, 256, 8",
      "2040, 2040, 256, 4", "10, 10, 256, 1"})
  void asksForTheSmallestDecodeThatLeavesBothSidesAtLeastTheResize(int width, int height, int minSide,
      int scale) {
    // libjpeg rounds each scaled side up: 2041 / 8 -> 256, 2040 / 8 -> 255; 511 / 2 -> 256, 509 / 2 -> 255
    assertThat(ImageDecoder.dctScale(width, height, minSide)).isEqualTo(scale);
  }

  @Test
  void decodesALargeJpegAtTheScaleItChoseAndTheResultIsWhatTheDecoderGave(@TempDir Path temp)
      throws IOException, ImageDecodeException {
    Path big = temp.resolve("big.jpg");
    Files.write(big, jpeg(2048, 1536));
    Recording recording = new Recording(false);
    ImageDecoder decoder = ImageDecoder.DEFAULT.withJpegDecoder(recording, 256);
    BgrImage fromFile = decoder.decode(big);
    BgrImage fromBytes = decoder.decode(Files.readAllBytes(big), "big.jpg");
    assertThat(recording.scales).containsExactly(4, 4);
    assertThat(fromFile.width()).isEqualTo(512);
    assertThat(fromFile.height()).isEqualTo(384);
    assertThat(fromBytes).isEqualTo(fromFile)
        .isEqualTo(shrink(ImageDecoder.DEFAULT.decode(big), 4));
  }

  @Test
  void appliesTheExifOrientationToWhatTheDecoderGave() throws ImageDecodeException {
    Recording recording = new Recording(false);
    Path rotated = Fixtures.decode("orientation-6.jpg");
    BgrImage viaStandIn = ImageDecoder.DEFAULT.withJpegDecoder(recording, 1).decode(rotated);
    assertThat(recording.scales).containsExactly(8);
    BgrImage raw = ImageDecoder.DEFAULT.withApplyExifOrientation(false).decode(rotated);
    assertThat(viaStandIn).isEqualTo(ExifOrientation.apply(shrink(raw, 8), 6));
    assertThat(viaStandIn.width()).isEqualTo((raw.height() + 7) / 8);
    // a floor larger than half the image: full size, which the JDK's reader decodes itself
    assertThat(ImageDecoder.DEFAULT.withJpegDecoder(recording, (raw.width() + 1) / 2 + 1).decode(rotated))
        .isEqualTo(ImageDecoder.DEFAULT.decode(rotated));
    assertThat(recording.scales).containsExactly(8);
  }

  @ParameterizedTest
  @ValueSource(strings = {"small.png", "small.gif", "small.bmp", "cmyk.jpg", "cmyk-icc.jpg"})
  void neverHandsOverOtherFormatsOrCmykJpegs(String name) throws ImageDecodeException {
    Recording recording = new Recording(false);
    BgrImage image = ImageDecoder.DEFAULT.withJpegDecoder(recording, 1).decode(Fixtures.decode(name));
    assertThat(recording.scales).isEmpty();
    assertThat(image).isEqualTo(ImageDecoder.DEFAULT.decode(Fixtures.decode(name)));
  }

  @Test
  void whenTheDecoderFailsTheJdkReaderDecodesOrGivesItsOwnError() throws ImageDecodeException {
    Recording failing = new Recording(true);
    ImageDecoder decoder = ImageDecoder.DEFAULT.withJpegDecoder(failing, 1);
    Path photo = Fixtures.image("llama.jpeg");
    assertThat(decoder.decode(photo)).isEqualTo(ImageDecoder.DEFAULT.decode(photo));
    Path truncated = Fixtures.decode("truncated.jpg");
    assertThatThrownBy(() -> decoder.decode(truncated))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageStartingWith(truncated + ": truncated or corrupt JPEG");
    assertThat(failing.scales).as("a JPEG without its end marker is never handed over").hasSize(1);
  }

  @Test
  void thePixelLimitIsCheckedBeforeTheDecoderIsCalled(@TempDir Path temp)
      throws IOException {
    Path big = temp.resolve("big.jpg");
    Files.write(big, jpeg(2048, 1536));
    Recording recording = new Recording(false);
    ImageDecoder decoder = ImageDecoder.DEFAULT.withMaxPixels(1_000_000).withJpegDecoder(recording, 256);
    assertThatThrownBy(() -> decoder.decode(big))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessage(big + ": image is 2048x1536 = 3.1 megapixels, more than the limit of 1.0 (raise "
            + "ImageDecoder.maxPixels to decode it)");
    assertThat(recording.scales).isEmpty();
  }

  @Test
  void refusesAScaleFloorBelowOne() {
    assertThatThrownBy(() -> ImageDecoder.DEFAULT.withJpegDecoder(new Recording(false), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minSide");
    assertThat(ImageDecoder.DEFAULT.withJpegDecoder(new Recording(false), 5).withJpegDecoder(null, 0))
        .isEqualTo(ImageDecoder.DEFAULT);
  }

  /** A smooth gradient JPEG of this size, written by the JDK. */
  static byte[] jpeg(int width, int height) throws IOException {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        img.setRGB(x, y, ((x * 255 / width) << 16) | ((y * 255 / height) << 8) | ((x + y) & 0xff));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "jpeg", out);
    return out.toByteArray();
  }

  /** Each scale x scale block's mean (edge blocks over the pixels they have), sides rounded up as libjpeg does. */
  static BgrImage shrink(BgrImage img, int scale) {
    int w = (img.width() + scale - 1) / scale;
    int h = (img.height() + scale - 1) / scale;
    byte[] out = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int c = 0; c < 3; c++) {
          int sum = 0;
          int n = 0;
          for (int dy = 0; dy < scale && y * scale + dy < img.height(); dy++) {
            for (int dx = 0; dx < scale && x * scale + dx < img.width(); dx++) {
              sum += img.get(y * scale + dy, x * scale + dx, c);
              n++;
            }
          }
          out[(y * w + x) * 3 + c] = (byte) ((sum + n / 2) / n);
        }
      }
    }
    return new BgrImage(w, h, out);
  }
}
