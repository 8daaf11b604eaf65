package org.alexnettfj.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Set;
import org.alexnettfj.weights.AlexNetWeights;
import org.alexnettfj.weights.WeightArray;
import org.alexnettfj.weights.WeightFile;
import org.junit.jupiter.api.Test;

/** Each parameter comes from the file when its layer is loaded, else from the paper's initialisation. */
class ParameterSourceTest {

  @Test
  void loadedLayersAreTheFilesArraysAndSkippedOnesAreFreshAtTheWeightsClassCount() throws Exception {
    WeightFile file = TestData.randomWeightFile(5L, 1000);
    ParameterSource s = ParameterSource.of(AlexNetWeights.from(file, Set.of("conv3", "fc6", "fc8"), 5), 7L);

    assertThat(s.numClasses()).isEqualTo(5);
    assertThat(s.freshLayers()).containsExactly("conv3", "fc6", "fc8");
    assertThat(s.value("conv1/weights")).as("the file's own array, not a copy").isSameAs(file.array("conv1/weights"));
    assertThat(s.value("fc7/biases")).isSameAs(file.array("fc7/biases"));

    WeightArray fc8 = s.value("fc8/weights");
    assertThat(fc8.shape()).containsExactly(4096, 5);
    double sum = 0;
    double squares = 0;
    for (float v : fc8.data()) {
      sum += v;
      squares += (double) v * v;
    }
    int n = fc8.data().length;
    assertThat(sum / n).as("mean of N(0, 0.01²)").isCloseTo(0, within(5 * 0.01 / Math.sqrt(n)));
    assertThat(Math.sqrt(squares / n - (sum / n) * (sum / n))).as("standard deviation").isCloseTo(0.01,
        within(0.0005));
    assertThat(s.value("fc6/biases").data()).as("the paper's unit biases in fc6").containsOnly(1f);
    assertThat(s.value("conv3/biases").data()).as("and zeros in conv3").containsOnly(0f);
    assertThat(s.value("fc8/weights").data()).as("the same bits again").containsExactly(fc8.data());
    assertThat(ParameterSource.of(AlexNetWeights.from(file, Set.of("fc8"), 5), 8L).value("fc8/weights").data())
        .as("another seed").isNotEqualTo(fc8.data());
  }

  @Test
  void aFreshSourceHasEveryLayerFreshAndChecksItsArguments() {
    ParameterSource s = ParameterSource.fresh(2, 1L);
    assertThat(s.freshLayers()).hasSize(8);
    assertThat(s.value("fc8/biases").shape()).containsExactly(2);
    assertThat(s.seed()).isEqualTo(1L);
    assertThatThrownBy(() -> ParameterSource.fresh(0, 1L)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1");
    assertThatThrownBy(() -> s.value("fc8")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("<layer>/weights");
    assertThatThrownBy(() -> s.value("pool5/weights")).isInstanceOf(IllegalArgumentException.class);
  }
}
