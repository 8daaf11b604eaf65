package org.alexnettfj.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.alexnettfj.weights.AlexNetWeights;
import org.alexnettfj.weights.WeightFile;
import org.alexnettfj.weights.WeightFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

class AlexNetSavedModelTest {

  @TempDir
  Path tmp;

  @Test
  void loadedServingDefaultGivesTheInMemoryModelsOutputs() throws Exception {
    WeightFile weights = TestData.randomWeightFile(11L, 1000);
    Path dir = tmp.resolve("alexnet_saved_model");
    AlexNetSavedModel.export(weights, dir, false);
    assertThat(dir.resolve("saved_model.pb")).isRegularFile();
    assertThat(dir.resolve("variables/variables.index")).isRegularFile();
    try (var files = Files.list(tmp)) {
      assertThat(files).as("no temporary folder left").containsExactly(dir);
    }
    // variables/ in AlexNet's layout, bit for bit, whatever layouts the in-memory graphs use
    WeightFile variables = TfCheckpoint.read(dir.resolve("variables/variables"));
    for (String name : List.of("fc6/weights", "fc7/weights", "fc8/weights", "conv2/weights", "fc8/biases")) {
      assertThat(variables.array(name).shape()).as(name).containsExactly(weights.array(name).shape());
      assertThat(java.util.Arrays.mismatch(variables.array(name).data(), weights.array(name).data()))
          .as("%s: first element that differs", name).isEqualTo(-1);
    }

    int n = 2;
    float[] images = TestData.randomImages(5L, n);
    float[][] logits;
    float[][] probabilities;
    float[][] fc7;
    try (AlexNetModel model = AlexNetModel.builder().setWeights(AlexNetWeights.from(weights, Set.of(), 1000))
        .build()) {
      logits = model.logits(images, n);
      probabilities = model.probabilities(images, n);
      fc7 = model.features(images, n, "fc7");
    }
    try (SavedModelBundle bundle = SavedModelBundle.load(dir.toString(), AlexNetSavedModel.TAG);
        TFloat32 input = TFloat32.tensorOf(Shape.of(n, 227, 227, 3), DataBuffers.of(images, true, false));
        Result r = bundle.function(AlexNetSavedModel.SIGNATURE).call(Map.<String, Tensor>of("images", input))) {
      assertClose(rows((TFloat32) r.get("logits").orElseThrow(), n), logits, "logits");
      assertClose(rows((TFloat32) r.get("probabilities").orElseThrow(), n), probabilities, "probabilities");
      assertClose(rows((TFloat32) r.get("fc7").orElseThrow(), n), fc7, "fc7");
      List<String> convolutions = new ArrayList<>();
      bundle.graph().operations().forEachRemaining(op -> {
        if (op.type().equals("Conv2D") && op.name().startsWith("conv")) {
          convolutions.add(op.name().substring(0, op.name().indexOf('/')));
        }
      });
      // (under oneDNN norm1 and norm2 sum their windows with a Conv2D of their own: not counted)
      assertThat(convolutions)
          .as("split groups (two convolutions each for conv2, conv4, conv5), which every runtime can run")
          .containsExactlyInAnyOrder("conv1", "conv2", "conv2", "conv3", "conv4", "conv4", "conv5", "conv5");
    }
  }

  @Test
  void refusesAnExistingFolderAndWeightsThatAreNotAlexNet() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("taken"));
    WeightFile weights = TestData.randomWeightFile(1L, 10);
    assertThatThrownBy(() -> AlexNetSavedModel.export(weights, dir, false))
        .isInstanceOf(FileAlreadyExistsException.class).hasMessageContaining("add --force");
    WeightFile noFc8 = new WeightFile("part", "test", Map.of("conv1/biases", weights.array("conv1/biases")));
    assertThatThrownBy(() -> AlexNetSavedModel.export(noFc8, tmp.resolve("x"), false))
        .isInstanceOf(WeightFileException.class).hasMessageContaining("missing layer 'fc8'");
    assertThat(tmp.resolve("x")).doesNotExist();
  }

  private static float[][] rows(TFloat32 t, int n) {
    float[][] rows = new float[n][(int) t.shape().get(1)];
    for (int i = 0; i < n; i++) {
      t.get(i).copyTo(DataBuffers.of(rows[i], false, false));
    }
    return rows;
  }

  /**
   * Each row to 1e-4 of its largest value, the project's float32 fidelity bound: under oneDNN the in-memory model's
   * convolutions are laid out for it (grouped conv2/4/5, conv3 in halves) and the export's classically, so they
   * round differently (element by element up to 1.2e-4 on a logit of -0.49 seen, well within this bound).
   */
  private static void assertClose(float[][] actual, float[][] expected, String what) {
    for (int i = 0; i < expected.length; i++) {
      Closeness.assertClose(actual[i], Closeness.toDouble(expected[i]), 1e-4,
          what + "[" + i + "]: SavedModel vs in-memory AlexNetModel");
    }
  }
}
