package org.alexnettfj.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.alexnettfj.weights.AlexNetWeights;
import org.alexnettfj.weights.WeightArray;
import org.alexnettfj.weights.WeightFile;
import org.alexnettfj.weights.WeightFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exported model, run by ONNX Runtime (an independent implementation: its own Conv, LRN, pooling and Gemm
 * kernels), gives our TensorFlow graph's prob, logits and fc7 within 1e-5 of their largest values.
 */
class AlexNetOnnxTest {

  @TempDir
  Path tmp;

  private static WeightFile weights(int classes, long seed) {
    return TestData.randomWeightFile(seed, classes);
  }

  private static float[] images(int n) {
    return TestData.randomImages(11, n);
  }

  private void checkAgainstTensorFlow(WeightFile file, int batch, AlexNetOnnx.Options options) throws Exception {
    Path onnx = tmp.resolve("alexnet-" + options.batch() + "-" + file.arrays().get("fc8/biases").size() + ".onnx");
    AlexNetOnnx.export(file, onnx, false, options);
    float[] x = images(batch);
    Map<String, float[][]> ours = new LinkedHashMap<>();
    try (AlexNetModel model = AlexNetModel.builder().setWeights(AlexNetWeights.complete(file)).optMaxBatch(batch)
        .build()) {
      ours.put("prob", model.features(x, batch, "prob"));
      ours.put("logits", model.features(x, batch, "fc8"));
      ours.put("fc7", model.features(x, batch, "fc7"));
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING);
      try (OrtSession session = env.createSession(onnx.toString(), so);
          OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {batch, 227, 227, 3});
          OrtSession.Result r = session.run(Map.of("images", in))) {
        assertThat(session.getInputNames()).containsExactly("images");
        assertThat(session.getOutputNames()).containsExactlyInAnyOrder("prob", "logits", "fc7");
        for (Map.Entry<String, float[][]> e : ours.entrySet()) {
          float[][] theirs = (float[][]) r.get(e.getKey()).orElseThrow().getValue();
          assertClose(e.getKey(), e.getValue(), theirs);
        }
        if (options.classNames() != null) {
          assertThat(session.getMetadata().getCustomMetadata().get("classes"))
              .isEqualTo(String.join("\n", options.classNames()));
        }
      }
    }
  }

  private static void assertClose(String name, float[][] expected, float[][] actual) {
    assertThat(actual.length).isEqualTo(expected.length);
    double scale = 0;
    double worst = 0;
    for (int n = 0; n < expected.length; n++) {
      assertThat(actual[n].length).isEqualTo(expected[n].length);
      for (int i = 0; i < expected[n].length; i++) {
        scale = Math.max(scale, Math.abs(expected[n][i]));
        worst = Math.max(worst, Math.abs(expected[n][i] - actual[n][i]));
      }
    }
    assertThat(scale).as("%s must not be all zeros, or the check proves little", name).isGreaterThan(0);
    assertThat(worst / scale).as("%s: ONNX Runtime vs TensorFlow, largest difference / largest value", name)
        .isLessThanOrEqualTo(1e-5);
  }

  @Test
  void onnxRuntimeGivesOurNumbersWithADynamicBatch() throws Exception {
    checkAgainstTensorFlow(weights(1000, 1), 2, AlexNetOnnx.Options.defaults());
  }

  @Test
  void aFixedBatchAndAFineTunedModelWithItsClassesToo() throws Exception {
    checkAgainstTensorFlow(weights(3, 2), 2, new AlexNetOnnx.Options(2, 17, List.of("cat", "dog", "zebra")));
  }

  /** Opens each model named on the command line in ONNX Runtime with its warnings on (for the test below). */
  public static void main(String[] files) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING,
        "check");
    for (String f : files) {
      try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
        so.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING);
        try (OrtSession s = env.createSession(f, so)) {
          System.out.println("opened " + f + " " + s.getOutputNames());
        }
      }
    }
  }

  @Test
  void onnxRuntimeOpensEveryVariantWithoutAWarning() throws Exception {
    List<String> files = new java.util.ArrayList<>();
    int i = 0;
    for (AlexNetOnnx.Options o : List.of(new AlexNetOnnx.Options(0, 13, null), new AlexNetOnnx.Options(1, 17, null),
        new AlexNetOnnx.Options(0, 19, null), new AlexNetOnnx.Options(4, 18, List.of("a", "b", "c")))) {
      Path f = tmp.resolve("variant" + i++ + ".onnx");
      AlexNetOnnx.export(weights(o.classNames() == null ? 1000 : 3, i), f, false, o);
      files.add(f.toString());
    }
    List<String> command = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), AlexNetOnnxTest.class.getName()));
    command.addAll(files);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out.lines().filter(l -> l.startsWith("opened "))).as(out).hasSize(files.size());
    assertThat(out).as("ONNX Runtime's warnings").doesNotContain("[W:").doesNotContain("[E:");
  }

  @Test
  void aPathThatCannotBeWrittenIsAClearErrorAndLeavesNothing() throws Exception {
    // (the tests run as root, which writes into read-only folders: a folder that is a file cannot be written)
    Path file = Files.writeString(tmp.resolve("not-a-folder"), "x");
    Path out = file.resolve("a.onnx");
    assertThatThrownBy(() -> AlexNetOnnx.export(weights(1000, 5), out, false, AlexNetOnnx.Options.defaults()))
        .isInstanceOf(java.io.IOException.class).hasMessageContaining("not-a-folder");
    assertThat(Files.readString(file)).isEqualTo("x");
  }

  @Test
  void theExportReadsBackToTheSameArraysBitForBit() throws Exception {
    WeightFile file = weights(1000, 4);
    Path onnx = tmp.resolve("roundtrip.onnx");
    AlexNetOnnx.export(file, onnx, false, AlexNetOnnx.Options.defaults());
    WeightFile back = org.alexnettfj.weights.WeightReader.read(onnx);
    assertThat(back.format()).contains("onnx, ir 8, opset 17, producer alexnet-tfj");
    assertThat(back.arrays().keySet()).containsExactlyElementsOf(file.arrays().keySet());
    for (Map.Entry<String, WeightArray> e : file.arrays().entrySet()) {
      WeightArray b = back.array(e.getKey());
      assertThat(b.shape()).as(e.getKey()).containsExactly(e.getValue().shape());
      assertThat(java.util.Arrays.equals(b.data(), e.getValue().data())).as(e.getKey() + " bit for bit").isTrue();
    }
  }

  @Test
  void incompleteWeightsAnExistingFileAndBadOptionsAreRefusedAndNothingIsWritten() throws Exception {
    WeightFile full = weights(1000, 3);
    Map<String, WeightArray> missing = new LinkedHashMap<>(full.arrays());
    missing.remove("conv3/weights");
    Path out = tmp.resolve("bad.onnx");
    assertThatThrownBy(() -> AlexNetOnnx.export(new WeightFile("x.npy", "test", missing), out, false,
        AlexNetOnnx.Options.defaults())).isInstanceOf(WeightFileException.class).hasMessageContaining("conv3");
    assertThat(out).doesNotExist();
    Files.writeString(out, "keep me");
    assertThatThrownBy(() -> AlexNetOnnx.export(full, out, false, AlexNetOnnx.Options.defaults()))
        .isInstanceOf(FileAlreadyExistsException.class).hasMessageContaining("--force");
    assertThat(Files.readString(out)).isEqualTo("keep me");
    assertThatThrownBy(() -> new AlexNetOnnx.Options(0, 11, null)).hasMessageContaining("opset 11");
    assertThatThrownBy(() -> AlexNetOnnx.export(full, tmp.resolve("c.onnx"), false,
        new AlexNetOnnx.Options(0, 17, List.of("a", "b")))).hasMessageContaining("2 class names");
    try (var left = Files.list(tmp)) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("partial"));
    }
  }
}
