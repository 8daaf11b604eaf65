package org.alexnettfj.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class TrainingListenerTest {

  @Test
  void anEpochsTrainingNumbersAreItsTotalsAndTheNextRateIsTheStates() {
    BatchSource.Skipped skipped = new BatchSource.Skipped(1, List.of("a.jpg (truncated)"));
    TrainingListener.Totals totals = new TrainingListener.Totals(0.5, 0.75, 40, 2.0, skipped);
    TrainingState state = new TrainingState(2, 10, 1e-3f, 0.8, 2, 0, 7, new TreeMap<>());

    TrainingListener.Epoch e = new TrainingListener.Epoch(2, 3, 10, totals, null, BatchSource.Skipped.NONE, 1e-2f,
        "learning rate 0.01 -> 0.001: ...", state, Map.of(), null);

    assertThat(e.trainLoss()).isEqualTo(0.5);
    assertThat(e.trainAccuracy()).isEqualTo(0.75);
    assertThat(e.trainImages()).isEqualTo(40);
    assertThat(e.seconds()).isEqualTo(2.0);
    assertThat(e.imagesPerSecond()).as("40 images in 2 s").isEqualTo(20.0);
    assertThat(e.trainSkipped()).isSameAs(skipped);
    assertThat(e.learningRate()).as("the rate the epoch trained with").isEqualTo(1e-2f);
    assertThat(e.nextLearningRate()).as("the rate the checkpoint holds for the next epoch").isEqualTo(1e-3f);
  }

  @Test
  void anEpochWithNoMeasuredTimeHasNoRate() {
    TrainingListener.Totals none = new TrainingListener.Totals(Double.NaN, Double.NaN, 0, 0, BatchSource.Skipped.NONE);

    assertThat(none.imagesPerSecond()).as("not NaN or infinite: printed as is").isZero();
  }
}
