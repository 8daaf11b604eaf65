package org.alexnettfj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.alexnettfj.testfixtures.CaffeMean;
import org.alexnettfj.testfixtures.RandomAlexNet;
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
    Map<String, WeightArray> arrays = RandomAlexNet.uniform(1000, 5, 0.01, 0.1);
    weights = shared.resolve("bvlc_alexnet.npy");
    NpyWriter.writeClassic(weights, arrays, n -> n.startsWith("fc7/") || n.startsWith("fc8/"));
  }

  /** The largest difference of two feature files' values, relative to the first's largest magnitude. */
  private static double largestDifference(Path expected, Path actual) throws Exception {
    float[] a = WeightReader.readArray(expected).data();
    float[] b = WeightReader.readArray(actual).data();
    double scale = 0;
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      scale = Math.max(scale, Math.abs(a[i]));
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    return worst / scale;
  }

  private static Run run(String... args) {
    return Run.of(args);
  }

  @Test
  void featuresInBf16AreCloseToFp32WhereTheCoreRunsItAndRefusedWithAReasonElsewhere() throws Exception {
    String zebra = IMAGES.resolve("zebra.jpeg").toString();
    Path exact = tmp.resolve("fp32.npy");
    Path approximate = tmp.resolve("bf16.npy");
    assertThat(run("features", "--weights", weights.toString(), "--out", exact.toString(), zebra).code()).isZero();
    Run r = run("features", "--weights", weights.toString(), "--precision", "bf16", "--out", approximate.toString(),
        zebra);
    if (!org.alexnettfj.graph.OneDnn.enabled() || !org.alexnettfj.graph.CpuFeatures.bf16()) {
      assertThat(r.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
      assertThat(r.err()).contains("precision bf16 needs");
      return;
    }
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(largestDifference(exact, approximate)).as("fc7 in bf16 against fp32, relative to its largest value")
        .isLessThan(0.03).isGreaterThan(0);
    Run bad = run("predict", "--weights", weights.toString(), "--precision", "fp16", zebra);
    assertThat(bad.code()).isNotZero();
    assertThat(bad.err()).contains("expected fp32 or bf16");
  }

  @Test
  void predictJsonHasAnElementPerInputAndSkipsUnreadableImages() throws Exception {
    Path bad = Files.writeString(tmp.resolve("broken.jpg"), "nope");
    Run r = run("predict", "--weights", weights.toString(), "--top", "3", "--json",
        IMAGES.resolve("zebra.jpeg").toString(), bad.toString(), IMAGES.resolve("llama.jpeg").toString());
    assertThat(r.code()).as("the others predicted, then exit 3: %s", r.err())
        .isEqualTo(AlexNetCli.EXIT_SOME_INPUTS_FAILED);
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
    assertThat(r.code()).as("the others written, then exit 3: %s", r.err())
        .isEqualTo(AlexNetCli.EXIT_SOME_INPUTS_FAILED);
    WeightArray feats = WeightReader.readArray(out);
    assertThat(feats.shape()).containsExactly(2, 4096);
    assertThat(Files.readAllLines(tmp.resolve("feats.txt"))).hasSize(2)
        .satisfiesExactly(a -> assertThat(a).endsWith("llama.jpeg"), b -> assertThat(b).endsWith("zebra.jpeg"));
    assertThat(r.err()).contains("missing.jpeg");
    assertThat(r.out()).as("what was written: the result, on stdout").contains("1 unreadable images skipped");

    Run again = run("features", "--weights", weights.toString(), "--out", out.toString(),
        IMAGES.resolve("llama.jpeg").toString());
    assertThat(again.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(again.err()).contains("--force");

    // only unreadable inputs: exit 1 and no [0, 4096] file a script would take for a result
    Path none = tmp.resolve("none.npy");
    Run nothing = run("features", "--weights", weights.toString(), "--out", none.toString(),
        tmp.resolve("missing.jpeg").toString(), Files.writeString(tmp.resolve("text.jpg"), "nope").toString());
    assertThat(nothing.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(nothing.err()).contains("none of the 2 images could be read; nothing written");
    assertThat(none).doesNotExist();
    assertThat(tmp.resolve("none.txt")).doesNotExist();
    try (var left = Files.list(tmp)) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".none.npy"));
    }
  }

  @Test
  void helpListsTheExitCodes() {
    for (String command : List.of("predict", "features", "evaluate", "finetune")) {
      Run help = run(command, "--help");
      assertThat(help.out()).as(command).contains("Exit codes:")
          .contains("1   bad input; nothing").contains("3   some inputs could not be read (each named on stderr)");
    }
  }

  @Test
  void meanImageOptionChangesTheInputTheModelSees() throws Exception {
    Path mean = CaffeMean.file();
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

  @Test
  void featuresOnTwoCpuTowersEqualOneDeviceAndTheLogShowsEachTowersHalf() throws Exception {
    String zebra = IMAGES.resolve("zebra.jpeg").toString();
    String llama = IMAGES.resolve("llama.jpeg").toString();
    Path one = tmp.resolve("one.npy");
    Path two = tmp.resolve("two.npy");
    assertThat(run("features", "--weights", weights.toString(), "--layer", "fc8", "--device", "/CPU:0",
        "--out", one.toString(), zebra, llama).code()).isZero();

    Run r = run("features", "--weights", weights.toString(), "--layer", "fc8", "--towers", "2",
        "--devices", "/CPU:0,/CPU:1", "--cpu-devices", "2", "--log-placement", "--out", two.toString(), zebra, llama);

    assertThat(r.code()).as(r.err()).isZero();
    // as in AlexNetModelTest: conv3, fc6 and fc7 are computed in halves, which may round differently
    assertThat(largestDifference(one, two)).as("largest fc8 difference, two towers vs one device, relative to the "
        + "largest logit").isLessThanOrEqualTo(1e-5);
    assertThat(r.err()).as(r.err())
        .contains("op placement (towers /CPU:0, /CPU:1 (CPU split into 2 devices)) computing fc8")
        .containsPattern("\\n  conv2 +/CPU:0 \\d+, /CPU:1 \\d+\\n")
        .containsPattern("\\n  /CPU:1 +conv5/tower1/\\S+ ")
        .containsPattern("\\n  /CPU:0 +conv5/tower0/\\S+ ")
        .containsPattern(org.alexnettfj.graph.OneDnn.enabled() ? "\\n  /CPU:0 +norm2/\\S+ +Rsqrt\\n"
            : "\\n  /CPU:0 +norm2 +LRN\\n")
        .contains("tensors copied between devices: 8");
  }

  @Test
  void predictOnTheFirstCpuGivesTheDefaultAnswer() {
    String sealion = IMAGES.resolve("sealion.jpeg").toString();
    Run plain = run("predict", "--weights", weights.toString(), "--json", sealion);
    Run cpu = run("predict", "--weights", weights.toString(), "--json", "--device", "/cpu:0", sealion);

    assertThat(cpu.code()).as(cpu.err()).isZero();
    assertThat(cpu.out()).as("JSON on /CPU:0 vs TensorFlow's choice").isEqualTo(plain.out());
  }

  @Test
  void aMissingDeviceOrMisusedTowerOptionsFailWithOneLine() {
    String image = IMAGES.resolve("zebra.jpeg").toString();
    Map<List<String>, String> cases = Map.of(
        List.of("--device", "/GPU:99"), "alexnet predict: device /GPU:99 does not exist here: TensorFlow sees /CPU:0",
        List.of("--device", "GPU"), "alexnet predict: 'GPU' is not a device name: expected /CPU:N or /GPU:N",
        List.of("--towers", "3", "--devices", "/CPU:0,/CPU:1"), "alexnet predict: --towers must be 2",
        List.of("--towers", "2"), "alexnet predict: --towers 2 needs two devices, e.g. --devices /GPU:0,/GPU:1",
        List.of("--devices", "/CPU:0,/CPU:1"), "alexnet predict: --devices goes with --towers 2",
        List.of("--towers", "2", "--devices", "/CPU:0,/CPU:1"), "alexnet predict: device /CPU:1 does not exist here");
    cases.forEach((options, message) -> {
      List<String> args = new java.util.ArrayList<>(List.of("predict", "--weights", weights.toString()));
      args.addAll(options);
      args.add(image);
      Run r = run(args.toArray(String[]::new));

      // a device that is not there is found by TensorFlow (1); options that cannot go together are usage (2)
      int expected = message.contains("device") && !message.contains("--") ? AlexNetCli.EXIT_BAD_INPUT
          : AlexNetCli.EXIT_USAGE;
      assertThat(r.code()).as("exit code with %s", options).isEqualTo(expected);
      assertThat(r.err().lines().toList()).as("stderr with %s", options)
          .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING).startsWith(message);
    });
  }
}
