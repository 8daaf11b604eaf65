package org.alexnettfj.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BgrImageTest {

  @Test
  void readsSamplesInRowMajorChannelLastBgrOrder() {
    byte[] p = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, (byte) 255};
    BgrImage img = new BgrImage(2, 2, p);
    assertThat(img.get(0, 1, 0)).as("row 0, column 1, blue").isEqualTo(4);
    assertThat(img.get(1, 0, 2)).as("row 1, column 0, red").isEqualTo(9);
    assertThat(img.get(1, 1, 2)).as("samples are unsigned").isEqualTo(255);
    assertThat(img.toFloats()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 255);
  }

  @Test
  void rejectsAPixelArrayOfTheWrongLength() {
    assertThatThrownBy(() -> new BgrImage(2, 2, new byte[11]))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("2x2x3 needs 12 bytes, got 11");
    assertThatThrownBy(() -> new BgrImage(0, 2, new byte[0])).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void comparesByContent() {
    assertThat(new BgrImage(1, 1, new byte[] {1, 2, 3})).isEqualTo(new BgrImage(1, 1, new byte[] {1, 2, 3}))
        .isNotEqualTo(new BgrImage(1, 1, new byte[] {1, 2, 4}));
  }
}
