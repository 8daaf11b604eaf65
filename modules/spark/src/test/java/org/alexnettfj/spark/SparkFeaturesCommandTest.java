package org.alexnettfj.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.alexnettfj.testfixtures.CaffeMean;
import org.alexnettfj.weights.NpyWriter;
import org.alexnettfj.weights.WeightArray;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code alexnet-spark features} as tools/alexnet-spark runs it: Spark started and stopped by the command. */
class SparkFeaturesCommandTest {

  @TempDir
  Path tmp;

  /** One invocation: exit code, stdout, stderr. */
  private record Run(int code, String out, String err) {
    static Run of(String... args) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code = AlexNetSpark.run(args, new PrintWriter(out), new PrintWriter(err));
      return new Run(code, out.toString(), err.toString());
    }
  }

  @AfterAll
  static void free() {
    ExecutorModels.closeAll();
  }

  @Test
  void writesParquetRowsForEveryImageAndReportsTheUnreadableOne() throws Exception {
    Path photos = TestImages.folder(tmp.resolve("photos"));
    Files.write(photos.resolve("empty.jpg"), new byte[0]);
    Files.write(photos.resolve(".hidden.jpg"), new byte[10]);
    Path out = tmp.resolve("feats.parquet");
    Run r = Run.of("features", "--weights", TestWeights.file().toString(), "--input", photos.toString(),
        "--out", out.toString(), "--layer", "fc8", "--master", "local[2]", "--batch-size", "2");
    assertThat(r.code()).as("some images unreadable: every row written, exit 3; %s", r.err())
        .isEqualTo(org.alexnettfj.cli.AlexNetCli.EXIT_SOME_INPUTS_FAILED);
    assertThat(r.err()).as("the summary").contains("wrote " + out).contains("5 rows of fc8")
        .contains("2 unreadable").containsPattern("unreadable \\S*broken\\.jpeg: ")
        .containsPattern("unreadable \\S*empty\\.jpg: ")
        .contains("2 of the 7 files in " + photos + " left out");
    try (var left = Files.list(tmp)) {
      assertThat(left.map(p -> p.getFileName().toString())).as("no .partial left").doesNotContain(
          ".feats.parquet.partial");
    }
    assertThat(SparkSession.getDefaultSession().isDefined()).as("the command stops the Spark it started").isFalse();

    SparkSession spark = SparkSession.builder().master("local[1]").getOrCreate();
    try {
      List<Row> rows = spark.read().parquet(out.toString()).orderBy("path").collectAsList();
      assertThat(rows).extracting(row -> row.getString(0).substring(row.getString(0).lastIndexOf('/') + 1))
          .containsExactly("broken.jpeg", "empty.jpg", "llama.jpeg", "sealion.jpeg", "zebra.jpeg");
      assertThat(rows.get(1).getString(2)).contains("empty");
      assertThat(rows.get(2).getList(1)).as("fc8: 1000 class scores").hasSize(1000);
      assertThat(rows.get(0).isNullAt(1)).as("the broken file has no features").isTrue();
    } finally {
      spark.stop();
      SparkSession.clearDefaultSession();
      SparkSession.clearActiveSession();
    }

    Run again = Run.of("features", "--weights", TestWeights.file().toString(), "--input", photos.toString(),
        "--out", out.toString());
    assertThat(again.code()).as("an existing output").isEqualTo(AlexNetSpark.EXIT_BAD_INPUT);
    assertThat(again.err()).contains(out.toString()).contains("--force");
  }

  @Test
  void missingWeightsSayWhereTheyGoBeforeSparkStarts() {
    Run r = Run.of("features", "--weights", tmp.resolve("bvlc_alexnet.npy").toString(), "--input", tmp.toString(),
        "--out", tmp.resolve("o.parquet").toString());
    assertThat(r.code()).isEqualTo(AlexNetSpark.EXIT_BAD_INPUT);
    assertThat(r.err().strip()).as("one line, as alexnet predict says it").startsWith("alexnet-spark features: ")
        .contains("bvlc_alexnet.npy: no such file").contains("put your copy of bvlc_alexnet.npy in weights/")
        .doesNotContain("\n");
    assertThat(SparkSession.getDefaultSession().isDefined()).isFalse();
  }

  @Test
  void weightsOfTheWrongShapesStopTheRunInTheDriverWithoutATrace() throws Exception {
    Path wrong = tmp.resolve("wrong.npz");
    java.util.Map<String, WeightArray> arrays = new java.util.LinkedHashMap<>();
    for (org.alexnettfj.weights.AlexNetSpec.Layer l : org.alexnettfj.weights.AlexNetSpec.layers(1000)) {
      int[] shape = l.weightsShape().clone();
      shape[shape.length - 1] = 2;   // every layer's output count wrong
      int n = 1;
      for (int d : shape) {
        n *= d;
      }
      arrays.put(l.name() + "/weights", WeightArray.of(shape, new float[n]));
      arrays.put(l.name() + "/biases", WeightArray.of(l.biasesShape(), new float[l.biasesShape()[0]]));
    }
    org.alexnettfj.weights.NpzWriter.write(wrong, arrays);
    Path photos = TestImages.folder(tmp.resolve("wrong-photos"));
    Run r = Run.of("features", "--weights", wrong.toString(), "--input", photos.toString(), "--out",
        tmp.resolve("w.parquet").toString(), "--master", "local[2]");
    assertThat(r.code()).isEqualTo(AlexNetSpark.EXIT_BAD_INPUT);
    assertThat(r.err()).startsWith("alexnet-spark features: ").contains("wrong.npz")
        .contains("conv1").contains("expected").doesNotContain("Exception in task").doesNotContain("\tat ");
    assertThat(SparkSession.getDefaultSession().isDefined()).as("checked before Spark starts").isFalse();
    assertThat(tmp.resolve("w.parquet")).doesNotExist();
  }

  @Test
  void aMeanImageThatIsNotOneStopsTheRunBeforeSparkStarts() throws Exception {
    Path notAMean = tmp.resolve("mean.npy");
    NpyWriter.writePlain(notAMean, WeightArray.of(new int[] {256, 256}, new float[256 * 256]));
    Run bad = Run.of("features", "--weights", TestWeights.file().toString(), "--input", tmp.toString(),
        "--out", tmp.resolve("o.parquet").toString(), "--mean-image", notAMean.toString());
    assertThat(bad.code()).isEqualTo(AlexNetSpark.EXIT_BAD_INPUT);
    assertThat(bad.err()).contains(notAMean.toString()).contains("(3, height, width)").contains("(256, 256)");
    Run missing = Run.of("features", "--weights", TestWeights.file().toString(), "--input", tmp.toString(),
        "--out", tmp.resolve("o.parquet").toString(), "--mean-image", tmp.resolve("nowhere.npy").toString());
    assertThat(missing.code()).isEqualTo(AlexNetSpark.EXIT_BAD_INPUT);
    assertThat(missing.err()).contains("nowhere.npy: no such mean image");
    assertThat(SparkSession.getDefaultSession().isDefined()).isFalse();
  }

  @Test
  void weightsAndAMeanImageOfTheSameFileNameAreRefusedBeforeSparkStarts() throws Exception {
    Path mean = tmp.resolve("mean").resolve(TestWeights.file().getFileName());
    Files.createDirectories(mean.getParent());
    Files.copy(CaffeMean.file(), mean);
    Run r = Run.of("features", "--weights", TestWeights.file().toString(), "--input", tmp.toString(),
        "--out", tmp.resolve("o.parquet").toString(), "--mean-image", mean.toString());
    assertThat(r.code()).isEqualTo(AlexNetSpark.EXIT_BAD_INPUT);
    assertThat(r.err()).contains("have the same file name, " + TestWeights.file().getFileName())
        .contains("Spark ships files to its executors by name");
    assertThat(SparkSession.getDefaultSession().isDefined()).isFalse();
  }

  @Test
  void folderWithoutImagesIsAnErrorNotAnEmptyOutput() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    Files.writeString(empty.resolve("readme.txt"), "no images here");
    Path out = tmp.resolve("o.parquet");
    Run r = Run.of("features", "--weights", TestWeights.file().toString(), "--input", empty.toString(),
        "--out", out.toString(), "--master", "local[1]");
    assertThat(r.code()).isEqualTo(AlexNetSpark.EXIT_BAD_INPUT);
    assertThat(r.err()).contains("no images in " + empty);
    assertThat(out).as("nothing written").doesNotExist();
  }

  @Test
  void inputAndListAreOneOrTheOther() {
    Run r = Run.of("features", "--weights", TestWeights.file().toString(), "--input", "a", "--list", "b",
        "--out", tmp.resolve("o.parquet").toString());
    assertThat(r.code()).isNotZero();
    assertThat(r.err()).contains("mutually exclusive");
  }
}
