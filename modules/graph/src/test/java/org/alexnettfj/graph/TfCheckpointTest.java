package org.alexnettfj.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileNotFoundException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.alexnettfj.weights.WeightArray;
import org.alexnettfj.weights.WeightFile;
import org.alexnettfj.weights.WeightFileException;
import org.alexnettfj.weights.WeightReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

class TfCheckpointTest {

  private static final Path MINI = Path.of("../weights/src/test/resources/fixtures/bvlc-mini-py2.npy");

  @TempDir
  Path tmp;

  @Test
  void writeThenReadGivesEveryArrayBackBitForBitInAlexNetOrder() throws Exception {
    WeightFile mini = WeightReader.read(MINI);
    Path prefix = tmp.resolve("mini.ckpt");
    TfCheckpoint.write(prefix, mini.arrays(), false);

    try (var files = Files.list(tmp)) {
      assertThat(files).as("the prefix's two V2 files and nothing else: no temporary folder left")
          .containsExactlyInAnyOrder(tmp.resolve("mini.ckpt.index"), tmp.resolve("mini.ckpt.data-00000-of-00001"));
    }
    WeightFile back = TfCheckpoint.read(prefix);
    assertThat(back.arrays().keySet()).as("conv1 … fc8, weights before biases, whatever order the file had")
        .containsExactly("conv1/weights", "conv1/biases", "conv2/weights", "conv2/biases", "conv3/weights",
            "conv3/biases", "conv4/weights", "conv4/biases", "conv5/weights", "conv5/biases", "fc6/weights",
            "fc6/biases", "fc7/weights", "fc7/biases", "fc8/weights", "fc8/biases");
    mini.arrays().forEach((name, a) -> {
      assertThat(back.array(name).shape()).as(name + ": shape read from the checkpoint").containsExactly(a.shape());
      assertThat(back.array(name).data()).as(name + ": same float32 bits").isEqualTo(a.data());
    });
    assertThat(back.format()).startsWith("TensorFlow checkpoint (V2)");
  }

  @Test
  void addSaverWritesTheNamedVariablesTransposedAndRestoresThemBack() throws Exception {
    float[] held = {1, 2, 3, 4, 5, 6}; // [2, 3], held as a graph holds fc weights: [out, in]
    Path prefix = tmp.resolve("t.ckpt");
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Variable<TFloat32> w = savedGraph(g);
      s.runner().addTarget(Ops.create(g).assign(w, Ops.create(g).constant(new float[][] {{1, 2, 3}, {4, 5, 6}})))
          .run().close();
      s.save(prefix.toString());
    }
    WeightArray written = TfCheckpoint.read(prefix).array("fc8/weights");
    assertThat(written.shape()).as("the transposed layout on disk").containsExactly(3, 2);
    assertThat(written.data()).containsExactly(1, 4, 2, 5, 3, 6);

