package org.alexnettfj.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code optClassWeights}: the loss is {@code -mean(w[y] log softmax(logits)[y])}, checked in double here. */
class ClassWeightsTest {

  @Test
  void theLossWeighsEachImageByItsClass() {
    float[] weights = {0.55f, 5.5f, 1f};
    Random random = new Random(4);
    int n = 5;
    float[] pool5 = new float[n * Trainer.POOL5_VALUES];
    for (int i = 0; i < pool5.length; i++) {
      pool5[i] = random.nextFloat();
    }
    int[] labels = {0, 1, 2, 1, 0};
    try (Trainer t = Trainer.builder().setFreshInit().optNumClasses(3).optTrainLayers(Set.of("fc8"))
        .optInput(Trainer.Input.POOL5).optWeightDecay(0).optSeed(2).optClassWeights(weights).build()) {
      float[][] logits = t.logits(pool5, n);
      double expected = 0;
      for (int i = 0; i < n; i++) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits[i]) {
          max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits[i]) {
          sum += Math.exp(l - max);
        }
        double logP = logits[i][labels[i]] - max - Math.log(sum);
        expected -= weights[labels[i]] * logP;
      }
      expected /= n;
      assertThat((double) t.loss(pool5, labels, n)).isCloseTo(expected, within(1e-5 * Math.abs(expected)));
    }
    assertThatThrownBy(() -> Trainer.builder().setFreshInit().optNumClasses(3).optInput(Trainer.Input.POOL5)
        .optTrainLayers(Set.of("fc8")).optClassWeights(new float[] {1, 2}).build())
        .hasMessageContaining("2 class weights for 3 classes");
    assertThatThrownBy(() -> Trainer.builder().setFreshInit().optNumClasses(2).optInput(Trainer.Input.POOL5)
        .optTrainLayers(Set.of("fc8")).optClassWeights(new float[] {1, 0}).build())
        .hasMessageContaining("positive and finite");
  }
}
