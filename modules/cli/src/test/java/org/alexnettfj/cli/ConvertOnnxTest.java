package org.alexnettfj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.alexnettfj.testfixtures.RandomAlexNet;
import org.alexnettfj.weights.NpzWriter;
import org.alexnettfj.weights.WeightArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code alexnet convert IN OUT.onnx}: a fine-tuned model with its classes, opened and run by ONNX Runtime. */
class ConvertOnnxTest {

  @TempDir
  Path tmp;

  @Test
  void aFineTunedModelConvertsWithItsClassesAndOnnxRuntimeRunsIt() throws Exception {
    Map<String, WeightArray> arrays = RandomAlexNet.uniform(3, 9, 0.02, 0.1);
    Path model = tmp.resolve("model.npz");
    NpzWriter.write(model, arrays);
    Files.writeString(tmp.resolve("model.classes.txt"), "cat\ndog\nzebra\n");
    Path onnx = tmp.resolve("model.onnx");

    Run r = Run.of("convert", model.toString(), onnx.toString(), "--batch", "1");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("ONNX model, opset 17, batch 1");

    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession session = env.createSession(onnx.toString(), new OrtSession.SessionOptions());
        OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[227 * 227 * 3]),
            new long[] {1, 227, 227, 3});
        OrtSession.Result out = session.run(Map.of("images", in))) {
      float[][] prob = (float[][]) out.get("prob").orElseThrow().getValue();
      assertThat(prob[0]).hasSize(3);
      assertThat(prob[0][0] + prob[0][1] + prob[0][2]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
      assertThat(session.getMetadata().getCustomMetadata()).containsEntry("classes", "cat\ndog\nzebra");
    }

    Run inspect = Run.of("inspect", onnx.toString());
    assertThat(inspect.code()).as(inspect.err()).isZero();
    assertThat(inspect.out()).contains("onnx, ir 8, opset 17, producer alexnet-tfj")
        .containsPattern("conv1/weights\\s+\\(11, 11, 3, 96\\)").containsPattern("fc8/weights\\s+\\(4096, 3\\)");

    Run again = Run.of("convert", model.toString(), onnx.toString());
    assertThat(again.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(again.err()).contains("exists; add --force");
  }

  @Test
  void badInputIsRefusedInOneLineAndNothingIsWritten() {
    Path out = tmp.resolve("mini.onnx");
    Run mini = Run.of("convert", "../weights/src/test/resources/fixtures/bvlc-mini-py2.npy", out.toString());
    assertThat(mini.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(mini.err()).contains("conv1");
    Run batch = Run.of("convert", "../weights/src/test/resources/fixtures/bvlc-mini-py2.npy", out.toString(),
        "--batch", "0");
    assertThat(batch.code()).isEqualTo(AlexNetCli.EXIT_USAGE);
    assertThat(batch.err().strip()).isEqualTo("alexnet convert: --batch 0: give a size of at least 1, or dynamic");
    assertThat(out).doesNotExist();
  }
}
