package org.alexnettfj.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class StepProfileTest {

  @Test
  void theKernelIsTheOpTypeOfTheTimelineLabel() {
    assertThat(StepProfile.kernel("conv1/Conv2D = _MklNativeFusedConv2D(input, conv1/weights)"))
        .isEqualTo("_MklNativeFusedConv2D");
    assertThat(StepProfile.kernel("prob = Softmax(fc8)")).isEqualTo("Softmax");
    assertThat(StepProfile.kernel("")).isEqualTo("?");
  }

  @Test
  void aTracedForwardPassNamesEveryLayersOpsAndTheirTimes() throws Exception {
    try (AlexNetModel model = AlexNetModel.builder().setFreshInit().optMaxBatch(2).build()) {
      StepProfile p = model.profile(new float[2 * AlexNetModel.IMAGE_VALUES], 2, "prob");
      Set<String> layers = p.ops().stream().map(o -> o.node().split("/")[0]).collect(Collectors.toSet());
      assertThat(layers).contains("conv1", "norm1", "pool1", "conv2", "conv5", "pool5", "fc6", "fc7", "fc8");
      assertThat(p.ops()).allSatisfy(o -> assertThat(o.micros()).isNotNegative());
      assertThat(p.ops()).anySatisfy(o -> assertThat(o.kernel()).contains("Conv2D"));
      assertThat(p.ops()).isSortedAccordingTo(java.util.Comparator.comparingLong(StepProfile.Op::startMicros));
      assertThat(p.opMicros()).isPositive();
      assertThat(p.ops().stream().anyMatch(StepProfile.Op::oneDnn)).as("oneDNN kernels iff oneDNN is on")
          .isEqualTo(OneDnn.enabled());
    }
  }
}
