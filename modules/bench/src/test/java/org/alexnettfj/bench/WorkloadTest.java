package org.alexnettfj.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkloadTest {

  // Multiply-adds per image, written out from the paper's layer sizes (output h x w x channels x inputs per
  // output), independently of AlexNetSpec's shapes.
  private static final double CONV1 = 55.0 * 55 * 96 * (11 * 11 * 3);
  private static final double CONV2 = 27.0 * 27 * 256 * (5 * 5 * 48);
  private static final double CONV3 = 13.0 * 13 * 384 * (3 * 3 * 256);
  private static final double CONV4 = 13.0 * 13 * 384 * (3 * 3 * 192);
  private static final double CONV5 = 13.0 * 13 * 256 * (3 * 3 * 192);
  private static final double FC6 = 6.0 * 6 * 256 * 4096;
  private static final double FC7 = 4096.0 * 4096;
  private static final double FC8 = 4096.0 * 1000;
  private static final double FORWARD = 2 * (CONV1 + CONV2 + CONV3 + CONV4 + CONV5 + FC6 + FC7 + FC8);

  @Test
  void inferenceIsTheForwardPassOf1449MegaflopPerImage() {
    assertThat(Workload.INFERENCE.flopsPerImage()).as("forward flops").isEqualTo(FORWARD);
    assertThat(Workload.INFERENCE.gflopPerImage()).as("the issue's 1.449 GFLOP").isCloseTo(1.449, within(0.0005));
  }

  @Test
  void fineTuningFcAddsFcWeightGradientsAndFc7Fc8InputGradients() {
    double expected = FORWARD + 2 * (FC6 + FC7 + FC8) + 2 * (FC7 + FC8);
    assertThat(Workload.FINE_TUNE_FC.flopsPerImage()).as("fc6-fc8 step flops").isEqualTo(expected);
    assertThat(Workload.FINE_TUNE_FC.gflopPerImage()).as("the issue's about 1.61 GFLOP")
        .isCloseTo(1.61, within(0.005));
  }

  @Test
  void fromCachedPool5FeaturesOnlyTheFcLayersRun() {
    double expected = 2 * (FC6 + FC7 + FC8) + 2 * (FC6 + FC7 + FC8) + 2 * (FC7 + FC8);
    assertThat(Workload.FINE_TUNE_FC_FROM_POOL5.flopsPerImage()).as("fc forward, weight and fc7/fc8 input gradients")
        .isEqualTo(expected);
    assertThat(Workload.FINE_TUNE_FC_FROM_POOL5.gflopPerImage()).as("about 0.276 GFLOP")
        .isCloseTo(0.276, within(0.0005));
  }

  @Test
  void fullTrainingIsThreeForwardPassesLessConv1sInputGradient() {
    assertThat(Workload.FULL_TRAINING.flopsPerImage()).as("every layer trained").isEqualTo(3 * FORWARD - 2 * CONV1);
    assertThat(Workload.FULL_TRAINING.gflopPerImage()).as("the issue's about 4.14 GFLOP")
        .isCloseTo(4.14, within(0.005));
  }

  @Test
  void trainingOnlyFc8NeedsNoInputGradientAtAll() {
    assertThat(Workload.flopsPerImage(Set.of("fc8"))).as("fc8 only: forward plus fc8's weight gradient")
        .isEqualTo(FORWARD + 2 * FC8);
  }

  @Test
  void limitIsPeakOverFlopsPerImageAsInBenchmarksMd() {
    assertThat(Workload.INFERENCE.limitImagesPerSecond(157.3)).as("BENCHMARKS.md's 108.5 images/s")
        .isCloseTo(108.57, within(0.01));
    assertThat(Workload.FINE_TUNE_FC.limitImagesPerSecond(157.3)).as("the Javadoc example's 97.8")
        .isCloseTo(97.8, within(0.05));
    assertThat(Workload.FINE_TUNE_FC.fractionOfLimit(48.9, 157.3)).as("half the limit")
        .isCloseTo(0.5, within(0.001));
  }

  @Test
  void layerListIsInNetworkOrder() {
    assertThat(Workload.FINE_TUNE_FC.layerList()).as("fc layers").isEqualTo("fc6,fc7,fc8");
    assertThat(Workload.FULL_TRAINING.layerList()).as("all layers")
        .isEqualTo("conv1,conv2,conv3,conv4,conv5,fc6,fc7,fc8");
    assertThat(Workload.INFERENCE.layerList()).as("nothing trained").isEmpty();
  }

  @Test
  void rejectsAnUnknownLayer() {
    assertThatThrownBy(() -> Workload.flopsPerImage(Set.of("fc9"))).as("fc9")
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fc9");
  }
}
