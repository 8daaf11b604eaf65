package org.alexnettfj.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.alexnettfj.graph.AlexNetGraph.Convolutions;
import org.alexnettfj.graph.AlexNetGraph.FcLayout;
import org.alexnettfj.graph.AlexNetGraph.Lrn;
import org.alexnettfj.graph.AlexNetGraph.LrnWindow;
import org.alexnettfj.weights.AlexNetSpec;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Graph;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.GraphDef;

/**
 * Each named factory makes the choices its call site made before {@link GraphOptions} (the enums' deprecated
 * {@code fastestOn}, the old {@code create} overloads), and builds the same graph: the same ops, names, attributes
 * and devices, compared as whole {@code GraphDef}s. The pom runs it with oneDNN off and on, where the choices
 * differ.
 */
@SuppressWarnings("deprecation")   // the deprecated methods are what the options must agree with
class GraphOptionsTest {

  private static final boolean ONEDNN = OneDnn.enabled();

  static List<Placement> placements() {
    return List.of(Placement.DEFAULT, Placement.device("/CPU:0"), Placement.device("/GPU:0"),
        Placement.towers("/CPU:0", "/CPU:1").withCpuDevices(2), Placement.towers("/GPU:0", "/GPU:1"));
  }

  /** Sets of trained layers: fc8 alone, the classifier, from conv3 up (no LRN), conv2 alone, every layer. */
  static List<Set<String>> trainLayers() {
    return List.of(Set.of("fc8"), Set.of("fc6", "fc7", "fc8"), Set.of("conv3", "conv4", "conv5", "fc6", "fc7", "fc8"),
        Set.of("conv2"), Set.copyOf(AlexNetSpec.LAYER_NAMES));
  }

  @ParameterizedTest
  @MethodSource("placements")
  void fastestMakesTheChoicesOfEachEnumsFastestOn(Placement placement) {
    GraphOptions options = GraphOptions.fastest(placement);

    assertThat(options.lrn()).as("LRN on %s", placement).isEqualTo(Lrn.fastestOn(placement));
    assertThat(options.convolutions()).as("convolutions on %s", placement).isEqualTo(Convolutions.fastestOn(placement));
    assertThat(options.fcLayout()).as("fc layout on %s", placement).isEqualTo(FcLayout.fastestOn(placement));
    assertThat(options.lrnWindow(96)).as("norm1's window sum on %s", placement)
        .isEqualTo(LrnWindow.fastestOn(placement, 96));
    assertThat(options.lrnWindow(256)).as("norm2's window sum on %s", placement)
        .isEqualTo(LrnWindow.fastestOn(placement, 256));
    assertThat(options.placement()).isEqualTo(placement);
    assertThat(options.seed()).as("the old create(tf, n, seed) took the seed apart").isZero();
  }

  @Test
  void fastestTakesOneDnnsLayoutsOnlyOnTheCpuWithOneDnnOn() {
    GraphOptions cpu = GraphOptions.fastest(Placement.device("/CPU:0"));
    GraphOptions gpu = GraphOptions.fastest(Placement.device("/GPU:0"));

    assertThat(cpu.lrn()).as("oneDNN is %s", ONEDNN ? "on" : "off")
        .isEqualTo(ONEDNN ? Lrn.BASIC_OPS : Lrn.FUSED);
    assertThat(cpu.convolutions()).isEqualTo(ONEDNN ? Convolutions.ONEDNN_FORWARD : Convolutions.CLASSIC);
    assertThat(cpu.fcLayout()).as("transposed only on a core without AVX-512")
        .isEqualTo(ONEDNN && !CpuFeatures.avx512() ? FcLayout.TRANSPOSED : FcLayout.CLASSIC);
    assertThat(gpu).as("on a GPU the classic layouts and cuDNN's LRN, as measured there")
        .isEqualTo(new GraphOptions(Lrn.FUSED, Convolutions.CLASSIC, FcLayout.CLASSIC, gpu.placement(), 0L));
  }

  @Test
  void classicIsTheClassicCreate() {
    assertThat(GraphOptions.classic()).isEqualTo(
        new GraphOptions(Lrn.FUSED, Convolutions.CLASSIC, FcLayout.CLASSIC, Placement.DEFAULT, 0L));
  }

  @Test
  void portableIsWhatTheSavedModelAndGradCamChose() {
    assertThat(GraphOptions.portable()).as("the fastest LRN here, classic convolutions and fc weights")
        .isEqualTo(new GraphOptions(Lrn.fastestOn(Placement.DEFAULT), Convolutions.CLASSIC, FcLayout.CLASSIC,
            Placement.DEFAULT, 0L));
  }

