package org.alexnettfj.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.alexnettfj.data.PreprocessConfig.Arithmetic;
import org.alexnettfj.data.PreprocessConfig.ChannelOrder;
import org.alexnettfj.data.PreprocessConfig.Geometry;
import org.junit.jupiter.api.Test;

class PreprocessConfigTest {

  @Test
  void notebookSpellsOutTheClassicNotebooksPreprocessing() {
    PreprocessConfig c = PreprocessConfig.NOTEBOOK;
    assertThat(c.geometry()).as("cv2.resize(img, (227, 227)) stretches").isEqualTo(Geometry.STRETCH);
    assertThat(c.cropSize()).isEqualTo(227);
    assertThat(c.resizeTo()).isEqualTo(256);
    assertThat(c.arithmetic()).as("img.astype(np.float32) before the resize").isEqualTo(Arithmetic.FLOAT32);
    assertThat(c.channelOrder()).isEqualTo(ChannelOrder.BGR);
    assertThat(c.mean()).isEqualTo(Mean.NOTEBOOK);
    assertThat(c.decoder()).isEqualTo(ImageDecoder.DEFAULT);
  }

  @Test
  void builderStartsFromTheNotebookAndOverridesWhatIsSet() {
    PreprocessConfig c = PreprocessConfig.builder()
        .geometry(Geometry.RESIZE_SHORTER_SIDE_THEN_CENTER_CROP)
        .arithmetic(Arithmetic.UINT8)
        .channelOrder(ChannelOrder.RGB)
        .mean(Mean.NONE)
        .resizeTo(300)
        .cropSize(224)
        .decoder(ImageDecoder.DEFAULT.withMaxPixels(1000))
        .build();
    assertThat(c).isEqualTo(new PreprocessConfig(Geometry.RESIZE_SHORTER_SIDE_THEN_CENTER_CROP, 300, 224,
        Arithmetic.UINT8, ChannelOrder.RGB, Mean.NONE, ImageDecoder.DEFAULT.withMaxPixels(1000)));
    assertThat(c.toBuilder().cropSize(227).build().cropSize()).isEqualTo(227);
    assertThat(c.toBuilder().build()).isEqualTo(c);
  }

  @Test
  void rejectsACropLargerThanTheResizeItIsTakenFrom() {
    assertThatThrownBy(() -> PreprocessConfig.builder().resizeTo(200).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("resizeTo (200) must be at least cropSize (227): the crop is taken from the resized image");
  }

  @Test
  void rejectsMissingOrNonPositiveSettings() {
    assertThatThrownBy(() -> PreprocessConfig.builder().cropSize(0).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PreprocessConfig.builder().mean(null).build())
        .isInstanceOf(NullPointerException.class).hasMessage("mean");
    assertThatThrownBy(() -> PreprocessConfig.builder().geometry(null).build())
        .isInstanceOf(NullPointerException.class).hasMessage("geometry");
  }
}
