package org.alexnettfj.graph;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LabelsTest {

  @Test
  void imagenetNamesAreInTheOrderOfAlexNetsOutputs() {
    Labels labels = Labels.imagenet();
    assertThat(labels.size()).isEqualTo(1000);
    assertThat(labels.name(150)).isEqualTo("sea lion");
    assertThat(labels.name(340)).isEqualTo("zebra");
    assertThat(labels.name(355)).isEqualTo("llama");
    assertThat(labels.name(386)).isEqualTo("African elephant, Loxodonta africana");
  }

  @Test
  void topKIsSortedByProbabilityWithTiesByIndex() {
    Labels labels = Labels.numbered(5);
    Prediction p = Prediction.topK("x", new float[] {0.1f, 0.4f, 0.1f, 0.3f, 0.1f}, 4, labels);
    assertThat(p.top()).extracting(Prediction.ClassScore::index).containsExactly(1, 3, 0, 2);
    assertThat(p.top().get(0).label()).isEqualTo("class 1");
    assertThat(Prediction.topK("x", new float[] {0.5f, 0.5f}, 10, labels).top()).hasSize(2);
  }
}
