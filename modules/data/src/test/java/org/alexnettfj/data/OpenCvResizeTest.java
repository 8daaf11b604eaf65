package org.alexnettfj.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Arrays;
import org.alexnettfj.weights.WeightArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OpenCvResizeTest {

  private static BgrImage input(String name) throws IOException {
    return ImageDecoder.DEFAULT.decode(Fixtures.resource("resize/" + name + ".png"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"up", "down", "mixed", "same", "half", "pixel", "strip", "tall"})
  void float32ResizeEqualsCv2ResizeOfAFloat32ArrayExactly(String name) throws IOException {
    BgrImage src = input(name);
    WeightArray expected = Fixtures.resizeExpected(name + "_f32");
    float[] out = OpenCvResize.resize(src.toFloats(), src.height(), src.width(), 3, expected.dim(0),
        expected.dim(1));
    assertThat(out).as("%s: %s", name, Fixtures.maxDifference(out, expected.data())).isEqualTo(expected.data());
  }

  @ParameterizedTest
  @ValueSource(strings = {"up", "down", "mixed", "same", "half", "pixel", "strip", "tall"})
  void uint8ResizeEqualsCv2ResizeOfAUint8ArrayExactly(String name) throws IOException {
    BgrImage src = input(name);
    WeightArray expected = Fixtures.resizeExpected(name + "_u8");
    byte[] out = OpenCvResize.resize(src.pixels(), src.height(), src.width(), 3, expected.dim(0), expected.dim(1));
    float[] asFloat = new BgrImage(expected.dim(1), expected.dim(0), out).toFloats();
    assertThat(asFloat).as("%s: %s", name, Fixtures.maxDifference(asFloat, expected.data()))
        .isEqualTo(expected.data());
  }

  @Test
  void uint8ResizeOfARealPhotoEqualsCv2Resize() throws IOException {
    BgrImage zebra = ImageDecoder.DEFAULT.decode(Fixtures.image("zebra.jpeg"));
    float[] out = new BgrImage(227, 227, OpenCvResize.resize(zebra.pixels(), 375, 500, 3, 227, 227)).toFloats();
    float[] expected = Fixtures.resizeExpected("zebra_u8").data();
    assertThat(out).as(Fixtures.maxDifference(out, expected)).isEqualTo(expected);
  }

  @Test
  void theTwoArithmeticsDifferByUpToOneGreyLevel() throws IOException {
    float[] f32 = Fixtures.resizeExpected("down_f32").data();
    float[] u8 = Fixtures.resizeExpected("down_u8").data();
    double max = 0;
    for (int i = 0; i < f32.length; i++) {
      max = Math.max(max, Math.abs(f32[i] - u8[i]));
    }
    // Why PreprocessConfig.Arithmetic is a setting: OpenCV's two paths are not interchangeable.
    assertThat(max).as("|cv2.resize(float32) - cv2.resize(uint8)|").isGreaterThan(0.5).isLessThan(1.01);
  }

  @Test
  void interpolatesAHandComputedRowWithHalfPixelCentres() {
    // 2 -> 4 columns, scale 0.5: fx = (dx + 0.5) * 0.5 - 0.5 = -0.25, 0.25, 0.75, 1.25.
    // dx 0: left of 0, takes column 0 whole; dx 1: 0.75*0 + 0.25*100; dx 2: 0.25*0 + 0.75*100; dx 3: last column.
    float[] out = OpenCvResize.resize(new float[] {0, 100}, 1, 2, 1, 1, 4);
    assertThat(out).containsExactly(0f, 25f, 75f, 100f);
    byte[] u8 = OpenCvResize.resize(new byte[] {0, 100}, 1, 2, 1, 1, 4);
    assertThat(new BgrImage(4, 1, new byte[] {u8[0], 0, 0, u8[1], 0, 0, u8[2], 0, 0, u8[3], 0, 0}).toFloats())
        .containsExactly(0, 0, 0, 25, 0, 0, 75, 0, 0, 100, 0, 0);
  }

  @Test
  void averagesTwoByTwoBlocksWhenHalvingExactly() {
    float[] src = {1, 2, 3, 4, 10, 20, 30, 40};    // 2 rows x 4 columns, 1 channel
    assertThat(OpenCvResize.resize(src, 2, 4, 1, 1, 2)).containsExactly((1 + 2 + 10 + 20) / 4f, (3 + 4 + 30 + 40) / 4f);
    byte[] u8 = {1, 2, 3, 4, 10, 20, 30, 40};
    assertThat(OpenCvResize.resize(u8, 2, 4, 1, 1, 2)).containsExactly((byte) ((33 + 2) >> 2), (byte) ((77 + 2) >> 2));
  }

  @Test
  void keepsAConstantImageConstant() {
    float[] src = new float[37 * 23 * 3];
    Arrays.fill(src, 117f);
    for (float v : OpenCvResize.resize(src, 23, 37, 3, 227, 227)) {
      assertThat(v).isEqualTo(117f);
    }
  }

  @Test
  void leavesItsInputUntouchedAndReturnsACopyForEqualSizes() {
    float[] src = {1, 2, 3, 4, 5, 6};
    float[] copy = src.clone();
    float[] same = OpenCvResize.resize(src, 1, 2, 3, 1, 2);
    assertThat(same).isEqualTo(src).isNotSameAs(src);
    OpenCvResize.resize(src, 1, 2, 3, 5, 7);
    assertThat(src).isEqualTo(copy);
  }

  @Test
  void rejectsSizesThatDoNotMatchTheData() {
    assertThatThrownBy(() -> OpenCvResize.resize(new float[5], 1, 2, 3, 4, 4))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("2x1x3 needs 6 values, got 5");
    assertThatThrownBy(() -> OpenCvResize.resize(new byte[6], 1, 2, 3, 0, 4))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"375x500->256x256", "37x23->227x227", "512x512->256x256", "256x256->256x256",
      "300x200->256x341", "9x7->5x3"})
  void aRegionIsExactlyThatWindowOfTheFullFloatResize(String shapes) {
    String[] hw = shapes.split("->");
    int h = Integer.parseInt(hw[0].split("x")[0]);
    int w = Integer.parseInt(hw[0].split("x")[1]);
    int outH = Integer.parseInt(hw[1].split("x")[0]);
    int outW = Integer.parseInt(hw[1].split("x")[1]);
    byte[] pixels = new byte[h * w * 3];
    new java.util.Random(h * 31L + w).nextBytes(pixels);
    float[] full = OpenCvResize.resize(new BgrImage(w, h, pixels).toFloats(), h, w, 3, outH, outW);
    int regionH = Math.min(outH, 227);
    int regionW = Math.min(outW, 227);
    // every corner of the output, and one inside, so the edge rows and columns are covered
    int[][] corners = {{0, 0}, {0, outW - regionW}, {outH - regionH, 0}, {outH - regionH, outW - regionW},
        {(outH - regionH) / 3, (outW - regionW) / 2}};
    for (int[] at : corners) {
      float[] region = OpenCvResize.resizeRegion(pixels, h, w, 3, outH, outW, at[0], at[1], regionH, regionW);
      float[] expected = new float[regionH * regionW * 3];
      for (int y = 0; y < regionH; y++) {
        System.arraycopy(full, ((at[0] + y) * outW + at[1]) * 3, expected, y * regionW * 3, regionW * 3);
      }
      assertThat(region).as("window at (%d, %d) of %s", at[0], at[1], shapes).isEqualTo(expected);
    }
  }

  @Test
  void rejectsARegionOutsideTheOutput() {
    assertThatThrownBy(() -> OpenCvResize.resizeRegion(new byte[12], 2, 2, 3, 4, 4, 1, 0, 4, 4))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("region 4x4 at (1, 0) is not inside 4x4");
  }
}
