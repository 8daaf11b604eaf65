package org.alexnettfj.graph;

import static org.alexnettfj.graph.Closeness.assertClose;
import static org.alexnettfj.testfixtures.RandomValues.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.alexnettfj.graph.ReferenceAlexNet.Volume;
import org.alexnettfj.weights.AlexNetSpec;
import org.alexnettfj.weights.WeightArray;
import org.alexnettfj.weights.WeightFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;

/**
 * The graph's structure (names, shapes, the two halves) and, layer by layer on the real graph, the ops whose
 * parameters are easy to get wrong: grouped convolution, LRN, dropout. Intermediate layers are fed directly
 * (TensorFlow can feed any tensor), so each check runs one layer at its real size.
 */
class AlexNetGraphTest {

  private static final List<String> PARAMETER_NAMES = List.of(
      "conv1/weights", "conv1/biases", "conv2/weights", "conv2/biases", "conv3/weights", "conv3/biases",
      "conv4/weights", "conv4/biases", "conv5/weights", "conv5/biases", "fc6/weights", "fc6/biases",
      "fc7/weights", "fc7/biases", "fc8/weights", "fc8/biases");

  @Test
  void namesLayerOutputsAndVariablesAsTheClassicGraphDoes() {
    try (Graph g = new Graph()) {
      AlexNetGraph net = AlexNetGraph.create(Ops.create(g), 10, 0L);

      for (String layer : AlexNetGraph.LAYER_OUTPUTS) {
        assertThat(net.layer(layer).op().name()).as("graph op of layer %s", layer).isEqualTo(layer);
        assertThat(g.operation(layer)).as("graph.operation(\"%s\") so it can be fetched by name", layer).isNotNull();
      }
      assertThat(net.parameters().keySet()).as("variables, in layer order").containsExactlyElementsOf(PARAMETER_NAMES);
      for (String name : PARAMETER_NAMES) {
        assertThat(g.operation(name).type()).as("op %s", name).isEqualTo("VariableV2");
      }
      assertThat(g.operation("input").type()).as("the image input").isEqualTo("Placeholder");
      assertThat(g.operation("keepProb").type()).as("dropout's keep probability")
          .isEqualTo("PlaceholderWithDefault");
    }
  }

  @Test
  void variablesHaveTheShapesOfAlexNetSpec() {
    try (Graph g = new Graph()) {
      AlexNetGraph net = AlexNetGraph.create(Ops.create(g), 10, 0L);

      for (AlexNetSpec.Layer layer : AlexNetSpec.layers(10)) {
        assertThat(net.parameters().get(layer.name() + "/weights").shape()).as("%s/weights", layer.name())
            .containsExactly(layer.weightsShape());
        assertThat(net.parameters().get(layer.name() + "/biases").shape()).as("%s/biases", layer.name())
            .containsExactly(layer.biasesShape());
      }
    }
  }

  @ParameterizedTest
  @EnumSource(AlexNetGraph.FcLayout.class)
  void fcWeightsAreHeldAsTheLayoutSaysAndReadInAlexNetsLayout(AlexNetGraph.FcLayout layout) {
    try (Graph g = new Graph()) {
      AlexNetGraph net = AlexNetGraph.create(Ops.create(g), 10, 0L, AlexNetGraph.Lrn.FUSED,
          AlexNetGraph.Convolutions.CLASSIC, layout, Placement.DEFAULT);
      boolean transposed = layout == AlexNetGraph.FcLayout.TRANSPOSED;
      AlexNetGraph.Parameter fc6 = net.parameters().get("fc6/weights");
      assertThat(fc6.transposed()).isEqualTo(transposed);
      assertThat(fc6.variable().shape().asArray()).as("held")
          .containsExactly(transposed ? new long[] {4096, 9216} : new long[] {9216, 4096});
      assertThat(fc6.read().shape().asArray()).as("read").containsExactly(9216, 4096);
      assertThat(fc6.value().shape().asArray()).as("set from").containsExactly(9216, 4096);
      assertThat(net.transposedVariables()).containsExactlyElementsOf(
          transposed ? List.of("fc6/weights", "fc7/weights", "fc8/weights") : List.of());
    }
  }

