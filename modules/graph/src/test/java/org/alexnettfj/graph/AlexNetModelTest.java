package org.alexnettfj.graph;

import org.alexnettfj.data.PreprocessConfig;
import org.alexnettfj.data.Preprocessor;
import org.alexnettfj.weights.NpyWriter;
import org.junit.jupiter.api.io.TempDir;

import static org.alexnettfj.graph.Closeness.assertClose;
import static org.alexnettfj.graph.Closeness.assertSameValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.alexnettfj.weights.AlexNetSpec;
import org.alexnettfj.weights.AlexNetWeights;
import org.alexnettfj.weights.WeightArray;
import org.alexnettfj.weights.WeightFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The model end to end at AlexNet's real shapes, against the float64 {@link ReferenceAlexNet}, with random weights
 * standing in for the pretrained file; then weight binding, determinism, batching, threads and native memory.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AlexNetModelTest {

  /** Relative to each layer's largest magnitude; float32 rounding through eight layers stays near 1e-6. */
  private static final double TOLERANCE = 1e-4;
  private static final int IMAGES = 2;

  private WeightFile file;
  private AlexNetModel model;
  private float[] images;
  private List<Map<String, double[]>> reference;
  private AlexNetModel fresh;
  private AlexNetModel oneThreadChunked;

  @BeforeAll
  void buildModelsAndReference(@TempDir Path tmp) throws IOException {
    // The model reads a full-size file in the classic form (Python-2 pickle, fc7 and fc8 Fortran-ordered, as in
    // bvlc_alexnet.npy); the reference uses the arrays as generated, so a reader that mishandled the stored order
    // would show here. The inputs are real photos through the notebook's preprocessing.
    file = TestData.randomWeightFile(11L, AlexNetSpec.IMAGENET_CLASSES);
    Path classic = tmp.resolve("bvlc_alexnet.npy");
    NpyWriter.writeClassic(classic, file.arrays(), name -> name.startsWith("fc7/") || name.startsWith("fc8/"));
    model = AlexNetModel.builder().setWeightsFile(classic).build();
    Preprocessor notebook = new Preprocessor(PreprocessConfig.NOTEBOOK);
    images = new float[IMAGES * TestData.IMAGE_VALUES];
    String[] photos = {"zebra.jpeg", "llama.jpeg"};
    for (int i = 0; i < IMAGES; i++) {
      float[] photo = notebook.apply(Path.of("../data/src/test/resources/images", photos[i]));
      System.arraycopy(photo, 0, images, i * TestData.IMAGE_VALUES, TestData.IMAGE_VALUES);
    }
    reference = IntStream.range(0, IMAGES).parallel()
        .mapToObj(i -> ReferenceAlexNet.forward(TestData.image(images, i), file::array))
        .toList();
    fresh = AlexNetModel.builder().setFreshInit().optNumClasses(10).optSeed(3L).build();
    oneThreadChunked = AlexNetModel.builder().setFreshInit().optNumClasses(10).optSeed(3L)
        .optIntraOpThreads(1).optInterOpThreads(1).optMaxBatch(2).build();
  }

  @AfterAll
  void closeModels() {
    for (AlexNetModel m : new AlexNetModel[] {model, fresh, oneThreadChunked}) {
      if (m != null) {
        m.close();
      }
    }
  }

  static List<String> layers() {
    return AlexNetGraph.LAYER_OUTPUTS;
  }

  @ParameterizedTest
  @MethodSource("layers")
  void everyLayerMatchesTheFloat64ReferenceAtFullSize(String layer) {
    float[][] rows = model.features(images, IMAGES, layer);

    for (int i = 0; i < IMAGES; i++) {
      assertClose(rows[i], reference.get(i).get(layer), TOLERANCE, layer + " of image " + i);
    }
  }

  @Test
  void logitsAndFc7MatchTheReferenceToOneInTenThousand() {
    float[][] logits = model.logits(images, IMAGES);
    float[][] fc7 = model.features(images, IMAGES);

    for (int i = 0; i < IMAGES; i++) {
      assertClose(logits[i], reference.get(i).get("fc8"), TOLERANCE, "logits of image " + i);
      assertClose(fc7[i], reference.get(i).get("fc7"), TOLERANCE, "fc7 (default features) of image " + i);
    }
  }

  @Test
  void aTransposedFc7WouldBeCaught() throws IOException {
    // fc7 is 4096 x 4096: a loader that forgot the file's Fortran order would pass every shape check.
    Map<String, WeightArray> arrays = new LinkedHashMap<>(file.arrays());
    arrays.put("fc7/weights", TestData.transposed(file.array("fc7/weights")));
    AlexNetWeights wrong = AlexNetWeights.from(new WeightFile("transposed-fc7", "test", arrays), Set.of(), 1000);

    try (AlexNetModel transposed = AlexNetModel.builder().setWeights(wrong).build()) {
      float[] image = TestData.image(images, 0);
      float[] fc6 = transposed.features(image, 1, "fc6")[0];
      float[] logits = transposed.logits(image, 1)[0];

      assertClose(fc6, reference.get(0).get("fc6"), TOLERANCE, "fc6, before the transposed layer");
      assertThat(Closeness.relativeError(logits, reference.get(0).get("fc8")))
          .as("logits with fc7 transposed must miss the reference by far more than the tolerance %s", TOLERANCE)
          .isGreaterThan(100 * TOLERANCE);
    }
  }

  @Test
  void skippedLayersAreFreshAndTheOthersHoldTheFilesExactValues() throws IOException {
    long seed = 99L;
    AlexNetWeights weights = AlexNetWeights.from(file, Set.of("conv3", "fc8"), 5);

    try (AlexNetModel m = AlexNetModel.builder().setWeights(weights).optSeed(seed).build()) {
      assertThat(m.freshLayers()).as("fresh layers").containsExactly("conv3", "fc8");
      assertThat(m.numClasses()).isEqualTo(5);
      for (AlexNetSpec.Layer layer : AlexNetSpec.layers(5)) {
        String name = layer.name();
        boolean skipped = name.equals("conv3") || name.equals("fc8");
        WeightArray expectedWeights = skipped ? FreshInit.weights(layer, seed) : file.array(name + "/weights");
        WeightArray expectedBiases = skipped ? FreshInit.biases(layer) : file.array(name + "/biases");

        assertSameValues(m.parameter(name + "/weights"), expectedWeights,
            name + "/weights read back from the session (" + (skipped ? "fresh" : "from the file") + ")");
        assertSameValues(m.parameter(name + "/biases"), expectedBiases,
            name + "/biases read back from the session (" + (skipped ? "fresh" : "from the file") + ")");
      }
    }
  }

  @Test
  void aWeightFileAloneGivesItsOwnFc8sClassesAndWithFc8SkippedAThousand(@TempDir Path tmp) throws IOException {
    WeightFile tuned = TestData.randomWeightFile(12L, 3);
    Path npz = tmp.resolve("tuned.npz");
    org.alexnettfj.weights.NpzWriter.write(npz, tuned.arrays());
    long[] read = {0, 0};
    try (AlexNetModel m = AlexNetModel.builder().setWeightsFile(npz)
        .optProgress((done, total) -> {
          read[0] = done;
          read[1] = total;
        }).build()) {
      assertThat(m.numClasses()).as("fc8/biases has 3 values").isEqualTo(3);
      assertThat(m.freshLayers()).isEmpty();
      assertSameValues(m.parameter("fc8/weights"), tuned.array("fc8/weights"), "fc8/weights read back");
      assertSameValues(m.parameter("conv2/biases"), tuned.array("conv2/biases"), "conv2/biases read back");
    }
    assertThat(read[0]).as("progress reached the end of the file").isEqualTo(read[1]).isPositive();
    try (AlexNetModel m = AlexNetModel.builder().setWeightsFile(npz).optSkipLayers(Set.of("fc8")).build()) {
      assertThat(m.numClasses()).as("a new fc8, ImageNet's size by default").isEqualTo(1000);
      assertThat(m.freshLayers()).containsExactly("fc8");
      assertSameValues(m.parameter("fc7/weights"), tuned.array("fc7/weights"), "fc7/weights read back");
    }
    assertThatThrownBy(() -> AlexNetModel.builder().setWeightsFile(npz).optNumClasses(3).build())
        .as("optNumClasses with a weight file asks for a new fc8").isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("add fc8 to skipLayers");
  }

  @Test
  void itemsWithSeveralCropsOrNoneGetTheMeanRowOrNullInTheirPlace() {
    float[] a = TestData.image(images, 0);
    float[] b = TestData.image(images, 1);
    float[][] rows = fresh.featuresOfItems(java.util.Arrays.asList(new float[][] {a, b}, null, new float[][] {b}),
        "fc7");
    float[] packed = new float[3 * AlexNetModel.IMAGE_VALUES];   // the one batch the three crops should make
    System.arraycopy(a, 0, packed, 0, a.length);
    System.arraycopy(b, 0, packed, a.length, b.length);
    System.arraycopy(b, 0, packed, 2 * a.length, b.length);
    float[][] run = fresh.features(packed, 3, "fc7");
    float[] fa = run[0];
    float[] fb = run[2];
    assertThat(rows.length).isEqualTo(3);
    assertThat(rows[1]).as("an unreadable item keeps its place").isNull();
    assertThat(rows[2]).containsExactly(fb);
    for (int j = 0; j < fa.length; j++) {
      assertThat((double) rows[0][j]).as("mean of the two crops at %d", j)
          .isCloseTo(((double) fa[j] + fb[j]) / 2, within(1e-6 * (1 + Math.abs(fa[j]) + Math.abs(fb[j]))));
    }
    float[][] none = fresh.featuresOfItems(java.util.Arrays.asList((float[][]) null, null), "fc7");
    assertThat(none.length).isEqualTo(2);
    assertThat(none[0]).isNull();
    assertThat(none[1]).isNull();
    List<float[][]> wrong = List.<float[][]>of(new float[][] {new float[3]});
    assertThatThrownBy(() -> fresh.featuresOfItems(wrong, "fc7"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not one image's");
  }

  @Test
  void givenParametersAndAFeaturesOnlyModelGiveTheFullModelsOutputs() throws IOException {
    float[] one = TestData.image(images, 0);
    try (AlexNetModel given = AlexNetModel.builder().setParameters(file.arrays()).build()) {
      assertThat(given.numClasses()).isEqualTo(1000);
      assertThat(given.freshLayers()).isEmpty();
      assertThat(given.logits(one, 1)[0]).as("the same values as read from the file")
          .containsExactly(model.logits(one, 1)[0]);
    }
    Map<String, WeightArray> conv = new LinkedHashMap<>();
    for (String layer : List.of("conv1", "conv2", "conv3", "conv4", "conv5")) {
      conv.put(layer + "/weights", file.array(layer + "/weights"));
      conv.put(layer + "/biases", file.array(layer + "/biases"));
    }
    try (AlexNetModel features = AlexNetModel.builder().setParameters(conv).optFeaturesOnly().build()) {
      assertThat(features.layerNames()).endsWith("pool5").doesNotContain("fc6");
      assertThat(features.numClasses()).as("no fc8").isZero();
      assertThat(features.freshLayers()).isEmpty();
      assertThat(features.features(one, 1, "pool5")[0]).containsExactly(model.features(one, 1, "pool5")[0]);
      assertThatThrownBy(() -> features.features(one, 1, "fc7")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no layer 'fc7'");
    }
    try (AlexNetModel fresh = AlexNetModel.builder().setFreshInit().optFeaturesOnly().build()) {
      assertThat(fresh.freshLayers()).containsExactly("conv1", "conv2", "conv3", "conv4", "conv5");
    }
    assertThatThrownBy(() -> AlexNetModel.builder().setParameters(conv).build())
        .as("a full model needs the fc values too").isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no value given for fc6/weights");
  }

  @Test
  void sameSeedGivesIdenticalParametersAndOutputsAndAnotherSeedDoesNot() throws IOException {
    float[] image = TestData.image(images, 0);
    try (AlexNetModel again = AlexNetModel.builder().setFreshInit().optNumClasses(10).optSeed(3L).build();
        AlexNetModel other = AlexNetModel.builder().setFreshInit().optNumClasses(10).optSeed(4L).build()) {
      for (AlexNetSpec.Layer layer : AlexNetSpec.layers(10)) {
        for (String param : List.of("/weights", "/biases")) {
          assertSameValues(again.parameter(layer.name() + param), fresh.parameter(layer.name() + param),
              layer.name() + param + " of two models with seed 3");
        }
      }
      assertThat(again.logits(image, 1)[0]).as("logits of two models with seed 3, bit for bit")
          .containsExactly(fresh.logits(image, 1)[0]);
      assertThat(Arrays.equals(other.parameter("conv1/weights").data(), fresh.parameter("conv1/weights").data()))
          .as("conv1/weights equal with seeds 3 and 4").isFalse();
      assertThat(other.logits(image, 1)[0]).as("logits with seeds 3 and 4").isNotEqualTo(fresh.logits(image, 1)[0]);
    }
  }

  /**
   * At batch 2 and up conv3 runs as two halves side by side (with oneDNN's kernels), each with the threads it gets:
   * the same batch must still give the same bits call after call, however the halves were scheduled.
   */
  @Test
  void aBatchGivesTheSameBitsCallAfterCall() {
    float[] batch = new float[4 * TestData.IMAGE_VALUES];
    System.arraycopy(images, 0, batch, 0, images.length);
    for (int i = images.length; i < batch.length; i++) {
      batch[i] = images[i - images.length] * 0.5f + 7f;
    }
    float[][] logits = fresh.logits(batch, 4);
    float[][] fc7 = fresh.features(batch, 4, "fc7");
    for (int call = 1; call <= 12; call++) {
      assertThat(fresh.logits(batch, 4)).as("logits of call %d against the first", call).isDeepEqualTo(logits);
      assertThat(fresh.features(batch, 4, "fc7")).as("fc7 of call %d against the first", call).isDeepEqualTo(fc7);
    }
  }

  @Test
  void aFreshModelHasEveryLayerFreshAndAnyNumberOfClasses() {
    assertThat(fresh.freshLayers()).containsExactlyElementsOf(AlexNetSpec.LAYER_NAMES);
    assertThat(fresh.numClasses()).isEqualTo(10);
    assertThat(fresh.logits(TestData.image(images, 0), 1)[0]).as("logits of a 10-class model").hasSize(10);
  }

  @Test
  void numClassesOtherThan1000WithoutSkippingFc8IsAnErrorThatSaysHowToFixIt() {
    assertThatThrownBy(() -> AlexNetModel.builder().setWeightsFile(Path.of("never-read.npy")).optNumClasses(10)
        .build())
        .as("checked before the file is opened")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("numClasses is 10")
        .hasMessageContaining("add fc8 to skipLayers");
  }

  @Test
  void rejectsInconsistentBuilderSettings() {
    AlexNetWeights weights;
    try {
      weights = AlexNetWeights.from(file, Set.of("fc8"), 2);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    assertThatThrownBy(() -> AlexNetModel.builder().build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exactly one source of parameters");
    assertThatThrownBy(() -> AlexNetModel.builder().setFreshInit().setWeights(weights).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exactly one source of parameters");
    assertThatThrownBy(() -> AlexNetModel.builder().setWeights(weights).optNumClasses(3).build())
        .as("AlexNetWeights already fixes the classes").isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("optSkipLayers and optNumClasses go with setWeightsFile");
    assertThatThrownBy(() -> AlexNetModel.builder().setFreshInit().optSkipLayers(Set.of("fc8")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("every layer is fresh");
    assertThatThrownBy(() -> AlexNetModel.builder().setFreshInit().optMaxBatch(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBatch");
    assertThatThrownBy(() -> AlexNetModel.builder().setFreshInit().optIntraOpThreads(-1).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("thread counts");
  }

  @Test
  void bigBatchesAreRunInChunksWithTheSameResultsAsOneImageAtATime() {
    int n = 5;
    float[] batch = TestData.randomImages(13L, n);

    float[][] chunked = oneThreadChunked.logits(batch, n);

    assertThat(oneThreadChunked.maxBatch()).isEqualTo(2);
    assertThat(chunked).as("one row per image across chunks of 2, 2 and 1").hasNumberOfRows(n);
    for (int i = 0; i < n; i++) {
      assertClose(chunked[i], Closeness.toDouble(oneThreadChunked.logits(TestData.image(batch, i), 1)[0]), 1e-5,
          "logits of image " + i + " in a chunked batch vs alone");
    }
  }

  @Test
  void threadSettingsChangeNeitherParametersNorResults() {
    float[] image = TestData.image(images, 1);

    assertSameValues(oneThreadChunked.parameter("fc6/weights"), fresh.parameter("fc6/weights"),
        "fc6/weights with 1 thread vs TensorFlow's default, same seed");
    assertClose(oneThreadChunked.features(image, 1)[0], Closeness.toDouble(fresh.features(image, 1)[0]), 1e-5,
        "fc7 with 1 intra-op and 1 inter-op thread vs the defaults");
  }

  @Test
  void anInterOpThreadCountIsHonouredAfterOtherSessionsExist() throws IOException {
    Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "needs Linux /proc");
    // TensorFlow's shared inter-op pool already exists (the fixtures' sessions made it), so a model asking for 4
    // inter-op threads gets them only in a pool of its own: 3 more threads than a model asking for 1.
    int before = tensorFlowThreads();
    try (AlexNetModel one = AlexNetModel.builder().setFreshInit().optNumClasses(10).optIntraOpThreads(1)
        .optInterOpThreads(1).build()) {
      one.features(TestData.image(images, 0), 1, "conv1");
      int withOne = tensorFlowThreads();
      try (AlexNetModel four = AlexNetModel.builder().setFreshInit().optNumClasses(10).optIntraOpThreads(1)
          .optInterOpThreads(4).build()) {
        four.features(TestData.image(images, 0), 1, "conv1");
        int withFour = tensorFlowThreads();
        assertThat(withFour - withOne).as("threads added by the model with 4 inter-op threads, against %d by the "
            + "one with 1", withOne - before).isEqualTo(withOne - before + 3);
      }
    }
  }

  /** Native threads that TensorFlow started from this Java thread: they carry its OS name, e.g. "java". */
  private static int tensorFlowThreads() throws IOException {
    String ours = Files.readString(Path.of("/proc/thread-self/comm")).trim();
    int count = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        if (Files.readString(task.resolve("comm")).trim().equals(ours)) {
          count++;
        }
      }
    }
    return count;
  }

  @Test
  void probabilitiesAreTheSoftmaxOfTheLogits() {
    float[][] logits = model.logits(images, IMAGES);
    float[][] probabilities = model.probabilities(images, IMAGES);

    for (int i = 0; i < IMAGES; i++) {
      double sum = 0;
      for (float p : probabilities[i]) {
        sum += p;
      }
      assertThat(sum).as("probabilities of image %d sum to 1", i).isCloseTo(1.0, within(1e-5));
      assertClose(probabilities[i], ReferenceAlexNet.softmax(Closeness.toDouble(logits[i])), 1e-5,
          "prob vs softmax(logits) of image " + i);
    }
  }

  @Test
  void reportsEachLayersSizePerImage() {
    assertThat(model.featureSize("conv1")).isEqualTo(55 * 55 * 96);
    assertThat(model.featureSize("pool5")).isEqualTo(6 * 6 * 256);
    assertThat(model.featureSize("fc7")).isEqualTo(4096);
    assertThat(model.featureSize("prob")).isEqualTo(1000);
    assertThat(model.layerNames()).containsExactlyElementsOf(AlexNetGraph.LAYER_OUTPUTS);
  }

  @Test
  void rejectsABatchOfTheWrongLengthAndUnknownLayers() {
    assertThatThrownBy(() -> model.logits(new float[AlexNetModel.IMAGE_VALUES + 1], 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n x 227 x 227 x 3");
    assertThatThrownBy(() -> model.features(images, IMAGES, "fc9"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no layer 'fc9'");
    assertThatThrownBy(() -> model.parameter("fc9/weights"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no parameter 'fc9/weights'");
  }

  @Test
  void anEmptyBatchGivesNoRows() {
    assertThat(model.logits(new float[0], 0)).isEmpty();
  }

  @Test
  void concurrentCallsEachGetTheirOwnImagesResults() throws Exception {
    int threads = 4;
    float[] batch = TestData.randomImages(14L, threads);
    float[][] sequential = new float[threads][];
    for (int t = 0; t < threads; t++) {
      sequential[t] = fresh.logits(TestData.image(batch, t), 1)[0];
    }

    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<float[]>>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        float[] image = TestData.image(batch, t);
        futures.add(pool.submit(() -> {
          start.await();
          List<float[]> out = new ArrayList<>();
          for (int k = 0; k < 3; k++) {
            out.add(fresh.logits(image, 1)[0]);
          }
          return out;
        }));
      }
      start.countDown();
      for (int t = 0; t < threads; t++) {
        for (float[] logits : futures.get(t).get()) {
          assertClose(logits, Closeness.toDouble(sequential[t]), 1e-6,
              "logits of thread " + t + "'s image computed concurrently vs alone");
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Two towers against one device. conv1 … pool2 are the same ops on the same values, so bit for bit equal; conv3,
   * fc6 and fc7 are computed as two halves of their kernels or neurons, and a kernel may block a narrower float32
   * product differently: the same sums in another order, a few ulps of the largest terms (fc6's dot products have
   * 9216 terms: sqrt(9216) * 2^-24 is about 6e-6). 1e-5 of the layer's largest magnitude allows that and is ten
   * times tighter than the float64 check above; a half on the wrong tower or joined in the wrong order misses by
   * order 1. (On the 2-core build machine every layer came out bit for bit equal.)
   */
  private static final double TOWER_TOLERANCE = 1e-5;

  private static final Placement TWO_CPU_TOWERS = Placement.towers("/CPU:0", "/CPU:1").withCpuDevices(2);

  @Test
  void towersPutEachGroupOfConv2Conv4AndConv5AndHalfOfConv3Fc6AndFc7OnItsOwnDevice() throws IOException {
    try (AlexNetModel towers = placed(TWO_CPU_TOWERS)) {
      OpPlacement placement = towers.opPlacement("prob");

      for (String layer : List.of("conv2", "conv3", "conv4", "conv5", "pool5", "fc6", "fc7")) {
        for (int g = 0; g < 2; g++) {
          String prefix = layer + "/tower" + g + "/";
          assertThat(placement.devicesOf(prefix)).as("devices of the ops %s* (placement:%n%s)", prefix,
              placement.format()).containsExactly("/CPU:" + g);
        }
      }
      for (String layer : List.of("conv1/", "norm1", "pool1", "norm2", "pool2", "dropout6/", "dropout7/", "fc8/",
          "prob")) {
        assertThat(placement.devicesOf(layer)).as("devices of %s, on tower 0", layer).containsExactly("/CPU:0");
      }
      assertThat(placement.transfers())
          .as("tensors copied between the towers: to tower 1 pool1's half, pool2, the flattened pool5 and "
              + "dropout6; back conv2's, pool5's, fc6's and fc7's halves (placement:%n%s)", placement.format())
          .isEqualTo(8);
      assertThat(towers.placement()).isEqualTo(TWO_CPU_TOWERS);
    }
  }

  @Test
  void towersGiveTheOutputsOfOneDevice() throws IOException {
    try (AlexNetModel towers = placed(TWO_CPU_TOWERS); AlexNetModel one = placed(Placement.device("/CPU:0"))) {
      for (String layer : AlexNetGraph.LAYER_OUTPUTS) {
        float[][] split = towers.features(images, IMAGES, layer);
        float[][] whole = one.features(images, IMAGES, layer);
        for (int i = 0; i < IMAGES; i++) {
          if (AlexNetGraph.LAYER_OUTPUTS.indexOf(layer) < AlexNetGraph.LAYER_OUTPUTS.indexOf("conv3")) {
            assertSameValues(split[i], whole[i], layer + " of image " + i + " on two towers vs one device");
          } else {
            assertClose(split[i], Closeness.toDouble(whole[i]), TOWER_TOLERANCE,
                layer + " of image " + i + " on two towers vs one device");
          }
        }
      }
      assertSameValues(towers.parameter("fc6/weights"), file.array("fc6/weights"),
          "fc6/weights, kept whole on the host beside its halves on the towers");
    }
  }

  @Test
  void oneDeviceRunsEveryOpOfTheGraphAndOnlyFeedsAndFetchesStayOnTheHost() throws IOException {
    try (AlexNetModel second = placed(Placement.device("/CPU:1").withCpuDevices(2));
        AlexNetModel first = placed(Placement.device("/CPU:0"))) {
      OpPlacement placement = second.opPlacement("prob");

      assertThat(placement.ops()).as("ops of AlexNet (not the feed and fetch TensorFlow keeps on /CPU:0)")
          .filteredOn(op -> !op.layer().equals("(feeds)") && !op.layer().equals("(fetches)") && !op.isTransfer())
          .hasSizeGreaterThan(30)
          .allSatisfy(op -> assertThat(op.device()).as("device of %s", op.name()).isEqualTo("/CPU:1"));
      assertThat(placement.transfers()).as("copies: the image in and the probabilities out").isEqualTo(2);
      assertThat(second.logits(images, IMAGES)).as("logits on /CPU:1 vs /CPU:0, bit for bit")
          .isDeepEqualTo(first.logits(images, IMAGES));
    }
  }

  @Test
  void theFirstCpuRunsEverythingAndMatchesTheReference() throws IOException {
    try (AlexNetModel cpu = placed(Placement.device("/CPU:0"))) {
      float[][] logits = cpu.logits(images, IMAGES);

      assertThat(cpu.opPlacement("fc8").devices()).as("devices that ran something").containsExactly("/CPU:0");
      for (int i = 0; i < IMAGES; i++) {
        assertClose(logits[i], reference.get(i).get("fc8"), TOLERANCE, "logits on /CPU:0 of image " + i);
      }
    }
  }

  @Test
  void aDeviceThatDoesNotExistFailsTheBuildNamingTheDevicesThereAre() {
    assertThatThrownBy(() -> AlexNetModel.builder().setFreshInit().optPlacement(Placement.device("/GPU:99"))
        .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("device /GPU:99 does not exist here: TensorFlow sees /CPU:0")
        .hasMessageContaining("-Pgpu");
    assertThatThrownBy(() -> AlexNetModel.builder().setFreshInit()
        .optPlacement(Placement.towers("/CPU:0", "/CPU:1")).build())
        .as("a second CPU without the CPU split").isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("device /CPU:1 does not exist here").hasMessageContaining("withCpuDevices");
  }

  /** The random test weights of {@link #file} on the devices of {@code placement}. */
  private AlexNetModel placed(Placement placement) throws IOException {
    return AlexNetModel.builder().setWeights(AlexNetWeights.from(file, Set.of(), 1000)).optPlacement(placement)
        .build();
  }

  @Test
  void aClosedModelRefusesCallsAndClosingTwiceIsHarmless() throws IOException {
    AlexNetModel m = AlexNetModel.builder().setFreshInit().optNumClasses(2).build();
    m.close();
    m.close();

    assertThatThrownBy(() -> m.logits(TestData.image(images, 0), 1)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> m.parameter("fc8/biases")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void thousandsOfCallsDoNotGrowResidentMemory() throws IOException {
    Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "needs Linux /proc");
    float[] image = TestData.image(images, 0);
    // conv1 is the cheapest call that still moves large tensors: 0.6 MB in and 1.2 MB out per call, so a leaked
    // input or output tensor grows native memory by over a gigabyte across the calls below. Surefire runs with
    // JavaCPP's nopointergc, so an unclosed tensor is not rescued by the garbage collector (see the pom).
    // Warm up until memory stops growing: on a GPU TensorFlow's pools grow over the first ~2000 calls (an H100:
    // +970 MB, +137 MB, then ~2 MB per 1000 calls), on the CPU within the first block. A leaking call never
    // settles, and the 1000 measured calls below still grow by its size each.
    long settledKb = 4 * 1024;
    MemorySnapshot before = MemorySnapshot.take();
    for (int block = 0; block < 16; block++) {
      for (int i = 0; i < 250; i++) {
        model.features(image, 1, "conv1");
      }
      MemorySnapshot now = MemorySnapshot.take();
      boolean settled = now.nativeGrowthSinceKb(before) < settledKb;
      before = now;
      if (settled) {
        break;
      }
    }
    int calls = 1000;
    for (int i = 0; i < calls; i++) {
      model.features(image, 1, "conv1");
    }
    MemorySnapshot after = MemorySnapshot.take();

    assertThat(after.nativeGrowthSinceKb(before) / 1024.0)
        .as("MB of resident memory gained over %d calls, less Java heap growth (RSS %d -> %d kB, heap committed "
            + "%d -> %d kB)", calls, before.rssKb, after.rssKb, before.heapKb, after.heapKb)
        .isLessThan(32.0);
  }

  @Test
  void buildingAndClosingModelsDoesNotGrowResidentMemory() throws IOException {
    Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "needs Linux /proc");
    // Each model holds 244 MB of variables in native memory: a graph or session left open grows memory by that
    // much per model, 976 MB over the 4 below. The bound is one model's worth because freed memory is not all
    // handed back at once (malloc keeps some in the arenas of TensorFlow's threads, more on a busy machine: one
    // run once read 375 MB over 3 models where every rerun read under 120); two warm-up models fill them first.
    buildUseAndClose();
    buildUseAndClose();
    MemorySnapshot before = MemorySnapshot.take();
    int models = 4;
    for (int i = 0; i < models; i++) {
      buildUseAndClose();
    }
    MemorySnapshot after = MemorySnapshot.take();

    assertThat(after.nativeGrowthSinceKb(before) / 1024.0)
        .as("MB of resident memory gained over %d models built and closed, less Java heap growth (RSS %d -> %d kB)",
            models, before.rssKb, after.rssKb)
        .isLessThan(244.0);
  }

  private void buildUseAndClose() throws IOException {
    try (AlexNetModel m = AlexNetModel.builder().setFreshInit().optNumClasses(10).build()) {
      m.logits(TestData.image(images, 0), 1);
    }
  }

  /** Resident set size and committed Java heap, after a GC so that garbage does not count. */
  private record MemorySnapshot(long rssKb, long heapKb) {

    static MemorySnapshot take() throws IOException {
      System.gc();
      long rss = -1;
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
      long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() / 1024;
      return new MemorySnapshot(rss, heap);
    }

    /** RSS growth not explained by the Java heap committing more pages. */
    long nativeGrowthSinceKb(MemorySnapshot before) {
      return (rssKb - before.rssKb) - Math.max(0, heapKb - before.heapKb);
    }
  }
}
