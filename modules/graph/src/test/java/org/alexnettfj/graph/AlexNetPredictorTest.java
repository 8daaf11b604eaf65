package org.alexnettfj.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.alexnettfj.data.ImageDecodeException;
import org.alexnettfj.data.PreprocessConfig;
import org.alexnettfj.data.Preprocessor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Images through preprocessing and the model: the predictor must add nothing the two parts do not define. */
class AlexNetPredictorTest {

  static final Path IMAGES = Path.of("../data/src/test/resources/images");
  static final Path ZEBRA = IMAGES.resolve("zebra.jpeg");
  static final Path LLAMA = IMAGES.resolve("llama.jpeg");

  private static AlexNetModel model;

  @TempDir
  Path tmp;

  @BeforeAll
  static void freshModel() throws Exception {
    model = AlexNetModel.builder().setFreshInit().optSeed(3).optMaxBatch(8).build();
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private static AlexNetPredictor predictor(boolean oversample) throws Exception {
    return AlexNetPredictor.builder().setModel(model).optOversample(oversample).build();
  }

  @Test
  void predictionIsTheModelsSoftmaxOfTheNotebookPreprocessing() throws Exception {
    try (AlexNetPredictor p = predictor(false)) {
      Prediction zebra = p.predict(ZEBRA, 5);
      float[] input = new Preprocessor(PreprocessConfig.NOTEBOOK).apply(ZEBRA);
      float[] probs = model.probabilities(input, 1)[0];
      assertThat(zebra.input()).isEqualTo(ZEBRA.toString());
      assertThat(zebra.top()).hasSize(5);
      Prediction.ClassScore best = zebra.top().get(0);
      int argmax = 0;
      for (int i = 1; i < probs.length; i++) {
        argmax = probs[i] > probs[argmax] ? i : argmax;
      }
      assertThat(best.index()).isEqualTo(argmax);
      assertThat(best.probability()).isEqualTo(probs[argmax]);
      assertThat(best.label()).isEqualTo(Labels.imagenet().name(argmax));
      for (int k = 1; k < 5; k++) {
        assertThat(zebra.top().get(k).probability()).isLessThanOrEqualTo(zebra.top().get(k - 1).probability());
      }
    }
  }

  @Test
  void featuresOfImagesEqualTheModelsFeaturesOfTheTensor() throws Exception {
    try (AlexNetPredictor p = predictor(false)) {
      float[][] f = p.features(List.of(ZEBRA, LLAMA), "fc7");
      Preprocessor pre = new Preprocessor(PreprocessConfig.NOTEBOOK);
      float[] batch = new float[2 * AlexNetModel.IMAGE_VALUES];
      System.arraycopy(pre.apply(ZEBRA), 0, batch, 0, AlexNetModel.IMAGE_VALUES);
      System.arraycopy(pre.apply(LLAMA), 0, batch, AlexNetModel.IMAGE_VALUES, AlexNetModel.IMAGE_VALUES);
      float[][] expected = p.featuresTensor(batch, 2, "fc7");
      assertThat(f[0]).hasSize(4096).isEqualTo(expected[0]);
      assertThat(f[1]).isEqualTo(expected[1]);
    }
  }

  @Test
  void oversamplingAveragesTheTenCropsProbabilities() throws Exception {
    try (AlexNetPredictor p = predictor(true)) {
      float[] averaged = p.features(List.of(LLAMA), "prob")[0];
      float[][] crops = new Preprocessor(PreprocessConfig.NOTEBOOK).oversample(LLAMA);
      float[] batch = new float[10 * AlexNetModel.IMAGE_VALUES];
      for (int i = 0; i < 10; i++) {
        System.arraycopy(crops[i], 0, batch, i * AlexNetModel.IMAGE_VALUES, AlexNetModel.IMAGE_VALUES);
      }
      float[][] each = model.probabilities(batch, 10);
      for (int c = 0; c < averaged.length; c += 37) {
        double sum = 0;
        for (float[] row : each) {
          sum += row[c];
        }
        assertThat((double) averaged[c]).as("class %d", c).isCloseTo(sum / 10, within(1e-6));
      }
    }
  }

  @Test
  void unreadableImagesAreReportedInOrderOrStopAStrictRun() throws Exception {
    Path bad = Files.writeString(tmp.resolve("notes.jpg"), "not an image");
    List<Path> inputs = List.of(ZEBRA, bad, LLAMA);
    try (AlexNetPredictor p = predictor(false)) {
      List<AlexNetPredictor.Outcome> outcomes = new ArrayList<>();
      p.run(inputs, "fc7", false, outcomes::add);
      assertThat(outcomes).extracting(AlexNetPredictor.Outcome::index).containsExactly(0, 1, 2);
      assertThat(outcomes.get(1).ok()).isFalse();
      assertThat(outcomes.get(1).error().getMessage()).contains("notes.jpg");
      // a batch of 2 is not bit-identical to a batch of 1 (TF's kernels block differently), only close
      assertThat(outcomes.get(2).output())
          .containsExactly(p.features(List.of(LLAMA), "fc7")[0], within(1e-4f));

      assertThatThrownBy(() -> p.run(inputs, "fc7", true, o -> { }))
          .isInstanceOf(ImageDecodeException.class).hasMessageContaining("notes.jpg");
      assertThatThrownBy(() -> p.features(List.of(ZEBRA), "fc9"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fc9");
    }
  }

  @Test
  void aPlacementGoesWithAWeightFileAndAMissingDeviceFailsBeforeTheFileIsRead() {
    assertThatThrownBy(() -> AlexNetPredictor.builder().setModel(model).optPlacement(Placement.device("/CPU:0"))
        .build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("optPlacement goes with setWeightsFile");
    assertThatThrownBy(() -> AlexNetPredictor.builder().setWeightsFile(tmp.resolve("never-written.npy"))
        .optPlacement(Placement.device("/GPU:99")).build())
        .as("the device, not the missing file, is reported")
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("device /GPU:99 does not exist here");
  }
}
