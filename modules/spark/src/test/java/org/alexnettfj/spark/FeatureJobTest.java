package org.alexnettfj.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.alexnettfj.cli.AlexNetCli;
import org.alexnettfj.data.Mean;
import org.alexnettfj.data.PreprocessConfig;
import org.alexnettfj.graph.AlexNetPredictor;
import org.alexnettfj.testfixtures.CaffeMean;
import org.alexnettfj.weights.WeightArray;
import org.alexnettfj.weights.WeightReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job in {@code local[2]} (two task threads in this JVM, which is then the one executor) on real photos,
 * against the single-machine {@code alexnet features} command on the same files and weights.
 */
class FeatureJobTest {

  @TempDir
  static Path tmp;
  private static SparkSession spark;
  private static Path images;
  private static Path weights;
  /** fc7 rows of {@code alexnet features}, by file name. */
  private static Map<String, float[]> cliFc7;

  @BeforeAll
  static void start() throws Exception {
    weights = TestWeights.file();
    images = TestImages.folder(tmp.resolve("photos"));
    cliFc7 = cliFeatures("fc7");
    spark = SparkSession.builder().master("local[2]").appName("FeatureJobTest")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate();
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
    SparkSession.clearActiveSession();
    SparkSession.clearDefaultSession();
    ExecutorModels.closeAll();
  }

