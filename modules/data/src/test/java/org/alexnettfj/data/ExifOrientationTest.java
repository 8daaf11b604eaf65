package org.alexnettfj.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExifOrientationTest {

  @TempDir
  Path temp;

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
  void readsTheOrientationTagOfAnExifSegment(int orientation) {
    assertThat(ExifOrientation.read(Fixtures.decode("orientation-" + orientation + ".jpg"))).isEqualTo(orientation);
  }

  @Test
  void readsUprightWhenThereIsNoExifOrTheFileIsNotAJpeg() {
    assertThat(ExifOrientation.read(Fixtures.image("llama.jpeg"))).isEqualTo(1);
    assertThat(ExifOrientation.read(Fixtures.decode("small.png"))).isEqualTo(1);
    assertThat(ExifOrientation.read(Fixtures.decode("empty.jpg"))).isEqualTo(1);
  }

  @Test
  void readsUprightFromACutExifSegment() throws IOException {
    byte[] whole = Files.readAllBytes(Fixtures.decode("orientation-6.jpg"));
    Path cut = temp.resolve("cut.jpg");
    Files.write(cut, Arrays.copyOf(whole, 30));
    assertThat(ExifOrientation.read(cut)).isEqualTo(1);
  }

  /** A 3-wide, 2-high image whose blue channel numbers the pixels 1..6 in reading order. */
  private static BgrImage numbered() {
    byte[] p = new byte[18];
    for (int i = 0; i < 6; i++) {
      p[i * 3] = (byte) (i + 1);
    }
    return new BgrImage(3, 2, p);
  }

  private static int[] blues(BgrImage img) {
    int[] out = new int[img.width() * img.height()];
    for (int i = 0; i < out.length; i++) {
      out[i] = img.pixels()[i * 3];
    }
    return out;
  }

  @Test
  void turnsImagesUprightByHandComputedExamples() {
    // 1 2 3
    // 4 5 6
    BgrImage img = numbered();
    assertThat(blues(ExifOrientation.apply(img, 1))).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(blues(ExifOrientation.apply(img, 2))).as("mirrored").containsExactly(3, 2, 1, 6, 5, 4);
    assertThat(blues(ExifOrientation.apply(img, 3))).as("180°").containsExactly(6, 5, 4, 3, 2, 1);
    assertThat(blues(ExifOrientation.apply(img, 4))).as("flipped").containsExactly(4, 5, 6, 1, 2, 3);
    assertThat(blues(ExifOrientation.apply(img, 5))).as("transposed").containsExactly(1, 4, 2, 5, 3, 6);
    assertThat(blues(ExifOrientation.apply(img, 6))).as("90° clockwise").containsExactly(4, 1, 5, 2, 6, 3);
    assertThat(blues(ExifOrientation.apply(img, 7))).as("transversed").containsExactly(6, 3, 5, 2, 4, 1);
    assertThat(blues(ExifOrientation.apply(img, 8))).as("90° counter-clockwise").containsExactly(3, 6, 2, 5, 1, 4);
    assertThat(ExifOrientation.apply(img, 6).width()).isEqualTo(2);
    assertThat(ExifOrientation.apply(img, 6).height()).isEqualTo(3);
  }
}
