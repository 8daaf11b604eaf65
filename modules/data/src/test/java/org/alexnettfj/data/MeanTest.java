package org.alexnettfj.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.alexnettfj.testfixtures.CaffeMean;
import org.alexnettfj.weights.WeightArray;
import org.alexnettfj.weights.WeightReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeanTest {

  private static final Path CAFFE_MEAN = CaffeMean.file();

  @TempDir
  Path temp;

  @Test
  void notebookMeanIsTheNotebooksBgrValues() {
    assertThat(Mean.NOTEBOOK.channelMeans()).containsExactly(104f, 117f, 124f);
    assertThat(Mean.NONE.channelMeans()).containsExactly(0f, 0f, 0f);
    assertThat(Mean.perChannel(1, 2, 3).channelMeans()).as("blue first").containsExactly(1f, 2f, 3f);
  }

  @Test
  void caffeMeanImageHasTheKnownChannelMeans() throws IOException {
    Mean.PerPixel mean = Mean.caffeMeanImage(CAFFE_MEAN);
    assertThat(mean.height()).isEqualTo(256);
    assertThat(mean.width()).isEqualTo(256);
    // numpy: np.load('ilsvrc_2012_mean.npy').mean(axis=(1, 2)) = [104.00698793, 116.66876762, 122.67891434]
    assertThat(mean.channelMeans()[0]).as("blue").isCloseTo(104.00699f, within(1e-4f));
    assertThat(mean.channelMeans()[1]).as("green").isCloseTo(116.66877f, within(1e-4f));
    assertThat(mean.channelMeans()[2]).as("red").isCloseTo(122.67891f, within(1e-4f));
  }

  @Test
  void caffeMeanImageIsStoredChannelLast() throws IOException {
    WeightArray chw = WeightReader.readArray(CAFFE_MEAN);
    Mean.PerPixel mean = Mean.caffeMeanImage(CAFFE_MEAN);
    for (int[] p : new int[][] {{0, 0, 0}, {2, 5, 7}, {1, 255, 3}, {0, 128, 255}}) {
      int c = p[0];
      int y = p[1];
      int x = p[2];
      assertThat(mean.bgr()[(y * 256 + x) * 3 + c]).as("channel %d at (%d, %d)", c, y, x)
          .isEqualTo(chw.data()[(c * 256 + y) * 256 + x]);
    }
  }

  @Test
  void resizedMeanImageEqualsCv2ResizeOfIt() throws IOException {
    Mean.PerPixel mean = Mean.caffeMeanImage(CAFFE_MEAN).resizedTo(227, 227);
    float[] expected = Fixtures.resizeExpected("caffe_mean_227_rows_0_113_226").data();
    float[] rows = new float[3 * 227 * 3];
    int i = 0;
    for (int y : new int[] {0, 113, 226}) {
      System.arraycopy(mean.bgr(), y * 227 * 3, rows, i, 227 * 3);
      i += 227 * 3;
    }
    assertThat(rows).as(Fixtures.maxDifference(rows, expected)).isEqualTo(expected);
  }

  @Test
  void resizingToItsOwnSizeIsTheSameMean() throws IOException {
    Mean.PerPixel mean = Mean.caffeMeanImage(CAFFE_MEAN);
    assertThat(mean.resizedTo(256, 256)).isSameAs(mean);
  }

  @Test
  void rejectsAnArrayThatIsNotThreeByHeightByWidth() throws IOException {
    Path hwc = temp.resolve("hwc.npy");
    Files.write(hwc, npyF4(new int[] {2, 2, 3}, new float[12]));
    assertThatThrownBy(() -> Mean.caffeMeanImage(hwc))
        .isInstanceOf(IOException.class)
        .hasMessage(hwc + ": a Caffe mean image has shape (3, height, width), channels B, G, R; this one has "
            + "shape (2, 2, 3)");
  }

  @Test
  void rejectsAMeanImageOfTheWrongLength() {
    assertThatThrownBy(() -> new Mean.PerPixel(2, 2, new float[11])).isInstanceOf(IllegalArgumentException.class);
  }

  /** A version 1.0 .npy of little-endian float32, C order. */
  private static byte[] npyF4(int[] shape, float[] data) {
    String dims = Arrays.toString(shape).replace("[", "(").replace("]", ")");
    StringBuilder header = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': " + dims + ", }");
    while ((10 + header.length() + 1) % 64 != 0) {
      header.append(' ');
    }
    header.append('\n');
    ByteBuffer b = ByteBuffer.allocate(10 + header.length() + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
    b.putShort((short) header.length()).put(header.toString().getBytes(StandardCharsets.US_ASCII));
    for (float f : data) {
      b.putFloat(f);
    }
    return b.array();
  }
}