  /** What the single-machine command writes for the folder's images, by file name. */
  private static Map<String, float[]> cliFeatures(String layer) throws Exception {
    Path out = tmp.resolve("cli-" + layer + ".npy");
    List<String> args = new ArrayList<>(List.of("features", "--weights", weights.toString(), "--layer", layer,
        "--threads", "2", "--out", out.toString()));
    for (String name : TestImages.GOOD) {
      args.add(images.resolve(name).toString());
    }
    args.add(images.resolve(TestImages.BROKEN).toString());
    StringWriter err = new StringWriter();
    int code = AlexNetCli.run(args.toArray(String[]::new), new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertThat(code).as("alexnet features, one photo broken: the rest written, exit 3: %s", err)
        .isEqualTo(AlexNetCli.EXIT_SOME_INPUTS_FAILED);
    WeightArray rows = WeightReader.readArray(out);
    List<String> inputs = Files.readAllLines(tmp.resolve("cli-" + layer + ".txt"));
    assertThat(inputs).as("the CLI skips the broken file").hasSize(TestImages.GOOD.size());
    Map<String, float[]> byName = new HashMap<>();
    int width = rows.dim(1);
    for (int i = 0; i < inputs.size(); i++) {
      float[] row = new float[width];
      System.arraycopy(rows.data(), i * width, row, 0, width);
      byName.put(Path.of(inputs.get(i)).getFileName().toString(), row);
    }
    return byName;
  }

  private static Map<String, Row> byName(Dataset<Row> rows) {
    Map<String, Row> m = new HashMap<>();
    for (Row r : rows.collectAsList()) {
      m.put(r.getString(0).substring(r.getString(0).lastIndexOf('/') + 1), r);
    }
    return m;
  }

  private static float[] floats(Row r) {
    List<Float> list = r.getList(1);
    float[] f = new float[list.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = list.get(i);
    }
    return f;
  }

  @Test
  void parquetFeaturesAreTheFeaturesCommandsForTheSameWeights() {
    Dataset<String> paths = FeatureJob.listImages(spark, images.toString(), FeatureJob.IMAGE_FILTER).repartition(2);
    Path out = tmp.resolve("fc7.parquet");
    FeatureJob.extract(paths, new FeatureJob.Settings(weights.toString(), "fc7", 64, 0)).write()
        .parquet(out.toString());

    Dataset<Row> written = spark.read().parquet(out.toString());
    assertThat(written.schema()).as("the Parquet columns").isEqualTo(FeatureJob.SCHEMA.asNullable());
    Map<String, Row> rows = byName(written);
    for (String name : TestImages.GOOD) {
      Row r = rows.get(name);
      assertThat(r).as("a row for %s", name).isNotNull();
      assertThat(r.isNullAt(2)).as("%s has no error: %s", name, r.get(2)).isTrue();
      // Batches differ (the CLI runs the three photos as one batch, Spark as it partitioned them), and TensorFlow's
      // kernels round a batch of 1 and of 3 differently in the last bits: equal to float32 rounding.
      assertClose(floats(r), cliFc7.get(name), 1e-5, "fc7 of " + name + " vs alexnet features");
    }
    assertThat(relativeDifference(cliFc7.get("llama.jpeg"), cliFc7.get("zebra.jpeg")))
        .as("two photos differ 100 times beyond that tolerance, so the comparison can fail").isGreaterThan(1e-3);
  }

  @Test
  void parquetFeaturesAreBitForBitThoseOfThePredictorForTheSameBatchesAndThreads() throws Exception {
    Dataset<String> paths = FeatureJob.listImages(spark, images.toString(), FeatureJob.IMAGE_FILTER).repartition(2);
    Map<String, Row> rows = byName(FeatureJob.extract(paths, new FeatureJob.Settings(weights.toString(), "fc7", 1,
        0)));
    // local[2]: two intra-op threads, as this predictor; batch size 1, as one image at a time here
    try (AlexNetPredictor single = AlexNetPredictor.builder().setWeightsFile(weights).optIntraOpThreads(2).build()) {
      assertFc7BitForBit(rows, single);
    }
  }

  /** Each good photo's fc7 row is {@code predictor}'s fc7 of it, bit for bit; returns those rows by name. */
  private static Map<String, float[]> assertFc7BitForBit(Map<String, Row> rows, AlexNetPredictor predictor)
      throws Exception {
    Map<String, float[]> out = new HashMap<>();
    for (String name : TestImages.GOOD) {
      float[] expected = predictor.features(List.of(images.resolve(name)), "fc7")[0];
      float[] actual = floats(rows.get(name));
      assertThat(Arrays.mismatch(actual, expected))
          .as("first index where Spark's fc7 of %s differs from AlexNetPredictor's (-1: none)", name)
          .isEqualTo(-1);
      out.put(name, actual);
    }
    return out;
  }

  @Test
  void withCaffesMeanImageTheFeaturesAreThePredictorsWithThatMean() throws Exception {
    Path mean = CaffeMean.file();
    Dataset<String> paths = FeatureJob.listImages(spark, images.toString(), FeatureJob.IMAGE_FILTER).repartition(2);
    Map<String, Row> rows = byName(FeatureJob.extract(paths, new FeatureJob.Settings(weights.toString(), "fc7", 1,
        0, mean.toString())));
    try (AlexNetPredictor single = AlexNetPredictor.builder().setWeightsFile(weights).optIntraOpThreads(2)
        .optPreprocess(PreprocessConfig.NOTEBOOK.toBuilder().mean(Mean.caffeMeanImage(mean)).build()).build()) {
      Map<String, float[]> fc7 = assertFc7BitForBit(rows, single);
      for (String name : TestImages.GOOD) {
        assertThat(relativeDifference(fc7.get(name), cliFc7.get(name))).as("%s: the mean image changed its fc7", name)
            .isGreaterThan(1e-4);
      }
    }
  }

  /** Largest difference relative to the largest magnitude of {@code expected}, as modules/graph's tests measure. */
  private static void assertClose(float[] actual, float[] expected, double tolerance, String what) {
    assertThat(actual).as("%s: number of values", what).hasSize(expected.length);
    double scale = 0;
    for (float e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    assertThat(scale).as("%s: an all-zero reference would prove nothing", what).isGreaterThan(0);
    assertThat(relativeDifference(actual, expected)).as("%s: largest difference / largest value", what)
        .isLessThanOrEqualTo(tolerance);
  }

  private static double relativeDifference(float[] actual, float[] expected) {
    double worst = 0;
    double scale = 0;
    for (int i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs((double) actual[i] - expected[i]));
      scale = Math.max(scale, Math.abs(expected[i]));
    }
    return worst / scale;
  }

  @Test
  void brokenImageBecomesAnErrorRowAndTheOthersStillGetFeatures() {
    Dataset<Row> rows = FeatureJob.extract(FeatureJob.listImages(spark, images.toString(), FeatureJob.IMAGE_FILTER),
        new FeatureJob.Settings(weights.toString(), "fc7", 64, 0));
    Map<String, Row> byName = byName(rows);
    assertThat(byName.keySet()).as("the three photos and the broken file; the filter leaves notes.txt out")
        .containsExactlyInAnyOrder("llama.jpeg", "sealion.jpeg", "zebra.jpeg", TestImages.BROKEN);
    Row broken = byName.get(TestImages.BROKEN);
    assertThat(broken.isNullAt(1)).as("no features for the broken file").isTrue();
    assertThat(broken.getString(2)).as("the error names the file and what is wrong").contains(TestImages.BROKEN)
        .containsIgnoringCase("truncated");
    assertClose(floats(byName.get("sealion.jpeg")), cliFc7.get("sealion.jpeg"), 1e-5,
        "sealion, in the same batch as the broken file");
  }

  @Test
  void oneModelIsLoadedPerExecutorJvmAndSharedByItsTasks() {
    ExecutorModels.closeAll();
    int before = ExecutorModels.loads();
    Dataset<String> paths = FeatureJob.listImages(spark, images.toString(), FeatureJob.IMAGE_FILTER).repartition(4);
    Dataset<Row> rows = FeatureJob.extract(paths, new FeatureJob.Settings(weights.toString(), "fc6", 1, 0));
    assertThat(rows.javaRDD().getNumPartitions()).as("four tasks, two at a time").isEqualTo(4);
    assertThat(rows.count()).isEqualTo(4);
    assertThat(ExecutorModels.loads() - before).as("models loaded by four tasks in one executor JVM").isEqualTo(1);

    assertThat(FeatureJob.extract(paths, new FeatureJob.Settings(weights.toString(), "pool5", 1, 0)).count())
        .isEqualTo(4);
    assertThat(ExecutorModels.loads() - before).as("a second job, another layer: the same model").isEqualTo(1);
  }

  @Test
  void listOfPathsGivesRowsForEachLineAndAnErrorForAMissingFile() throws Exception {
    Path list = Files.write(images.resolve("list.txt"), List.of("llama.jpeg", "", "  missing.jpeg  ",
        images.toAbsolutePath().resolve("zebra.jpeg").toString()));
    Map<String, Row> rows = byName(FeatureJob.extract(FeatureJob.readList(spark, list.toString()),
        new FeatureJob.Settings(weights.toString(), "fc7", 64, 0)));
    assertThat(rows.keySet()).as("blank lines skipped, relative paths beside the list")
        .containsExactlyInAnyOrder("llama.jpeg", "missing.jpeg", "zebra.jpeg");
    assertThat(rows.get("missing.jpeg").getString(2)).contains("missing.jpeg").contains("no such file");
    assertClose(floats(rows.get("llama.jpeg")), cliFc7.get("llama.jpeg"), 1e-5, "llama, from the list");
  }

  @Test
  void relativeListLinesAreResolvedAgainstTheListsFolder() {
    assertThat(FeatureJob.resolve("file:/data/lists", "a/b.jpg")).isEqualTo("file:/data/lists/a/b.jpg");
    assertThat(FeatureJob.resolve("file:/data/lists", "/photos/c.jpg")).isEqualTo("/photos/c.jpg");
    assertThat(FeatureJob.resolve("file:/data/lists", "hdfs://nn/photos/d.jpg")).isEqualTo("hdfs://nn/photos/d.jpg");
  }

  @Test
  void unknownLayerIsRefusedWithTheLayersThereAre() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new FeatureJob.Settings("w.npy", "fc9", 64, 0))
        .hasMessageContaining("fc9").hasMessageContaining("fc7").hasMessageContaining("pool5");
  }

  @Test
  void pathsAreListedWithoutReadingTheImages() {
    Dataset<String> paths = FeatureJob.listImages(spark, images.toString(), FeatureJob.IMAGE_FILTER);
    assertThat(paths.queryExecution().executedPlan().toString()).as("the scan reads the path column only")
        .doesNotContain("content");
    assertThat(paths.as(Encoders.STRING()).collectAsList()).hasSize(4);
  }
}