  @ParameterizedTest
  @MethodSource("trainLayers")
  void forTrainingMakesTheTrainersChoices(Set<String> trainLayers) {
    for (Placement placement : placements().subList(0, 3)) {
      boolean lrnDifferentiated = trainLayers.contains("conv1") || trainLayers.contains("conv2");
      boolean convsDifferentiated = trainLayers.stream().anyMatch(l -> l.startsWith("conv"));

      GraphOptions options = GraphOptions.fastest(placement).forTraining(trainLayers).withSeed(7L);

      assertThat(options).as("training %s on %s", trainLayers, placement).isEqualTo(new GraphOptions(
          lrnDifferentiated ? Lrn.BASIC_OPS : Lrn.fastestOn(placement),
          convsDifferentiated ? Convolutions.CLASSIC : Convolutions.fastestOn(placement),
          FcLayout.fastestOn(placement), placement, 7L));
    }
  }

  @Test
  void forTrainingLeavesLayoutsThatNoGradientPassesAsTheyAre() {
    GraphOptions transposed = GraphOptions.classic().withFcLayout(FcLayout.TRANSPOSED).withSeed(3L);

    assertThat(transposed.forTraining(Set.of("fc6", "fc7", "fc8"))).as("nothing below fc6 is differentiated")
        .isEqualTo(transposed);
    assertThat(transposed.forTraining(Set.of("conv1")).lrn()).as("a gradient through norm1")
        .isEqualTo(Lrn.BASIC_OPS);
  }

  @Test
  void eachWitherChangesItsChoiceOnly() {
    GraphOptions classic = GraphOptions.classic();

    assertThat(classic.withLrn(Lrn.BASIC_OPS)).isEqualTo(
        new GraphOptions(Lrn.BASIC_OPS, Convolutions.CLASSIC, FcLayout.CLASSIC, Placement.DEFAULT, 0L));
    assertThat(classic.withFcLayout(FcLayout.TRANSPOSED)).isEqualTo(
        new GraphOptions(Lrn.FUSED, Convolutions.CLASSIC, FcLayout.TRANSPOSED, Placement.DEFAULT, 0L));
    assertThat(classic.withSeed(9L)).isEqualTo(
        new GraphOptions(Lrn.FUSED, Convolutions.CLASSIC, FcLayout.CLASSIC, Placement.DEFAULT, 9L));
    assertThat(classic.withConvolutions(Convolutions.CLASSIC)).isEqualTo(classic);
    assertThat(classic).as("unchanged").isEqualTo(GraphOptions.classic());
  }

  @Test
  void refusesOneDnnsConvolutionsOnTheCpuWithoutOneDnn() {
    Assumptions.assumeFalse(ONEDNN, "with oneDNN on, the grouped Conv2D runs on the CPU");

    assertThatThrownBy(() -> GraphOptions.classic().withConvolutions(Convolutions.ONEDNN_FORWARD))
        .as("TensorFlow's default fused convolution does not do groups")
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TF_ENABLE_ONEDNN_OPTS=1");
  }

  @Test
  void refusesAMissingChoice() {
    assertThatThrownBy(() -> new GraphOptions(null, Convolutions.CLASSIC, FcLayout.CLASSIC, Placement.DEFAULT, 0L))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("lrn");
  }

  @Test
  void theGraphKeepsItsOptions() {
    GraphOptions options = GraphOptions.classic().withSeed(5L);
    try (Graph g = new Graph()) {
      assertThat(AlexNetGraph.create(Ops.create(g), 3, options).options()).isEqualTo(options);
    }
  }

  @Test
  void fastestWithASeedBuildsTheGraphOfCreateWithASeed() {
    assertSameGraph("create(tf, 7, 9L)", tf -> AlexNetGraph.create(tf, 7, 9L),
        tf -> AlexNetGraph.create(tf, 7, GraphOptions.fastest(Placement.DEFAULT).withSeed(9L)));
  }

  @ParameterizedTest
  @MethodSource("placements")
  void fastestBuildsTheGraphAlexNetModelBuilt(Placement placement) {
    assertSameGraph("AlexNetModel's graph on " + placement,
        tf -> AlexNetGraph.create(tf, 10, 42L, Lrn.fastestOn(placement), Convolutions.fastestOn(placement),
            placement),
        tf -> AlexNetGraph.create(tf, 10, GraphOptions.fastest(placement).withSeed(42L)));
  }