  @Test
  void aCheckpointOfTransposedFcWeightsRestoresIntoTheClassicLayout(@TempDir Path dir) {
    WeightFile file = TestData.randomWeightFile(4L, 3);
    Path prefix = dir.resolve("ckpt");
    try (Graph g = new Graph(); Session s = new Session(g)) {
      AlexNetGraph net = AlexNetGraph.create(Ops.create(g), 3, 0L, AlexNetGraph.Lrn.FUSED,
          AlexNetGraph.Convolutions.CLASSIC, AlexNetGraph.FcLayout.TRANSPOSED, Placement.DEFAULT);
      TfCheckpoint.addSaver(g, net.transposedVariables());
      net.assign(s, file.arrays());
      s.save(prefix.toString());
    }
    try (Graph g = new Graph(); Session s = new Session(g)) {
      AlexNetGraph net = AlexNetGraph.create(Ops.create(g), 3, 0L, AlexNetGraph.Lrn.FUSED,
          AlexNetGraph.Convolutions.CLASSIC, AlexNetGraph.FcLayout.CLASSIC, Placement.DEFAULT);
      s.restore(prefix.toString());
      for (String name : List.of("fc6/weights", "fc7/weights", "fc8/weights", "fc7/biases", "conv3/weights")) {
        float[] restored = fetch(s.runner().fetch(net.parameters().get(name).read()), file.array(name).size());
        assertThat(Arrays.mismatch(restored, file.array(name).data()))
            .as("%s: first element that differs after the round trip between layouts", name).isEqualTo(-1);
      }
    }
  }

  @Test
  void fcWeightsAreHeldTransposedOnlyWithOneDnnOnTheCpu() {
    assertThat(AlexNetGraph.FcLayout.fastestOn(Placement.device("/CPU:0"))).as("TensorFlow's default kernels run "
        + "the transposed product slowly, and oneDNN's do on AVX-512 cores")
        .isEqualTo(ONEDNN && !CpuFeatures.avx512() ? AlexNetGraph.FcLayout.TRANSPOSED
            : AlexNetGraph.FcLayout.CLASSIC);
    assertThat(AlexNetGraph.FcLayout.fastestOn(Placement.device("/GPU:0"))).as("on a GPU, unmeasured")
        .isEqualTo(AlexNetGraph.FcLayout.CLASSIC);
  }

  @Test
  void readGivesBackTheAssignedValuesOfATransposedParameter() {
    int classes = 3;
    float[] values = new float[4096 * classes];
    for (int i = 0; i < values.length; i++) {
      values[i] = i;
    }
    try (Graph g = new Graph(); Session s = new Session(g)) {
      AlexNetGraph net = AlexNetGraph.create(Ops.create(g), classes, 0L, AlexNetGraph.Lrn.FUSED,
          AlexNetGraph.Convolutions.CLASSIC, AlexNetGraph.FcLayout.TRANSPOSED, Placement.DEFAULT);
      net.assign(s, Map.of("fc8/weights", WeightArray.of(new int[] {4096, classes}, values)));
      AlexNetGraph.Parameter fc8 = net.parameters().get("fc8/weights");
      float[] read = fetch(s.runner().fetch(fc8.read()), values.length);
      float[] held = fetch(s.runner().fetch(fc8.variable()), values.length);
      assertThat(read).as("read(): AlexNet's [in, out]").containsExactly(values);
      assertThat(held[1]).as("held [out, in]: element (0, 1) is AlexNet's (1, 0)").isEqualTo(values[classes]);
    }
  }

  @Test
  void layerOutputsHaveAlexNetsShapes() {
    Map<String, long[]> expected = Map.ofEntries(
        Map.entry("conv1", new long[] {-1, 55, 55, 96}), Map.entry("norm1", new long[] {-1, 55, 55, 96}),
        Map.entry("pool1", new long[] {-1, 27, 27, 96}), Map.entry("conv2", new long[] {-1, 27, 27, 256}),
        Map.entry("norm2", new long[] {-1, 27, 27, 256}), Map.entry("pool2", new long[] {-1, 13, 13, 256}),
        Map.entry("conv3", new long[] {-1, 13, 13, 384}), Map.entry("conv4", new long[] {-1, 13, 13, 384}),
        Map.entry("conv5", new long[] {-1, 13, 13, 256}), Map.entry("pool5", new long[] {-1, 6, 6, 256}),
        Map.entry("fc6", new long[] {-1, 4096}), Map.entry("fc7", new long[] {-1, 4096}),
        Map.entry("fc8", new long[] {-1, 7}), Map.entry("prob", new long[] {-1, 7}));
    try (Graph g = new Graph()) {
      AlexNetGraph net = AlexNetGraph.create(Ops.create(g), 7, 0L);

      for (String layer : AlexNetGraph.LAYER_OUTPUTS) {
        assertThat(net.layer(layer).shape().asArray()).as("static shape of %s (batch unknown)", layer)
            .containsExactly(expected.get(layer));
      }
    }
  }

  /** The layouts this run can build: {@code ONEDNN_FORWARD} needs oneDNN (the pom runs the tests with and without). */
  static List<AlexNetGraph.Convolutions> layouts() {
    return ONEDNN ? List.of(AlexNetGraph.Convolutions.values()) : List.of(AlexNetGraph.Convolutions.CLASSIC);
  }

