package org.alexnettfj.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileNotFoundException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.alexnettfj.cli.AlexNetCli;
import org.alexnettfj.graph.AlexNetModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecutorModelsTest {

  @TempDir
  Path tmp;

  @AfterAll
  static void free() {
    ExecutorModels.closeAll();
  }

  @Test
  void tasksAskingAtOnceShareOneLoadedModel() throws Exception {
    ExecutorModels.Key key = new ExecutorModels.Key(TestWeights.file(), 8, 1, 2);
    int before = ExecutorModels.loads();
    ExecutorService tasks = Executors.newFixedThreadPool(4);
    try {
      List<Future<AlexNetModel>> got = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        got.add(tasks.submit((Callable<AlexNetModel>) () -> ExecutorModels.get(key)));
      }
      AlexNetModel first = got.get(0).get();
      for (Future<AlexNetModel> f : got) {
        assertThat(f.get()).as("every task gets the same model").isSameAs(first);
      }
    } finally {
      tasks.shutdown();
    }
    assertThat(ExecutorModels.loads() - before).as("loads for four tasks asking at once").isEqualTo(1);
    assertThat(ExecutorModels.get(new ExecutorModels.Key(TestWeights.file(), 8, 1, 2)))
        .as("an equal key later").isSameAs(ExecutorModels.get(key));
    assertThat(ExecutorModels.loads() - before).isEqualTo(1);
    assertThat(ExecutorModels.get(key).maxBatch()).as("the key's batch size reaches the model").isEqualTo(8);
  }

  @Test
  void weightsThatAreAFileHereAreReadInPlace() throws Exception {
    Path w = Files.writeString(tmp.resolve("bvlc_alexnet.npy"), "x");
    assertThat(ExecutorModels.resolveFile(w.toString(), tmp.resolve("shipped"))).isEqualTo(w.toAbsolutePath());
  }

  @Test
  void weightsMissingHereAreFoundByNameAmongTheFilesSparkShipped() throws Exception {
    Path shipped = Files.createDirectories(tmp.resolve("spark-files"));
    Files.writeString(shipped.resolve("model.npz"), "x");
    assertThat(ExecutorModels.resolveFile("/driver/home/model.npz", shipped)).as("a driver-local path")
        .isEqualTo(shipped.resolve("model.npz"));
    assertThat(ExecutorModels.resolveFile("hdfs://nn:8020/models/model.npz", shipped)).as("a URI")
        .isEqualTo(shipped.resolve("model.npz"));
  }

  @Test
  void weightsFoundNowhereNameBothPlacesLookedIn() {
    assertThatThrownBy(() -> ExecutorModels.resolveFile("/nowhere/bvlc_alexnet.npy", tmp))
        .isInstanceOf(FileNotFoundException.class).hasMessageContaining("/nowhere/bvlc_alexnet.npy")
        .hasMessageContaining(tmp.toString()).hasMessageContaining("--files");
  }

  @Test
  void missingWeightsGiveTheMessageOfAlexnetPredict() {
    Path missing = tmp.resolve("bvlc_alexnet.npy");
    StringWriter err = new StringWriter();
    int code = AlexNetCli.run(new String[] {"predict", "--weights", missing.toString(),
        TestImages.PHOTOS.resolve("zebra.jpeg").toString()}, new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertThat(code).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    String predictSays = err.toString().strip().replaceFirst("^alexnet predict: ", "");

    assertThatThrownBy(() -> ExecutorModels.requireWeightsFile(missing)).isInstanceOf(FileNotFoundException.class)
        .hasMessage(predictSays).hasMessageContaining("put your copy of bvlc_alexnet.npy in weights/");
  }
}