  @Test
  void portableBuildsTheGraphOfTheSavedModelAndGradCam() {
    assertSameGraph("the SavedModel's and Grad-CAM's graph",
        tf -> AlexNetGraph.create(tf, 10, 0L, Lrn.fastestOn(Placement.DEFAULT), Convolutions.CLASSIC,
            FcLayout.CLASSIC, Placement.DEFAULT),
        tf -> AlexNetGraph.create(tf, 10, GraphOptions.portable()));
  }

  @Test
  void classicWithAnLrnBuildsTheGraphOfCreateWithThatLrn() {
    for (Lrn lrn : Lrn.values()) {
      assertSameGraph("create(tf, 3, 0L, " + lrn + ")", tf -> AlexNetGraph.create(tf, 3, 0L, lrn, Placement.DEFAULT),
          tf -> AlexNetGraph.create(tf, 3, GraphOptions.classic().withLrn(lrn)
              .withFcLayout(FcLayout.fastestOn(Placement.DEFAULT))));
    }
  }

  @ParameterizedTest
  @MethodSource("trainLayers")
  void forTrainingBuildsTheTrainersGraphs(Set<String> trainLayers) {
    boolean lrnDifferentiated = trainLayers.contains("conv1") || trainLayers.contains("conv2");
    boolean convsDifferentiated = trainLayers.stream().anyMatch(l -> l.startsWith("conv"));
    for (Placement placement : placements().subList(0, 3)) {
      GraphOptions options = GraphOptions.fastest(placement).forTraining(trainLayers).withSeed(11L);
      assertSameGraph("the trainer's graph of " + trainLayers + " on " + placement,
          tf -> AlexNetGraph.create(placement.scope(tf), 5, 11L,
              lrnDifferentiated ? Lrn.BASIC_OPS : Lrn.fastestOn(placement),
              convsDifferentiated ? Convolutions.CLASSIC : Convolutions.fastestOn(placement), placement),
          tf -> AlexNetGraph.create(placement.scope(tf), 5, options));
      assertSameGraph("the trainer's classifier on cached pool5 features on " + placement,
          tf -> AlexNetGraph.createClassifier(placement.scope(tf), 5, 11L, placement),
          tf -> AlexNetGraph.createClassifier(placement.scope(tf), 5, options));
    }
  }

  @Test
  void theFeatureExtractorAndTheClassifierOfFastestAreThoseOfTheShorthands() {
    assertSameGraph("createFeatures(tf)", AlexNetGraph::createFeatures,
        tf -> AlexNetGraph.createFeatures(tf, GraphOptions.fastest(Placement.DEFAULT)));
    assertSameGraph("createClassifier(tf, 2, 4L)", tf -> AlexNetGraph.createClassifier(tf, 2, 4L),
        tf -> AlexNetGraph.createClassifier(tf, 2, GraphOptions.fastest(Placement.DEFAULT).withSeed(4L)));
  }

  @Test
  void onTwoTowersTheOptionsBuildTheGraphOfTheOldOverload() {
    Placement towers = Placement.towers("/CPU:0", "/CPU:1").withCpuDevices(2);
    assertSameGraph("create(tf, 10, 0L, FUSED, towers)", tf -> AlexNetGraph.create(tf, 10, 0L, Lrn.FUSED, towers),
        tf -> AlexNetGraph.create(tf, 10, GraphOptions.fastest(towers).withLrn(Lrn.FUSED)
            .withConvolutions(Convolutions.CLASSIC)));
  }

  /** Builds each into a graph of its own and compares the two graphs whole, op by op. */
  private static void assertSameGraph(String what, Function<Ops, AlexNetGraph> before,
      Function<Ops, AlexNetGraph> after) {
    GraphDef expected = graphDef(before);
    GraphDef actual = graphDef(after);
    assertThat(actual.getNodeList()).as("%s: op names, in order", what)
        .extracting(n -> n.getName()).containsExactlyElementsOf(expected.getNodeList().stream()
            .map(n -> n.getName()).toList());
    assertThat(actual).as("%s: ops, attributes, inputs and devices", what).isEqualTo(expected);
  }

  private static GraphDef graphDef(Function<Ops, AlexNetGraph> build) {
    try (Graph g = new Graph()) {
      build.apply(Ops.create(g));
      return g.toGraphDef();
    }
  }
}