    try (Graph g = new Graph(); Session s = new Session(g)) {
      Variable<TFloat32> w = savedGraph(g);
      s.restore(prefix.toString());
      try (Result r = s.runner().fetch(w).run()) {
        float[] back = new float[6];
        ((TFloat32) r.get(0)).copyTo(DataBuffers.of(back, false, false));
        assertThat(back).as("restored into the held layout").containsExactly(held);
      }
    }
  }

  @Test
  void addSaverRefusesAGraphWithoutVariablesNamesThatAreNoTransposableVariableAndASecondSaver() {
    try (Graph empty = new Graph()) {
      assertThatThrownBy(() -> TfCheckpoint.addSaver(empty, Set.of()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no variables to save");
    }
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      tf.withName("bias").variable(Shape.of(3), TFloat32.class);
      assertThatThrownBy(() -> TfCheckpoint.addSaver(g, Set.of("fc6/weights")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no variables [fc6/weights]");
      assertThatThrownBy(() -> TfCheckpoint.addSaver(g, Set.of("bias")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bias is not a 2-D float array");
      TfCheckpoint.addSaver(g, Set.of());
      assertThatThrownBy(() -> TfCheckpoint.addSaver(g, Set.of()))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("already has a saver");
    }
  }

  /** {@code fc8/weights} [2, 3] saved transposed, and {@code fc8/biases}, as a trainer's graph would hold them. */
  private static Variable<TFloat32> savedGraph(Graph g) {
    Ops fc8 = Ops.create(g).withSubScope("fc8");
    Variable<TFloat32> w = fc8.withName("weights").variable(Shape.of(2, 3), TFloat32.class);
    fc8.withName("biases").variable(fc8.constant(new float[] {7, 8}));
    TfCheckpoint.addSaver(g, Set.of("fc8/weights"));
    return w;
  }

  @Test
  void eitherFileNamesTheCheckpoint() throws Exception {
    Path prefix = tmp.resolve("m.ckpt");
    TfCheckpoint.write(prefix, Map.of("fc8/biases", WeightArray.of(new int[] {3}, new float[] {1, 2, 3})), false);
    assertThat(TfCheckpoint.prefixOf(tmp.resolve("m.ckpt.index"))).isEqualTo(prefix);
    assertThat(TfCheckpoint.prefixOf(tmp.resolve("m.ckpt.data-00000-of-00001"))).isEqualTo(prefix);
    assertThat(TfCheckpoint.exists(tmp.resolve("m.ckpt.index"))).isTrue();
    assertThat(TfCheckpoint.read(tmp.resolve("m.ckpt.index")).array("fc8/biases").data())
        .containsExactly(1, 2, 3);
  }

  @Test
  void readLeavesOutOptimizerSlotsAndSaysSo() throws Exception {
    Map<String, WeightArray> arrays = new LinkedHashMap<>();
    arrays.put("fc8/weights", WeightArray.of(new int[] {2, 5}, new float[10]));
    arrays.put("fc8/biases", WeightArray.of(new int[] {5}, new float[] {1, 2, 3, 4, 5}));
    arrays.put("fc8/weights/Momentum", WeightArray.of(new int[] {2, 5}, new float[10]));
    Path prefix = tmp.resolve("finetuned.ckpt");
    TfCheckpoint.write(prefix, arrays, false);

    WeightFile back = TfCheckpoint.read(prefix);
    assertThat(back.arrays().keySet()).as("only AlexNet's variables; fc8 has the 5 classes the checkpoint has")
        .containsExactly("fc8/weights", "fc8/biases");
    assertThat(back.array("fc8/biases").shape()).containsExactly(5);
    assertThat(back.format()).contains("left out [fc8/weights/Momentum]");
  }

  @Test
  void refusesToOverwriteUnlessAskedAndThenReplacesIt() throws Exception {
    Path prefix = tmp.resolve("x.ckpt");
    Map<String, WeightArray> one = Map.of("fc8/biases", WeightArray.of(new int[] {1}, new float[] {1}));
    Map<String, WeightArray> two = Map.of("fc8/biases", WeightArray.of(new int[] {1}, new float[] {2}));
    TfCheckpoint.write(prefix, one, false);
    assertThatThrownBy(() -> TfCheckpoint.write(prefix, two, false))
        .isInstanceOf(FileAlreadyExistsException.class).hasMessageContaining("add --force");
    assertThat(TfCheckpoint.read(prefix).array("fc8/biases").data()).containsExactly(1);

    TfCheckpoint.write(prefix, two, true);
    assertThat(TfCheckpoint.read(prefix).array("fc8/biases").data()).containsExactly(2);
    try (var files = Files.list(tmp)) {
      assertThat(files).hasSize(2);
    }
  }

  @Test
  void missingOrCorruptCheckpointFailsWithOneLine() throws Exception {
    assertThatThrownBy(() -> TfCheckpoint.read(tmp.resolve("nope.ckpt")))
        .isInstanceOf(FileNotFoundException.class).hasMessageContaining("no nope.ckpt.index")
        .hasMessageNotContaining("\n");

    Files.writeString(tmp.resolve("bad.ckpt.index"), "not a table");
    assertThatThrownBy(() -> TfCheckpoint.read(tmp.resolve("bad.ckpt")))
        .isInstanceOf(WeightFileException.class).hasMessageContaining("not a readable TensorFlow checkpoint")
        .hasMessageNotContaining("\n");
  }
}
