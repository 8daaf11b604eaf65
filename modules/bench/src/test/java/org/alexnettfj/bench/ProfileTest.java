package org.alexnettfj.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.alexnettfj.graph.StepProfile;
import org.junit.jupiter.api.Test;

class ProfileTest {

  private static StepProfile.Op op(String node, String kernel, long start, long micros) {
    return new StepProfile.Op(node, kernel, "/job:localhost/replica:0/task:0/device:CPU:0", start, micros);
  }

  @Test
  void opsSideBySideCountOnceInTheirGroupsTime() {
    // conv3's halves on two inter-op threads: 0-30 and 5-40 cover 40 us, then a gap, then 50-60
    List<StepProfile.Op> ops = List.of(op("conv3/halves/Conv2D", "_MklNativeFusedConv2D", 0, 30),
        op("conv3/halves/Conv2D_1", "_MklNativeFusedConv2D", 5, 35), op("conv3/halves/Relu", "Relu", 50, 10));
    assertThat(Profile.covered(ops)).isEqualTo(50);
    assertThat(Profile.covered(List.of())).isZero();
  }

  @Test
  void opsAreGroupedByLayerWithTheSplitsAndLayoutConversionsApart() {
    assertThat(Profile.group(op("conv2/Conv2D", "_MklNativeFusedConv2D", 0, 1))).isEqualTo("conv2");
    assertThat(Profile.group(op("norm1/Rsqrt", "Rsqrt", 0, 1))).isEqualTo("norm1");
    assertThat(Profile.group(op("pool5", "MaxPoolV2", 0, 1))).isEqualTo("pool5");
    assertThat(Profile.group(op("conv3/halves/concat", "ConcatV2", 0, 1))).isEqualTo("split/concat");
    assertThat(Profile.group(op("conv1/Conv2D-0-TransposeNHWCToNCHW-LayoutOptimizer", "Transpose", 0, 1)))
        .isEqualTo("layout conversions");
    assertThat(Profile.group(op("prob", "_MklSoftmax", 0, 1))).isEqualTo("other");
  }

  @Test
  void aGroupsMedianAndRateComeFromItsRuns() {
    // fc6 at batch 2 in three runs of 1, 3 and 2 ms: median 2 ms; 2 x 75.5 MFLOP in 2 ms
    List<StepProfile> runs = List.of(
        new StepProfile(1000, List.of(op("fc6/MatMul", "_MklNativeFusedMatMul", 0, 1000))),
        new StepProfile(3000, List.of(op("fc6/MatMul", "_MklNativeFusedMatMul", 0, 3000))),
        new StepProfile(2000, List.of(op("fc6/MatMul", "_MklNativeFusedMatMul", 0, 2000))));
    List<Profile.Group> groups = Profile.groups(runs, 2);
    assertThat(groups).singleElement().satisfies(g -> {
      assertThat(g.name()).isEqualTo("fc6");
      assertThat(g.millis()).isEqualTo(2.0);
      assertThat(g.flops()).isEqualTo(2.0 * 9216 * 4096 * 2);
      assertThat(g.gflops()).isCloseTo(2.0 * 9216 * 4096 * 2 / 2e6, within(1e-9));
      assertThat(g.kernelMillis()).containsEntry("_MklNativeFusedMatMul", 2.0);
    });
  }

  @Test
  void oneDnnKernelsAreTheMklOnes() {
    assertThat(new StepProfile(0, List.of(op("a", "_MklNativeConv2D", 0, 1))).ops().get(0).oneDnn()).isTrue();
    assertThat(op("a", "Conv2D", 0, 1).oneDnn()).isFalse();
  }

  @Test
  void aTrainingStepsBackwardAndUpdateAreGroupsOfTheirOwn() {
    assertThat(Profile.group(op("train/Gradients/MatMul_2", "_MklMatMul", 0, 1))).isEqualTo("backward");
    assertThat(Profile.group(op("train/ApplyMomentum_3", "ApplyMomentum", 0, 1))).isEqualTo("update");
    // fc6-fc8 fine-tuning: the backward pass does the step's FLOPs beyond the forward pass
    List<StepProfile> runs = List.of(new StepProfile(1000, List.of(
        op("train/Gradients/MatMul", "_MklMatMul", 0, 1000), op("fc6/MatMul", "_MklNativeFusedMatMul", 0, 500))));
    List<Profile.Group> groups = Profile.groups(runs, 1, Workload.FINE_TUNE_FC);
    assertThat(groups).extracting(Profile.Group::name).containsExactly("fc6", "backward");
    double backward = 2.0 * 9216 * 4096 + 2 * (2.0 * 4096 * 4096) + 2 * (2.0 * 4096 * 1000);
    assertThat(groups.get(1).flops()).isCloseTo(backward, within(1.0));
  }
}
