package org.alexnettfj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.alexnettfj.weights.AlexNetSpec;
import org.alexnettfj.weights.NpyWriter;
import org.alexnettfj.weights.WeightArray;
import org.alexnettfj.weights.WeightReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** predict and features end to end, on a full-size classic weight file with random values. */
class PredictAndFeaturesCommandTest {

  private static final Path IMAGES = Path.of("../data/src/test/resources/images");

  @TempDir
  static Path shared;
  private static Path weights;

  @TempDir
  Path tmp;

  @BeforeAll
  static void writeWeights() throws Exception {
    SplittableRandom rnd = new SplittableRandom(5);
    Map<String, WeightArray> arrays = new LinkedHashMap<>();
    for (AlexNetSpec.Layer l : AlexNetSpec.layers(1000)) {
      arrays.put(l.name() + "/weights", random(l.weightsShape(), rnd, 0.01));
      arrays.put(l.name() + "/biases", random(l.biasesShape(), rnd, 0.1));
    }
    weights = shared.resolve("bvlc_alexnet.npy");
    NpyWriter.writeClassic(weights, arrays, n -> n.startsWith("fc7/") || n.startsWith("fc8/"));
  }

  private static WeightArray random(int[] shape, SplittableRandom rnd, double scale) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
    }
    return WeightArray.of(shape, v);
  }

  private static Run run(String... args) {
    return Run.of(args);
  }

  @Test
  void predictJsonHasAnElementPerInputAndSkipsUnreadableImages() throws Exception {
    Path bad = Files.writeString(tmp.resolve("broken.jpg"), "nope");
    Run r = run("predict", "--weights", weights.toString(), "--top", "3", "--json",
        IMAGES.resolve("zebra.jpeg").toString(), bad.toString(), IMAGES.resolve("llama.jpeg").toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json).hasSize(3);
    assertThat(json.get(0).get("input").asText()).endsWith("zebra.jpeg");
    assertThat(json.get(0).get("top")).hasSize(3);
    JsonNode first = json.get(0).get("top").get(0);
    assertThat(first.get("index").asInt()).isBetween(0, 999);
    assertThat(first.get("label").asText()).isNotBlank();
    assertThat(first.get("probability").asDouble()).isBetween(0.0, 1.0);
    assertThat(json.get(1).get("error").asText()).isNotBlank();
    assertThat(r.err()).contains("skipped").contains("broken.jpg").contains("1 of 3 images could not be read");

    Run strict = run("predict", "--weights", weights.toString(), "--strict", bad.toString());
    assertThat(strict.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(strict.err()).contains("broken.jpg");
  }

  @Test
  void predictTextNamesEachImageAndItsClasses() {
    Run r = run("predict", "--weights", weights.toString(), IMAGES.resolve("sealion.jpeg").toString());
    assertThat(r.code()).as(r.err()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines).hasSize(6);
    assertThat(lines.get(0)).endsWith("sealion.jpeg");
    assertThat(lines.get(1)).matches("  \\S.* +0\\.\\d{4}");
  }

  @Test
  void featuresWriteAnNpyOfRowsAndTheInputsInOrder() throws Exception {
    Path list = Files.write(tmp.resolve("list.txt"), List.of(
        IMAGES.toAbsolutePath().resolve("llama.jpeg").toString(), "missing.jpeg",
        IMAGES.toAbsolutePath().resolve("zebra.jpeg").toString()));
    Path out = tmp.resolve("feats.npy");
    Run r = run("features", "--weights", weights.toString(), "--layer", "fc7", "--out", out.toString(),
        "--list", list.toString());
    assertThat(r.code()).as(r.err()).isZero();
    WeightArray feats = WeightReader.readArray(out);
    assertThat(feats.shape()).containsExactly(2, 4096);
    assertThat(Files.readAllLines(tmp.resolve("feats.txt"))).hasSize(2)
        .satisfiesExactly(a -> assertThat(a).endsWith("llama.jpeg"), b -> assertThat(b).endsWith("zebra.jpeg"));
    assertThat(r.err()).contains("missing.jpeg").contains("1 unreadable images skipped");

    Run again = run("features", "--weights", weights.toString(), "--out", out.toString(),
        IMAGES.resolve("llama.jpeg").toString());
    assertThat(again.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(again.err()).contains("--force");
  }

  @Test
  void meanImageOptionChangesTheInputTheModelSees() throws Exception {
    Path mean = Path.of("../weights/src/test/resources/fixtures/real/caffe-ilsvrc_2012_mean.npy");
    Path a = tmp.resolve("channel.npy");
    Path b = tmp.resolve("pixel.npy");
    Path image = IMAGES.resolve("zebra.jpeg");
    assertThat(run("features", "--weights", weights.toString(), "--layer", "conv1", "--out", a.toString(),
        image.toString()).code()).isZero();
    Run r = run("features", "--weights", weights.toString(), "--layer", "conv1", "--out", b.toString(),
        "--mean-image", mean.toString(), image.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(WeightReader.readArray(a).data()).as("a per-pixel mean differs from [104, 117, 124] somewhere")
        .isNotEqualTo(WeightReader.readArray(b).data());
  }

  @Test
  void inputTensorGivesTheSameFeaturesAsTheImage() throws Exception {
    float[] pre = new org.alexnettfj.data.Preprocessor(org.alexnettfj.data.PreprocessConfig.NOTEBOOK)
        .apply(IMAGES.resolve("llama.jpeg"));
    Path batch = tmp.resolve("batch.npy");
    NpyWriter.writePlain(batch, WeightArray.of(new int[] {1, 227, 227, 3}, pre));
    Path a = tmp.resolve("a.npy");
    Path b = tmp.resolve("b.npy");
    assertThat(run("features", "--weights", weights.toString(), "--layer", "pool5", "--out", a.toString(),
        "--input-tensor", batch.toString()).code()).isZero();
    assertThat(run("features", "--weights", weights.toString(), "--layer", "pool5", "--out", b.toString(),
        IMAGES.resolve("llama.jpeg").toString()).code()).isZero();
    assertThat(WeightReader.readArray(a).data()).hasSize(9216).isEqualTo(WeightReader.readArray(b).data());
  }
}
