package org.alexnettfj.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.stream.IntStream;
import org.alexnettfj.data.PreprocessConfig.Arithmetic;
import org.alexnettfj.data.PreprocessConfig.ChannelOrder;
import org.alexnettfj.data.PreprocessConfig.Geometry;
import org.alexnettfj.testfixtures.CaffeMean;
import org.junit.jupiter.api.Test;

class PreprocessorTest {

  private static final int CROP = 227;

  private static Preprocessor with(Geometry geometry, Mean mean) {
    return new Preprocessor(PreprocessConfig.builder().geometry(geometry).mean(mean).build());
  }

  /** An image whose samples say where they are: B = y, G = x, R = (7y + 3x) mod 256. */
  private static BgrImage positional(int height, int width) {
    byte[] p = new byte[height * width * 3];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int o = (y * width + x) * 3;
        p[o] = (byte) y;
        p[o + 1] = (byte) x;
        p[o + 2] = (byte) (7 * y + 3 * x);
      }
    }
    return new BgrImage(width, height, p);
  }

  /** Asserts that {@code out} is the crop of {@code img} at (top, left), mirrored if asked, minus nothing. */
  private static void assertWindow(float[] out, BgrImage img, int top, int left, boolean mirror, String what) {
    for (int y = 0; y < CROP; y++) {
      for (int x = 0; x < CROP; x++) {
        int sx = left + (mirror ? CROP - 1 - x : x);
        for (int c = 0; c < 3; c++) {
          float actual = out[(y * CROP + x) * 3 + c];
          if (actual != img.get(top + y, sx, c)) {
            throw new AssertionError(what + ": output (" + y + ", " + x + ", " + c + ") = " + actual
                + ", expected source (" + (top + y) + ", " + sx + ") = " + img.get(top + y, sx, c));
          }
        }
      }
    }
  }

  @Test
  void notebookPreprocessingOfLlamaEqualsThePythonNotebookExactly() throws IOException {
    float[] java = new Preprocessor(PreprocessConfig.NOTEBOOK).apply(Fixtures.image("llama.jpeg"));
    float[] python = Fixtures.resizeExpected("llama_notebook").data();
    // cv2.imread -> cv2.resize(img.astype(np.float32), (227, 227)) - [104, 117, 124]: decode, resize and mean
    // are each exact, so the whole is too.
    assertThat(java).as(Fixtures.maxDifference(java, python)).isEqualTo(python);
  }

  @Test
  void outputIsOneCropByCropByThreeImage() throws IOException {
    Preprocessor pre = new Preprocessor(PreprocessConfig.NOTEBOOK);
    assertThat(pre.outputShape()).containsExactly(227, 227, 3);
    assertThat(pre.apply(Fixtures.image("zebra.jpeg"))).hasSize(227 * 227 * 3);
  }

  @Test
  void squareGeometryTakesTheCentreWindowAtOffsetFourteen() {
    BgrImage img = positional(256, 256);     // already 256x256: the resize is a copy
    float[] out = with(Geometry.RESIZE_SQUARE_THEN_CENTER_CROP, Mean.NONE).apply(img);
    assertWindow(out, img, 14, 14, false, "centre crop, (256 - 227) / 2 = 14 rounded down");
  }

  @Test
  void shorterSideGeometryKeepsTheAspectRatioAndCentresTheCrop() {
    BgrImage img = positional(256, 300);     // shorter side already 256: the resize is a copy
    float[] out = with(Geometry.RESIZE_SHORTER_SIDE_THEN_CENTER_CROP, Mean.NONE).apply(img);
    assertWindow(out, img, 14, 36, false, "centre crop of 256x300");
  }

  @Test
  void shorterSideSizeScalesTheLongerSideDown() {
    assertThat(Preprocessor.shorterSideSize(336, 500, 256)).as("llama: 500 * 256 / 336 = 380.95")
        .containsExactly(256, 380);
    assertThat(Preprocessor.shorterSideSize(500, 336, 256)).containsExactly(380, 256);
    assertThat(Preprocessor.shorterSideSize(100, 100, 256)).containsExactly(256, 256);
    assertThat(Preprocessor.shorterSideSize(10, 1000, 256)).containsExactly(256, 25600);
  }

  @Test
  void meanImageIsResizedToTheStretchedGeometry() throws IOException {
    Mean.PerPixel caffe = Mean.caffeMeanImage(CaffeMean.file());
    float[] out = with(Geometry.STRETCH, caffe).apply(new BgrImage(10, 10, new byte[300]));
    float[] expected = Fixtures.resizeExpected("caffe_mean_227_rows_0_113_226").data();
    int i = 0;
    for (int y : new int[] {0, 113, 226}) {
      for (int j = 0; j < CROP * 3; j++, i++) {
        assertThat(out[y * CROP * 3 + j]).as("black image minus cv2.resize(mean, (227, 227)), row %d", y)
            .isEqualTo(-expected[i]);
      }
    }
  }

  @Test
  void meanImageIsCroppedWithTheSameWindowAsTheImage() throws IOException {
    Mean.PerPixel caffe = Mean.caffeMeanImage(CaffeMean.file());
    float[] out = with(Geometry.RESIZE_SQUARE_THEN_CENTER_CROP, caffe).apply(new BgrImage(256, 256,
        new byte[256 * 256 * 3]));
    for (int y = 0; y < CROP; y++) {
      for (int x = 0; x < CROP; x++) {
        for (int c = 0; c < 3; c++) {
          assertThat(out[(y * CROP + x) * 3 + c]).isEqualTo(-caffe.bgr()[((y + 14) * 256 + x + 14) * 3 + c]);
        }
      }
    }
  }

  @Test
  void oversampleGivesFourCornersAndTheCentreThenTheirMirrors() {
    BgrImage img = positional(256, 256);
    float[][] crops = with(Geometry.STRETCH, Mean.NONE).oversample(img);
    assertThat(crops.length).isEqualTo(Preprocessor.OVERSAMPLE_COUNT);
    assertThat(List.of(Preprocessor.Crop.values())).containsExactly(Preprocessor.Crop.TOP_LEFT,
        Preprocessor.Crop.TOP_RIGHT, Preprocessor.Crop.BOTTOM_LEFT, Preprocessor.Crop.BOTTOM_RIGHT,
        Preprocessor.Crop.CENTER);
    int[][] corners = {{0, 0}, {0, 29}, {29, 0}, {29, 29}, {14, 14}};
    for (int i = 0; i < 10; i++) {
      int[] at = corners[i % 5];
      assertWindow(crops[i], img, at[0], at[1], i >= 5, "crop " + i + " " + Preprocessor.Crop.values()[i % 5]
          + (i >= 5 ? " mirrored" : ""));
    }
  }

  @Test
  void oversampleSubtractsTheMeanBeforeMirroringAsCaffeDoes() throws IOException {
    Mean.PerPixel caffe = Mean.caffeMeanImage(CaffeMean.file());
    float[][] crops = with(Geometry.STRETCH, caffe).oversample(new BgrImage(256, 256, new byte[256 * 256 * 3]));
    for (int y = 0; y < CROP; y += 13) {
      for (int x = 0; x < CROP; x += 7) {
        for (int c = 0; c < 3; c++) {
          assertThat(crops[5][(y * CROP + x) * 3 + c]).as("mirrored top-left crop at (%d, %d, %d)", y, x, c)
              .isEqualTo(-caffe.bgr()[(y * 256 + (CROP - 1 - x)) * 3 + c]);
        }
      }
    }
  }

  @Test
  void oversampleResizesToTheSquareWhateverTheGeometry() throws IOException {
    BgrImage llama = ImageDecoder.DEFAULT.decode(Fixtures.image("llama.jpeg"));
    float[][] stretch = with(Geometry.STRETCH, Mean.NOTEBOOK).oversample(llama);
    float[] square = with(Geometry.RESIZE_SQUARE_THEN_CENTER_CROP, Mean.NOTEBOOK).apply(llama);
    assertThat(stretch[4]).as("the centre crop of 10-crop is the square geometry's crop").isEqualTo(square);
  }

  @Test
  void rgbOutputReversesTheChannelsAfterTheBgrMean() throws IOException {
    BgrImage zebra = ImageDecoder.DEFAULT.decode(Fixtures.image("zebra.jpeg"));
    float[] bgr = new Preprocessor(PreprocessConfig.NOTEBOOK).apply(zebra);
    float[] rgb = new Preprocessor(PreprocessConfig.builder().channelOrder(ChannelOrder.RGB).build()).apply(zebra);
    for (int i = 0; i < bgr.length; i += 3) {
      assertThat(new float[] {rgb[i], rgb[i + 1], rgb[i + 2]}).containsExactly(bgr[i + 2], bgr[i + 1], bgr[i]);
    }
  }

  @Test
  void uint8ArithmeticEqualsCv2ResizeOfTheUint8Image() throws IOException {
    float[] out = new Preprocessor(PreprocessConfig.builder().arithmetic(Arithmetic.UINT8).mean(Mean.NONE).build())
        .apply(Fixtures.image("zebra.jpeg"));
    float[] expected = Fixtures.resizeExpected("zebra_u8").data();
    assertThat(out).as(Fixtures.maxDifference(out, expected)).isEqualTo(expected);
  }

  @Test
  void givesTheSameResultOnEveryThreadAndEveryCall() throws IOException {
    Mean.PerPixel caffe = Mean.caffeMeanImage(CaffeMean.file());
    Preprocessor pre = with(Geometry.RESIZE_SHORTER_SIDE_THEN_CENTER_CROP, caffe);
    BgrImage llama = ImageDecoder.DEFAULT.decode(Fixtures.image("llama.jpeg"));
    float[] first = pre.apply(llama);
    List<float[]> parallel = IntStream.range(0, 8).parallel().mapToObj(i -> pre.apply(llama)).toList();
    for (float[] out : parallel) {
      assertThat(out).isEqualTo(first);
    }
  }

  @Test
  void holdsOnlyAFewResizedMeansWhateverTheAspectRatiosSeen() throws IOException {
    Mean.PerPixel caffe = Mean.caffeMeanImage(CaffeMean.file());
    Preprocessor pre = with(Geometry.RESIZE_SHORTER_SIDE_THEN_CENTER_CROP, caffe);
    for (int width = 20; width < 40; width++) {
      pre.apply(new BgrImage(width, 10, new byte[width * 10 * 3]));     // 20 different pre-crop sizes
    }
    assertThat(pre.cachedMeanCount()).isLessThanOrEqualTo(4);
  }

  @Test
  void reportsAFileThatIsNotAnImage() {
    Preprocessor pre = new Preprocessor(PreprocessConfig.NOTEBOOK);
    assertThatThrownBy(() -> pre.apply(Fixtures.decode("text.jpg")))
        .isInstanceOf(ImageDecodeException.class).hasMessageContaining("not a JPEG, PNG, GIF or BMP image");
  }
}