  private static final boolean ONEDNN = AlexNetGraph.Lrn.fastest() == AlexNetGraph.Lrn.BASIC_OPS;
  /** What the pom's fork set: 1 in the onednn execution, 0 in the default one. */
  private static final boolean ONEDNN_SET = "1".equals(System.getenv(OneDnn.VARIABLE));

  @ParameterizedTest
  @MethodSource("layouts")
  void groupedConv2EqualsAnUngroupedConvolutionWithBlockDiagonalWeights(AlexNetGraph.Convolutions layout) {
    SplittableRandom random = new SplittableRandom(2);
    WeightArray weights = WeightArray.of(new int[] {5, 5, 48, 256}, uniform(random, 5 * 5 * 48 * 256, 0.05));
    WeightArray biases = WeightArray.of(new int[] {256}, uniform(random, 256, 0.5));
    float[] pool1 = positive(uniform(random, 27 * 27 * 96, 50));
    // Output channel o of group g = o / 128 sees input channels g*48 .. g*48+47 only: as one ungrouped conv,
    // W_full[ky][kx][g*48 + i][o] = W[ky][kx][i][o] and zero for input channels of the other group.
    WeightArray blockDiagonal = blockDiagonal(weights, 2);

    float[] grouped = runLayer("conv2", Map.of("conv2/weights", weights, "conv2/biases", biases),
        "pool1", pool1, new long[] {1, 27, 27, 96}, AlexNetGraph.Lrn.FUSED, layout);
    double[] reference = ReferenceAlexNet.relu(ReferenceAlexNet.conv(Volume.of(pool1, 27, 27, 96), blockDiagonal,
        biases, 1, true, 1)).data();
    float[] ungroupedTf = ungroupedTfConv(pool1, blockDiagonal, biases);

    assertClose(grouped, reference, 1e-5, layout + " grouped conv2 vs float64 ungrouped conv with block-diagonal "
        + "weights");
    assertClose(grouped, Closeness.toDouble(ungroupedTf), 1e-5,
        layout + " grouped conv2 vs TensorFlow's own ungrouped conv2d with block-diagonal weights");
  }

  @Test
  void oneDnnConvolutionsAreRefusedWithoutOneDnnAndOnlyChosenWithIt() {
    AlexNetGraph.Convolutions onCpu = AlexNetGraph.Convolutions.fastestOn(Placement.device("/CPU:0"));
    if (ONEDNN) {
      assertThat(onCpu).isEqualTo(AlexNetGraph.Convolutions.ONEDNN_FORWARD);
    } else {
      assertThat(onCpu).isEqualTo(AlexNetGraph.Convolutions.CLASSIC);
      try (Graph g = new Graph()) {
        assertThatThrownBy(() -> AlexNetGraph.create(Ops.create(g), 10, 0L, AlexNetGraph.Lrn.FUSED,
            AlexNetGraph.Convolutions.ONEDNN_FORWARD, Placement.device("/CPU:0")))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("TF_ENABLE_ONEDNN_OPTS=1").hasMessageContaining("Convolutions.CLASSIC");
      }
    }
    assertThat(AlexNetGraph.Convolutions.fastestOn(Placement.device("/GPU:0"))).as("on a GPU, as measured there")
        .isEqualTo(AlexNetGraph.Convolutions.CLASSIC);
  }

  @Test
  void oneDnnConvolutionsGroupNativelyHalveConv3AndMatchTheClassicOnesThroughPool5() {
    Assumptions.assumeTrue(ONEDNN, "Convolutions.ONEDNN_FORWARD needs oneDNN: the pom's onednn execution runs this");
    WeightFile file = TestData.randomWeightFile(9L, 1000);
    Map<String, WeightArray> weights = new HashMap<>();
    for (String layer : List.of("conv1", "conv2", "conv3", "conv4", "conv5")) {
      for (String param : List.of("/weights", "/biases")) {
        weights.put(layer + param, file.array(layer + param));
      }
    }

    // one image takes conv3's single convolution, more take its halves: both branches against the classic graph
    for (int n : new int[] {1, 3}) {
      float[] images = TestData.randomImages(8L, n);
      float[] classic = pool5(weights, images, n, AlexNetGraph.Convolutions.CLASSIC, null);
      Set<String> ran = new HashSet<>();
      float[] onednn = pool5(weights, images, n, AlexNetGraph.Convolutions.ONEDNN_FORWARD, ran);

      assertThat(IntStream.range(0, classic.length).filter(i -> classic[i] > 0).count())
          .as("positive pool5 values, so that the comparison sees every layer").isGreaterThan(classic.length / 4);
      assertClose(onednn, Closeness.toDouble(classic), 1e-5,
          "pool5 of " + n + " images, ONEDNN_FORWARD vs CLASSIC convolutions");
      // oneDNN fuses each convolution with its bias and ReLU under the ReLU's name; constants run in both branches
      Set<String> conv3Branches = new HashSet<>();
      ran.stream().filter(op -> op.matches("conv3/(one_image|halves)/.*") && !op.matches(".*/Const(_\\d+)?"))
          .forEach(op -> conv3Branches.add(op.split("/")[1]));
      assertThat(conv3Branches).as("conv3's branches whose ops ran for %d images", n)
          .containsExactly(n == 1 ? "one_image" : "halves");
    }
    try (Graph g = new Graph()) {
      AlexNetGraph.create(Ops.create(g), 10, 0L, AlexNetGraph.Lrn.FUSED, AlexNetGraph.Convolutions.ONEDNN_FORWARD,
          Placement.DEFAULT);
      List<String> convs = new ArrayList<>();
      List<String> splits = new ArrayList<>();
      g.operations().forEachRemaining(op -> {
        if (op.type().equals("Conv2D")) {
          convs.add(op.name().substring(0, op.name().indexOf('/')));
        } else if (op.type().equals("Split")) {
          splits.add(op.name());
        }
      });
      assertThat(convs).as("one Conv2D per layer; conv3 one for a single image and two halves for more")
          .containsExactlyInAnyOrder("conv1", "conv2", "conv3", "conv3", "conv3", "conv4", "conv5");
      assertThat(splits).as("only conv3's weights and biases are split, no activations").hasSize(2)
          .allMatch(name -> name.startsWith("conv3/halves/"));
    }
  }

