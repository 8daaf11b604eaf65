package org.alexnettfj.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

  private static final TrainingState START = TrainingState.start(0.01f, 7, Map.of("batch size", "4"));

  /** Runs the schedule over validation top-1 values, one per epoch; returns the state after each. */
  private static TrainingState[] run(LearningRateSchedule s, double... top1) {
    TrainingState[] out = new TrainingState[top1.length];
    TrainingState state = START;
    for (int e = 0; e < top1.length; e++) {
      state = s.afterEpoch(state, e + 1, top1[e], 10L * (e + 1)).state();
      out[e] = state;
    }
    return out;
  }

  @Test
  void dividesByTenAfterPatienceEpochsWithoutImprovementThenWaitsPatienceAgain() {
    TrainingState[] s = run(LearningRateSchedule.plateau(2), 0.5, 0.6, 0.6, 0.55, 0.58, 0.6, 0.61, 0.61);

    assertThat(s[1].bestValTop1()).as("0.6 at epoch 2 is the best").isEqualTo(0.6);
    assertThat(s[2].learningRate()).as("epoch 3: one epoch without improvement").isEqualTo(0.01f);
    assertThat(s[3].learningRate()).as("epoch 4: two epochs without improvement, so divided").isEqualTo(0.001f);
    assertThat(s[3].plateauEpochs()).as("the count restarts after a drop").isZero();
    assertThat(s[5].learningRate()).as("0.58 and an equal 0.6 are no improvement: two more epochs, divided again")
        .isEqualTo(0.001f * 0.1f);
    assertThat(s[6].bestValTop1()).isEqualTo(0.61);
    assertThat(s[6].bestEpoch()).isEqualTo(7);
    assertThat(s[7].learningRate()).as("one epoch after the improvement at 7").isEqualTo(0.001f * 0.1f);
    assertThat(s[7].epoch()).isEqualTo(8);
    assertThat(s[7].globalStep()).isEqualTo(80);
    assertThat(s[7].seed()).as("the seed and settings carry over").isEqualTo(7);
    assertThat(s[7].config()).containsEntry("batch size", "4");
  }

  @Test
  void saysWhyTheRateChangedAndNothingWhenItDidNot() {
    LearningRateSchedule s = LearningRateSchedule.plateau(1);
    LearningRateSchedule.Update first = s.afterEpoch(START, 1, 0.5, 3);
    LearningRateSchedule.Update second = s.afterEpoch(first.state(), 2, 0.4, 6);

    assertThat(first.change()).as("first epoch: an improvement over nothing").isNull();
    assertThat(second.change()).isEqualTo("learning rate 0.01 -> 0.001: validation top-1 has not improved for 1 "
        + "epoch (best 0.500 at epoch 1)");
  }

  @Test
  void aStepScheduleDividesEveryStepEpochsWhateverTheValidation() {
    TrainingState[] s = run(LearningRateSchedule.step(2), 0.1, 0.2, 0.3, 0.4, 0.5);

    assertThat(s[0].learningRate()).isEqualTo(0.01f);
    assertThat(s[1].learningRate()).isEqualTo(0.001f);
    assertThat(s[2].learningRate()).isEqualTo(0.001f);
    assertThat(s[3].learningRate()).isEqualTo(0.001f * 0.1f);
    assertThat(s[4].bestEpoch()).as("the best is tracked on a step schedule too").isEqualTo(5);
  }

  @Test
  void aNanValidationIsNoImprovementAndConstantNeverChanges() {
    TrainingState[] s = run(LearningRateSchedule.constant(), Double.NaN, 0.2, Double.NaN);

    assertThat(s[0].hasBest()).as("NaN (no validation image could be read) is not a best").isFalse();
    assertThat(s[2].bestEpoch()).isEqualTo(2);
    assertThat(s[2].plateauEpochs()).isEqualTo(1);
    assertThat(s[2].learningRate()).isEqualTo(0.01f);
  }

  @Test
  void formatsRatesAsAPersonWritesThem() {
    assertThat(LearningRateSchedule.format(0.01f * 0.1f * 0.1f)).as("1.00000005E-4 in float").isEqualTo("0.0001");
    assertThat(LearningRateSchedule.format(0.01f)).isEqualTo("0.01");
    assertThat(LearningRateSchedule.format(1e-7f)).isEqualTo("1E-7");
    assertThat(LearningRateSchedule.format(2.5f)).isEqualTo("2.5");
    assertThat(LearningRateSchedule.format(1e30f)).isEqualTo("1E+30");
  }

  @Test
  void rejectsBothRulesAtOnceAndBadValues() {
    assertThatThrownBy(() -> new LearningRateSchedule(2, 3, 0.1f)).hasMessageContaining("not both");
    assertThatThrownBy(() -> LearningRateSchedule.step(0)).hasMessageContaining("at least 1");
    assertThatThrownBy(() -> new LearningRateSchedule(1, 0, 1f)).hasMessageContaining("factor");
  }
}
