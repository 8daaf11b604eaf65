package org.alexnettfj.weights;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The full-size classic layout, at the real shapes (244 MB), through the loader that checks it. */
class AlexNetWeightsTest {

  @TempDir
  Path tmp;

  /** Value at C index i of a layer's array: exact in float32, distinct per layer, position-dependent. */
  private static float value(int layer, int param, int i) {
    return ((i * 7 + 16 * layer + param) % 1013) / 8f - 60f;
  }

  @Test
  void fullSizeClassicFileLoadsWithFc7AndFc8TransposedBackAndSkipLayersLeftOut() throws Exception {
    Path file = tmp.resolve("bvlc_alexnet.npy");
    Map<String, WeightArray> arrays = new LinkedHashMap<>();
    int li = 0;
    for (AlexNetSpec.Layer l : AlexNetSpec.layers(1000)) {
      arrays.put(l.name() + "/weights", filled(l.weightsShape(), li, 0));
      arrays.put(l.name() + "/biases", filled(l.biasesShape(), li, 1));
      li++;
    }
    NpyWriter.writeClassic(file, arrays, n -> n.startsWith("fc7/") || n.startsWith("fc8/"));
    arrays.clear();
    assertThat(Files.size(file)).as("same size as the real bvlc_alexnet.npy").isEqualTo(243_861_814L);

    AlexNetWeights w = AlexNetWeights.load(file, Set.of("fc8"), 2);
    assertThat(w.isLoaded("fc8")).isFalse();
    assertThat(w.arrays()).hasSize(14);
    WeightArray fc7 = w.weights("fc7");
    assertThat(fc7.storedFortranOrder()).isTrue();
    assertThat(fc7.shape()).containsExactly(4096, 4096);
    float[] d = fc7.data();
    for (int i = 0; i < d.length; i += 4099) {
      assertThat(d[i]).as("fc7[%d][%d]", i / 4096, i % 4096).isEqualTo(value(6, 0, i));
    }
    assertThat(w.weights("conv1").data()[34847]).isEqualTo(value(0, 0, 34847));
    assertThat(w.biases("fc6").data()).hasSize(4096);
  }

  private static WeightArray filled(int[] shape, int layer, int param) {
    int n = 1;
    for (int s : shape) {
      n *= s;
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = value(layer, param, i);
    }
    return WeightArray.of(shape, v);
  }

  @Test
  void aCompleteFineTunedModelTakesItsClassCountFromItsOwnFc8() throws Exception {
    Map<String, WeightArray> arrays = new LinkedHashMap<>();
    for (AlexNetSpec.Layer l : AlexNetSpec.layers(5)) {
      arrays.put(l.name() + "/weights", filled(l.weightsShape(), 0, 0));
      arrays.put(l.name() + "/biases", filled(l.biasesShape(), 0, 1));
    }
    AlexNetWeights w = AlexNetWeights.complete(new WeightFile("tuned.npz", "test", arrays));
    assertThat(w.numClasses()).isEqualTo(5);
    assertThat(w.skipLayers()).isEmpty();
    assertThat(w.weights("fc8").shape()).containsExactly(4096, 5);

    arrays.remove("fc7/biases");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> AlexNetWeights.complete(new WeightFile("tuned.npz", "test", arrays)))
        .isInstanceOf(WeightFileException.class).hasMessageContaining("layer 'fc7': missing biases");
  }

  @Test
  void loadingAFileTakesItsOwnClassesUnlessFc8IsSkipped() throws Exception {
    Map<String, WeightArray> arrays = new LinkedHashMap<>();
    for (AlexNetSpec.Layer l : AlexNetSpec.layers(4)) {
      arrays.put(l.name() + "/weights", WeightArray.of(l.weightsShape(), new float[sizeOf(l.weightsShape())]));
      arrays.put(l.name() + "/biases", filled(l.biasesShape(), 1, 1));
    }
    float[] fc8Biases = arrays.get("fc8/biases").data();
    Path npz = tmp.resolve("tuned.npz");
    NpzWriter.write(npz, arrays);
    arrays.remove("fc8/biases");
    Path noFc8 = tmp.resolve("no-fc8.npz");
    NpzWriter.write(noFc8, arrays);
    arrays.clear();   // one full-size model in the heap at a time

    AlexNetWeights own = AlexNetWeights.complete(npz);
    assertThat(own.numClasses()).isEqualTo(4);
    assertThat(own.biases("fc8").data()).containsExactly(fc8Biases);
    own = null;
    AlexNetWeights keptFc8 = AlexNetWeights.load(npz, Set.of("fc6"), ProgressListener.NONE);
    assertThat(keptFc8.numClasses()).as("fc8 loaded: its own 4 classes").isEqualTo(4);
    assertThat(keptFc8.isLoaded("fc6")).isFalse();
    keptFc8 = null;
    AlexNetWeights newFc8 = AlexNetWeights.load(npz, Set.of("fc8"), ProgressListener.NONE);
    assertThat(newFc8.numClasses()).as("fc8 skipped: ImageNet's 1000").isEqualTo(1000);
    assertThat(newFc8.isLoaded("fc8")).isFalse();
    newFc8 = null;

    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> AlexNetWeights.load(tmp.resolve("never-read.npz"), Set.of("fc9"), ProgressListener.NONE))
        .as("checked before the file is opened").isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("skip layer 'fc9'");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> AlexNetWeights.complete(noFc8))
        .isInstanceOf(WeightFileException.class).hasMessageContaining("no fc8/biases");
    assertThat(AlexNetWeights.load(noFc8, Set.of("fc8"), ProgressListener.NONE).numClasses())
        .as("a skipped fc8 need not be there").isEqualTo(1000);
  }

  private static int sizeOf(int[] shape) {
    int n = 1;
    for (int s : shape) {
      n *= s;
    }
    return n;
  }
}