  /** pool5 of {@code n} images; with {@code ran}, the names of the ops that ran are added to it. */
  private static float[] pool5(Map<String, WeightArray> params, float[] images, int n,
      AlexNetGraph.Convolutions layout, Set<String> ran) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      AlexNetGraph net = AlexNetGraph.create(Ops.create(g), 1000, 0L, AlexNetGraph.Lrn.FUSED, layout,
          Placement.DEFAULT);
      params.forEach((name, value) -> assign(s, net.parameters().get(name), value));
      try (TFloat32 in = tensor(images, n, 227, 227, 3)) {
        return fetch(s.runner().feed(net.input(), in).fetch(net.layer("pool5")), n * 6 * 6 * 256, ran);
      }
    }
  }

  @Test
  void blockDiagonalComparisonWouldCatchGroupsPairedTheWrongWay() {
    // Pairing the first weight half with the second input half (and vice versa) must give a clearly different
    // result, so the comparison above does pin down which half of W goes with which half of the input.
    SplittableRandom random = new SplittableRandom(3);
    WeightArray weights = WeightArray.of(new int[] {5, 5, 48, 256}, uniform(random, 5 * 5 * 48 * 256, 0.05));
    WeightArray biases = WeightArray.of(new int[] {256}, uniform(random, 256, 0.5));
    float[] pool1 = positive(uniform(random, 27 * 27 * 96, 50));

    float[] grouped = runLayer("conv2", Map.of("conv2/weights", weights, "conv2/biases", biases),
        "pool1", pool1, new long[] {1, 27, 27, 96});
    double[] swapped = ReferenceAlexNet.relu(ReferenceAlexNet.conv(Volume.of(swapHalves(pool1, 96), 27, 27, 96),
        blockDiagonal(weights, 2), biases, 1, true, 1)).data();

    assertThat(Closeness.relativeError(grouped, swapped)).as("grouped conv with the input halves swapped")
        .isGreaterThan(1e-2);
  }

  @Test
  void lrnMatchesCaffesFormulaWithCaffesParameters() {
    float[] conv1 = positive(uniform(new SplittableRandom(4), 55 * 55 * 96, 200));

    float[] norm1 = runLayer("norm1", Map.of(), "conv1", conv1, new long[] {1, 55, 55, 96});
    Volume reference = ReferenceAlexNet.lrnCaffe(Volume.of(conv1, 55, 55, 96), ReferenceAlexNet.CAFFE_LRN_LOCAL_SIZE,
        ReferenceAlexNet.CAFFE_LRN_ALPHA, ReferenceAlexNet.CAFFE_LRN_BETA, ReferenceAlexNet.CAFFE_LRN_K);

    assertClose(norm1, reference.data(), 1e-5,
        "TF LRN(radius 2, alpha 2e-5, beta 0.75, bias 1) vs Caffe LRN(local_size 5, alpha 1e-4, beta 0.75, k 1)");
    double smallestRatio = Double.MAX_VALUE;
    for (int i = 0; i < conv1.length; i++) {
      if (conv1[i] > 1) {
        smallestRatio = Math.min(smallestRatio, reference.data()[i] / conv1[i]);
      }
    }
    assertThat(smallestRatio).as("normalisation must change the values substantially, or the test proves little")
        .isLessThan(0.7);
  }

  @Test
  void theFasterLrnIsTheBasicOpsOneExactlyWhenOneDnnIsOnAsTensorFlowReadsTheVariable() {
    assertThat(AlexNetGraph.Lrn.fastest("1")).isEqualTo(AlexNetGraph.Lrn.BASIC_OPS);
    assertThat(AlexNetGraph.Lrn.fastest("true")).isEqualTo(AlexNetGraph.Lrn.BASIC_OPS);
    assertThat(AlexNetGraph.Lrn.fastest("TRUE")).isEqualTo(AlexNetGraph.Lrn.BASIC_OPS);
    assertThat(AlexNetGraph.Lrn.fastest("0")).isEqualTo(AlexNetGraph.Lrn.FUSED);
    assertThat(AlexNetGraph.Lrn.fastest("false")).isEqualTo(AlexNetGraph.Lrn.FUSED);
    assertThat(AlexNetGraph.Lrn.fastest(null)).as("unset: TensorFlow is asked (here it reads the fork's setting)")
        .isEqualTo(ONEDNN_SET ? AlexNetGraph.Lrn.BASIC_OPS : AlexNetGraph.Lrn.FUSED);
    assertThat(AlexNetGraph.Lrn.fastestOn(Placement.device("/GPU:0"))).as("on a GPU, cuDNN's LRN")
        .isEqualTo(AlexNetGraph.Lrn.FUSED);
    assertThat(AlexNetGraph.Lrn.fastestOn(Placement.device("/CPU:0"))).isEqualTo(AlexNetGraph.Lrn.fastest());
    assertThat(AlexNetGraph.LrnWindow.fastestOn(Placement.device("/CPU:0"))).as("the window sum, where oneDNN is %s",
        ONEDNN ? "on" : "off").isEqualTo(ONEDNN ? AlexNetGraph.LrnWindow.BLOCK_CONVOLUTION
            : AlexNetGraph.LrnWindow.BANDED_PRODUCT);
    assertThat(AlexNetGraph.LrnWindow.fastestOn(Placement.device("/CPU:0"), 96)).as("norm1's window")
        .isEqualTo(ONEDNN && !CpuFeatures.avx512() ? AlexNetGraph.LrnWindow.BLOCK_CONVOLUTION
            : AlexNetGraph.LrnWindow.BANDED_PRODUCT);
    assertThat(AlexNetGraph.LrnWindow.fastestOn(Placement.device("/CPU:0"), 256)).as("norm2's window")
        .isEqualTo(AlexNetGraph.LrnWindow.fastestOn(Placement.device("/CPU:0")));
    assertThat(AlexNetGraph.LrnWindow.fastestOn(Placement.device("/GPU:0")))
        .isEqualTo(AlexNetGraph.LrnWindow.BANDED_PRODUCT);
  }

  @Test
  void lrnFromBasicOpsEqualsTheFusedLrnOpOnNorm1AndNorm2() {
    float[] conv1 = positive(uniform(new SplittableRandom(6), 55 * 55 * 96, 200));
    float[] conv2 = positive(uniform(new SplittableRandom(7), 27 * 27 * 256, 200));

    for (String layer : List.of("norm1", "norm2")) {
      boolean first = layer.equals("norm1");
      float[] fed = first ? conv1 : conv2;
      long[] shape = first ? new long[] {1, 55, 55, 96} : new long[] {1, 27, 27, 256};
      String fedLayer = first ? "conv1" : "conv2";
      float[] fused = runLayer(layer, Map.of(), fedLayer, fed, shape);
      float[] basic = runLayer(layer, Map.of(), fedLayer, fed, shape, AlexNetGraph.Lrn.BASIC_OPS);
      Volume reference = ReferenceAlexNet.lrnCaffe(Volume.of(fed, (int) shape[1], (int) shape[2], (int) shape[3]),
          ReferenceAlexNet.CAFFE_LRN_LOCAL_SIZE, ReferenceAlexNet.CAFFE_LRN_ALPHA, ReferenceAlexNet.CAFFE_LRN_BETA,
          ReferenceAlexNet.CAFFE_LRN_K);

      assertClose(basic, Closeness.toDouble(fused), 1e-5, layer + ": LRN from basic ops vs the fused LRN op");
      assertClose(basic, reference.data(), 1e-5, layer + ": LRN from basic ops vs Caffe's formula");
    }
  }

  @ParameterizedTest
  @EnumSource(AlexNetGraph.LrnWindow.class)
  void eachLrnWindowGivesCaffesLrn(AlexNetGraph.LrnWindow window) {
    // norm1's and norm2's shapes, two images (the block convolution sees them as one long row), and a channel
    // count that is no multiple of 8 (the block convolution falls back to the product)
    int[][] shapes = {{2, 55, 55, 96}, {2, 27, 27, 256}, {2, 5, 5, 12}};
    for (int[] shape : shapes) {
      int n = shape[0];
      int h = shape[1];
      int w = shape[2];
      int c = shape[3];
      float[] conv = positive(uniform(new SplittableRandom(c), n * h * w * c, 200));
      float[] lrn;
      try (Graph g = new Graph(); Session s = new Session(g)) {
        Ops tf = Ops.create(g);
        Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, h, w, c)));
        Operand<TFloat32> y = AlexNetGraph.lrnFromBasicOps(tf, x, 2, 2e-5f, 0.75f, 1f, window);
        try (TFloat32 in = tensor(conv, n, h, w, c)) {
          lrn = fetch(s.runner().feed(x, in).fetch(y), conv.length);
        }
      }
      int size = h * w * c;
      for (int i = 0; i < n; i++) {
        Volume reference = ReferenceAlexNet.lrnCaffe(
            Volume.of(Arrays.copyOfRange(conv, i * size, (i + 1) * size), h, w, c),
            ReferenceAlexNet.CAFFE_LRN_LOCAL_SIZE, ReferenceAlexNet.CAFFE_LRN_ALPHA, ReferenceAlexNet.CAFFE_LRN_BETA,
            ReferenceAlexNet.CAFFE_LRN_K);
        assertClose(Arrays.copyOfRange(lrn, i * size, (i + 1) * size), reference.data(), 1e-5,
            window + ", " + c + " channels, image " + i + ": LRN from basic ops vs Caffe's formula in float64");
      }
    }
  }

  @Test
  void dropoutPassesValuesThroughUnchangedUnlessKeepProbIsFed() {
    float[] fc6 = uniform(new SplittableRandom(5), 8 * 4096, 1);
    for (int i = 0; i < fc6.length; i++) {
      fc6[i] = 1.5f + fc6[i];
    }
    try (Graph g = new Graph(); Session s = new Session(g)) {
      AlexNetGraph net = AlexNetGraph.create(Ops.create(g), 10, 0L);
      try (TFloat32 in = tensor(fc6, 8, 4096)) {
        float[] inference = fetch(s.runner().feed(net.layer("fc6"), in).fetch("dropout6"), fc6.length);
        float[] training;
        try (TFloat32 half = TFloat32.scalarOf(0.5f)) {
          training = fetch(s.runner().feed(net.layer("fc6"), in).feed(net.keepProb(), half).fetch("dropout6"),
              fc6.length);
        }

        Closeness.assertSameValues(inference, fc6, "dropout6 with keepProb at its default 1.0");
        int dropped = 0;
        for (int i = 0; i < fc6.length; i++) {
          if (training[i] == 0) {
            dropped++;
          } else {
            assertThat(training[i]).as("a kept value is scaled by 1 / keepProb").isEqualTo(2 * fc6[i]);
          }
        }
        assertThat(dropped / (double) fc6.length).as("share dropped with keepProb 0.5").isBetween(0.45, 0.55);
      }
    }
  }

  @Test
  void dropoutMasksDependOnlyOnTheirKeySoAResumedRunDrawsTheSameOnes() {
    float[] fc6 = new float[4 * 4096];
    java.util.Arrays.fill(fc6, 1f);
    // Two graphs in two sessions stand for an uninterrupted run and one resumed in a fresh process: the mask of
    // key (7, 3) is the same whether or not other masks were drawn before it.
    float[][] first = new float[3][];
    float[][] second = new float[1][];
    try (Graph g = new Graph(); Session s = new Session(g)) {
      AlexNetGraph net = AlexNetGraph.create(Ops.create(g), 10, 7L);
      for (int step = 1; step <= 3; step++) {
        first[step - 1] = dropout(s, net, fc6, "dropout6", 7L, step);
      }
    }
    try (Graph g = new Graph(); Session s = new Session(g)) {
      AlexNetGraph net = AlexNetGraph.create(Ops.create(g), 10, 7L);
      second[0] = dropout(s, net, fc6, "dropout6", 7L, 3);
      float[] otherLayer = dropout(s, net, fc6, "dropout7", 7L, 3);

      assertThat(second[0]).as("mask of key (7, 3), drawn first here and third in the other session")
          .isEqualTo(first[2]);
      assertThat(first[1]).as("a new step, a new mask").isNotEqualTo(first[2]);
      assertThat(otherLayer).as("dropout7 draws its own mask from the same key").isNotEqualTo(second[0]);
    }
  }

  private static float[] dropout(Session s, AlexNetGraph net, float[] values, String layer, long seed, long step) {
    try (TFloat32 in = tensor(values, values.length / 4096, 4096); TFloat32 half = TFloat32.scalarOf(0.5f);
        org.tensorflow.types.TInt64 key = org.tensorflow.types.TInt64.vectorOf(seed, step)) {
      String input = layer.equals("dropout6") ? "fc6" : "fc7";
      return fetch(s.runner().feed(net.layer(input), in).feed(net.keepProb(), half).feed(net.dropoutSeed(), key)
          .fetch(layer), values.length);
    }
  }

  @Test
  void featureExtractorAndClassifierCanBeBuiltApart() {
    try (Graph g = new Graph()) {
      AlexNetGraph features = AlexNetGraph.createFeatures(Ops.create(g));

      assertThat(features.parameters().keySet()).as("feature extractor's variables")
          .containsExactlyElementsOf(PARAMETER_NAMES.subList(0, 10));
      assertThat(features.layer("pool5").shape().asArray()).containsExactly(-1, 6, 6, 256);
      assertThatThrownBy(() -> features.layer("fc6")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no layer 'fc6'");
    }
    try (Graph g = new Graph()) {
      AlexNetGraph classifier = AlexNetGraph.createClassifier(Ops.create(g), 2, 0L);

      assertThat(classifier.input().op().name()).as("cached pool5 features are fed here").isEqualTo("pool5");
      assertThat(classifier.input().shape().asArray()).containsExactly(-1, 6, 6, 256);
      assertThat(classifier.parameters().keySet()).as("classifier's variables")
          .containsExactlyElementsOf(PARAMETER_NAMES.subList(10, 16));
      assertThat(classifier.logits().shape().asArray()).containsExactly(-1, 2);
    }
  }

  @Test
  void refusesToBuildASecondAlexNetIntoTheSameGraph() {
    try (Graph g = new Graph()) {
      AlexNetGraph.create(Ops.create(g), 10, 0L);

      assertThatThrownBy(() -> AlexNetGraph.create(Ops.create(g), 10, 0L))
          .as("names would come out as conv1_1/weights, which nothing could find")
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("once per graph");
    }
  }

  @Test
  void onTwoTowersTheNamesStayAndEachSplitParameterHasAHalfOnEachTower() {
    Placement towers = Placement.towers("/CPU:0", "/CPU:1").withCpuDevices(2);
    try (Graph g = new Graph()) {
      AlexNetGraph net = AlexNetGraph.create(Ops.create(g), 10, 0L, AlexNetGraph.Lrn.FUSED, towers);

      for (String layer : AlexNetGraph.LAYER_OUTPUTS) {
        assertThat(net.layer(layer).op().name()).as("graph op of layer %s", layer).isEqualTo(layer);
      }
      assertThat(net.parameters().keySet()).as("whole variables, as on one device")
          .containsExactlyElementsOf(PARAMETER_NAMES);
      Map<String, long[]> halves = Map.of("conv2/tower1/weights", new long[] {5, 5, 48, 128},
          "conv3/tower0/weights", new long[] {3, 3, 256, 192}, "conv4/tower1/biases", new long[] {192},
          "conv5/tower0/weights", new long[] {3, 3, 192, 128}, "fc6/tower1/weights", new long[] {9216, 2048},
          "fc7/tower0/biases", new long[] {2048});
      halves.forEach((name, shape) -> assertThat(g.operation(name).output(0).shape().asArray())
          .as("shape of %s", name).containsExactly(shape));
      assertThat(g.operation("conv2/tower1/weights").device()).as("requested device of tower 1's conv2 weights")
          .isEqualTo("/device:CPU:1");
      assertThat(g.operation("fc6/weights").device()).as("whole fc6 weights, in host memory")
          .isEqualTo("/device:CPU:0");
      assertThat(g.operation("conv1/weights").output(0).shape().asArray()).as("conv1 is not split")
          .containsExactly(11, 11, 3, 96);
    }
  }

  @Test
  void settingASplitParameterSetsTheHalfOfEachTower() {
    Placement towers = Placement.towers("/CPU:0", "/CPU:1").withCpuDevices(2);
    WeightArray weights = WeightArray.of(new int[] {5, 5, 48, 256},
        uniform(new SplittableRandom(4), 5 * 5 * 48 * 256, 1.0));
    try (Graph g = new Graph();
        Session s = new Session(g, towers.sessionConfig(ConfigProto.getDefaultInstance()))) {
      AlexNetGraph net = AlexNetGraph.create(Ops.create(g), 10, 0L, AlexNetGraph.Lrn.FUSED, towers);

      net.assign(s, Map.of("conv2/weights", weights));

      for (int tower = 0; tower < 2; tower++) {
        float[] half = fetch(s.runner().fetch("conv2/tower" + tower + "/weights"), 5 * 5 * 48 * 128);
        for (int i = 0; i < half.length; i++) {
          int kernel = i % 128;
          int position = i / 128;
          assertThat(half[i]).as("conv2/tower%d/weights[..., %d] at position %d", tower, kernel, position)
              .isEqualTo(weights.data()[position * 256 + tower * 128 + kernel]);
        }
      }
    }
  }

  /** Builds the full graph, sets the given variables, feeds {@code fedLayer} and returns {@code layer}. */
  private static float[] runLayer(String layer, Map<String, WeightArray> params, String fedLayer, float[] fed,
      long[] fedShape) {
    return runLayer(layer, params, fedLayer, fed, fedShape, AlexNetGraph.Lrn.FUSED);
  }

  private static float[] runLayer(String layer, Map<String, WeightArray> params, String fedLayer, float[] fed,
      long[] fedShape, AlexNetGraph.Lrn lrn) {
    return runLayer(layer, params, fedLayer, fed, fedShape, lrn, AlexNetGraph.Convolutions.CLASSIC);
  }

  private static float[] runLayer(String layer, Map<String, WeightArray> params, String fedLayer, float[] fed,
      long[] fedShape, AlexNetGraph.Lrn lrn, AlexNetGraph.Convolutions layout) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      AlexNetGraph net = AlexNetGraph.create(Ops.create(g), 1000, 0L, lrn, layout, Placement.DEFAULT);
      params.forEach((name, value) -> assign(s, net.parameters().get(name), value));
      try (TFloat32 in = tensor(fed, fedShape)) {
        Operand<TFloat32> out = net.layer(layer);
        return fetch(s.runner().feed(net.layer(fedLayer), in).fetch(out), -1);
      }
    }
  }

  private static float[] ungroupedTfConv(float[] input, WeightArray weights, WeightArray biases) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class);
      Operand<TFloat32> conv = tf.nn.relu(tf.nn.biasAdd(tf.nn.conv2d(x, constant(tf, weights),
          List.of(1L, 1L, 1L, 1L), "SAME"), constant(tf, biases)));
      try (TFloat32 in = tensor(input, 1, 27, 27, 96)) {
        return fetch(s.runner().feed(x, in).fetch(conv), -1);
      }
    }
  }

  private static Operand<TFloat32> constant(Ops tf, WeightArray a) {
    long[] shape = new long[a.rank()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = a.dim(i);
    }
    return tf.constant(Shape.of(shape), DataBuffers.of(a.data(), true, false));
  }

  static void assign(Session s, AlexNetGraph.Parameter p, WeightArray value) {
    long[] shape = new long[value.rank()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = value.dim(i);
    }
    try (TFloat32 t = tensor(value.data(), shape)) {
      s.runner().feed(p.value(), t).addTarget(p.assign()).run().close();
    }
  }

  static TFloat32 tensor(float[] data, long... shape) {
    return TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(data, true, false));
  }

  /** Runs and returns the single fetched tensor's values. */
  private static float[] fetch(Session.Runner runner, int expectedSize) {
    return fetch(runner, expectedSize, null);
  }

  /** {@link #fetch(Session.Runner, int)}; with {@code ran}, traced, adding the names of the ops that ran to it. */
  private static float[] fetch(Session.Runner runner, int expectedSize, Set<String> ran) {
    if (ran != null) {
      runner.setOptions(RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.SOFTWARE_TRACE).build());
    }
    try (Result r = ran == null ? runner.run() : runner.runAndFetchMetadata()) {
      if (ran != null) {
        r.getMetadata().orElseThrow().getStepStats().getDevStatsList()
            .forEach(device -> device.getNodeStatsList().forEach(node -> ran.add(node.getNodeName())));
      }
      TFloat32 t = (TFloat32) r.get(0);
      float[] out = new float[Math.toIntExact(t.shape().size())];
      t.copyTo(DataBuffers.of(out, false, false));
      if (expectedSize >= 0) {
        assertThat(out).as("fetched values").hasSize(expectedSize);
      }
      return out;
    }
  }

  private static WeightArray blockDiagonal(WeightArray grouped, int groups) {
    int kh = grouped.dim(0);
    int kw = grouped.dim(1);
    int cg = grouped.dim(2);
    int out = grouped.dim(3);
    int og = out / groups;
    int in = cg * groups;
    float[] full = new float[kh * kw * in * out];
    for (int k = 0; k < kh * kw; k++) {
      for (int i = 0; i < cg; i++) {
        for (int o = 0; o < out; o++) {
          int g = o / og;
          full[(k * in + g * cg + i) * out + o] = grouped.data()[(k * cg + i) * out + o];
        }
      }
    }
    return WeightArray.of(new int[] {kh, kw, in, out}, full);
  }

  private static float[] swapHalves(float[] hwc, int channels) {
    float[] out = new float[hwc.length];
    int half = channels / 2;
    for (int p = 0; p < hwc.length / channels; p++) {
      System.arraycopy(hwc, p * channels, out, p * channels + half, half);
      System.arraycopy(hwc, p * channels + half, out, p * channels, half);
    }
    return out;
  }

  private static float[] positive(float[] values) {
    for (int i = 0; i < values.length; i++) {
      values[i] = Math.abs(values[i]);
    }
    return values;
  }
}
