package org.alexnettfj.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.alexnettfj.graph.TfCheckpoint;
import org.alexnettfj.weights.WeightArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loop on the real AlexNet graph with fc8 trained and tiny synthetic data (stripes, two per batch): events,
 * the plateau schedule, divergence, resuming.
 */
class FineTuningTest {

  private static final int IMAGES = 4;
  /** A rate these stripes train at; 100 times it sends the loss far above guessing's (but not to NaN). */
  private static final float LEARNING_RATE = 5e-4f;

  @TempDir
  Path dir;

  private static Trainer trainer(float learningRate, float keepProb) {
    return Trainer.builder().setFreshInit().optNumClasses(2).optTrainLayers(Set.of("fc8"))
        .optLearningRate(learningRate).optKeepProb(keepProb).optSeed(5).optIntraOpThreads(2).build();
  }

  /** Stripes, two per batch, a new order and new images each epoch, the same ones whenever an epoch is asked for. */
  private static BatchSource stripes(long seed) {
    return BatchSource.of(IMAGES, epoch -> {
      List<BatchSource.Batch> batches = new ArrayList<>();
      SplittableRandom random = new SplittableRandom(seed * 1000 + epoch);
      for (int b = 0; b < IMAGES / 2; b++) {
        int[] labels = {random.nextInt(2), random.nextInt(2)};
        batches.add(new BatchSource.Batch(Fixtures.stripes(random.nextLong(), labels), labels));
      }
      return batches.iterator();
    });
  }

  private static FineTuning.Builder loop(Trainer t, int epochs) {
    return FineTuning.builder().setTrainer(t).setTrainData(stripes(1)).setValidationData(stripes(2))
        .optEpochs(epochs).optSettings(Map.of("batch size", "2"));
  }

  /** Every event, in order. */
  private static final class Recorder implements TrainingListener {
    final List<Object> events = new ArrayList<>();

    @Override
    public void onStart(Start start) {
      events.add(start);
    }

    @Override
    public void onStep(Step step) {
      events.add(step);
    }

    @Override
    public void onEpoch(Epoch epoch) {
      events.add(epoch);
    }

    @Override
    public void onCheckpoint(Path prefix, TrainingState state) {
      events.add(prefix);
    }

    @Override
    public void onEnd(FineTuning.Result result) {
      events.add(result);
    }

    @Override
    public boolean wantsGradients() {
      return true;
    }

    <T> List<T> of(Class<T> type) {
      return events.stream().filter(type::isInstance).map(type::cast).toList();
    }
  }

  @Test
  void reportsStepsAndEpochsAndDividesTheRateWhenValidationStopsImproving() throws Exception {
    Recorder r = new Recorder();
    // A rate too small to change any prediction: validation top-1 stays what it was after epoch 1.
    try (Trainer t = trainer(1e-9f, 1f)) {
      FineTuning.Result result = loop(t, 3).optSchedule(LearningRateSchedule.plateau(1))
          .optCheckpoints(Checkpoints.in(dir, 1)).optListener(r).build().run();

      List<TrainingListener.Step> steps = r.of(TrainingListener.Step.class);
      assertThat(steps).as("2 batches a epoch, 3 epochs").hasSize(6);
      assertThat(steps.stream().mapToLong(TrainingListener.Step::globalStep).toArray())
          .containsExactly(1, 2, 3, 4, 5, 6);
      assertThat(steps.get(1).imagesDone()).isEqualTo(4);
      assertThat(steps.get(0).loss()).isFinite();

      List<TrainingListener.Epoch> epochs = r.of(TrainingListener.Epoch.class);
      assertThat(epochs.stream().map(TrainingListener.Epoch::learningRate))
          .as("rate each epoch trained with: dropped after epochs 2 and 3").containsExactly(1e-9f, 1e-9f, 1e-10f);
      assertThat(epochs.get(0).learningRateChange()).isNull();
      assertThat(epochs.get(1).learningRateChange()).startsWith("learning rate 1E-9 -> 1E-10: validation top-1 "
          + "has not improved for 1 epoch");
      assertThat(epochs.get(2).nextLearningRate()).isEqualTo(1e-10f * 0.1f);
      assertThat(epochs.get(2).gradients().get("fc8/weights").shape()).as("last step's gradients, for histograms")
          .containsExactly(4096, 2);
      assertThat(epochs.get(2).parameter("fc8/biases").data()).hasSize(2);
      assertThat(epochs.get(0).validation().images()).isEqualTo(IMAGES);

      assertThat(r.of(Path.class)).as("a checkpoint after every epoch")
          .containsExactly(dir.resolve("ckpt-1"), dir.resolve("ckpt-2"), dir.resolve("ckpt-3"));
      assertThat(r.events.get(0)).isInstanceOf(TrainingListener.Start.class);
      assertThat(r.events.get(r.events.size() - 1)).as("the end comes last").isEqualTo(result);

      assertThat(result.epochs()).isEqualTo(3);
      assertThat(result.globalStep()).isEqualTo(6);
      assertThat(result.learningRate()).isEqualTo(1e-10f * 0.1f);
      assertThat(result.bestEpoch()).isEqualTo(1);
      assertThat(result.bestCheckpoint()).as("kept although --keep 1: it is the best").isEqualTo(dir.resolve("ckpt-1"));
      assertThat(result.checkpoint()).isEqualTo(dir.resolve("ckpt-3"));
      assertThat(TfCheckpoint.exists(dir.resolve("ckpt-2"))).isFalse();
      assertThat(result.stoppedEarly()).isNull();
      assertThat(TrainingState.read(dir.resolve("ckpt-3")).learningRate()).as("the rate epoch 4 would use")
          .isEqualTo(1e-10f * 0.1f);
    }
  }

  @Test
  void aDivergingLossStopsNamingEpochAndStepAndKeepsTheLastGoodCheckpoint() throws Exception {
    Recorder r = new Recorder();
    try (Trainer t = trainer(LEARNING_RATE, 1f)) {
      TrainingListener blowUp = new TrainingListener() {
        @Override
        public void onEpoch(Epoch e) {
          t.setLearningRate(1e30f);   // epoch 2 trains with it: weight decay alone multiplies fc8 by -5e26 a step
        }
      };
      FineTuning loop = loop(t, 3).optCheckpoints(Checkpoints.in(dir, 3)).optListener(blowUp).optListener(r).build();

      assertThatThrownBy(loop::run).isInstanceOf(TrainingDivergedException.class)
          // the step's cross-entropy or, when the weights overflow in the epoch's last step, the check after it
          .hasMessageContaining("epoch 2, global step")
          .hasMessageContaining("training diverged; lower the learning rate")
          .hasMessageContaining("last good checkpoint: " + dir.resolve("ckpt-1"));

      FineTuning.Result result = r.of(FineTuning.Result.class).get(0);
      assertThat(result.stoppedEarly()).as("the listener hears why").contains("epoch 2");
      assertThat(result.epochs()).as("epochs completed").isEqualTo(1);
      Checkpoints c = Checkpoints.in(dir, 3);
      assertThat(c.latest()).contains(dir.resolve("ckpt-1"));
      assertThat(TfCheckpoint.files(dir.resolve("ckpt-2"))).as("nothing of epoch 2 is written").isEmpty();
      for (WeightArray a : TfCheckpoint.read(dir.resolve("ckpt-1")).arrays().values()) {
        for (float v : a.data()) {
          if (!Float.isFinite(v)) {
            throw new AssertionError("ckpt-1 holds " + v);
          }
        }
      }
    }
  }

  @Test
  void anEpochLossFarAboveGuessingsStopsTheRunAsDivergedThoughItIsFinite() throws Exception {
    Recorder r = new Recorder();
    try (Trainer t = trainer(0.05f, 1f)) {
      assertThat(t.guessingLoss()).as("ln 2").isCloseTo(Math.log(2), within(1e-12));
      FineTuning loop = loop(t, 3).optCheckpoints(Checkpoints.in(dir, 3)).optListener(r).build();

      assertThatThrownBy(loop::run).isInstanceOf(TrainingDivergedException.class)
          .hasMessageContaining("is more than 10 times guessing's 0.6931 and rising")
          .hasMessageContaining("training diverged; lower the learning rate");
      List<TrainingListener.Epoch> epochs = r.of(TrainingListener.Epoch.class);
      FineTuning.Result result = r.of(FineTuning.Result.class).get(0);
      assertThat(result.epochs()).as("epochs completed; the first is never stopped: nothing to rise from")
          .isEqualTo(epochs.size()).isPositive();
      assertThat(result.stoppedEarly()).contains("epoch " + (epochs.size() + 1) + "'s training loss");
      assertThat(Checkpoints.in(dir, 3).latest()).contains(dir.resolve("ckpt-" + epochs.size()));
    }
    try (Trainer t = trainer(0.05f, 1f)) {
      FineTuning.Result unchecked = loop(t, 3).optDivergenceFactor(Double.POSITIVE_INFINITY).build().run();
      assertThat(unchecked.epochs()).as("the same run, let go on").isEqualTo(3);
      assertThat(unchecked.trainLoss()).as("finite, and far above guessing's").isFinite()
          .isGreaterThan(10 * Math.log(2));
    }
    try (Trainer t = Trainer.builder().setFreshInit().optNumClasses(3).optTrainLayers(Set.of("fc8"))
        .optClassWeights(new float[] {1, 10, 2}).build()) {
      assertThat(t.guessingLoss()).as("ln 3 times the largest weight").isCloseTo(10 * Math.log(3), within(1e-6));
    }
    assertThatThrownBy(() -> FineTuning.builder().optDivergenceFactor(1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aResumedRunEndsBitIdenticalToAnUninterruptedOneAndOtherSettingsAreRefused() throws Exception {
    float[] uninterrupted;
    FineTuning.Result whole;
    // keepProb 0.5: dropout on, so this also checks that its masks follow the global step across the restart
    try (Trainer t = trainer(LEARNING_RATE, 0.5f)) {
      whole = loop(t, 3).optCheckpoints(Checkpoints.in(dir.resolve("whole"), 3)).build().run();
      uninterrupted = t.parameter("fc8/weights").data();
    }
    Checkpoints parts = Checkpoints.in(dir.resolve("parts"), 3);
    try (Trainer t = trainer(LEARNING_RATE, 0.5f)) {
      loop(t, 1).optCheckpoints(parts).build().run();
    }
    try (Trainer t = trainer(LEARNING_RATE, 0.5f)) {
      assertThatThrownBy(() -> loop(t, 3).optSettings(Map.of("batch size", "4")).optCheckpoints(parts)
          .optResume(true).build().run()).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("batch size 2 (now 4)");
      assertThatThrownBy(() -> loop(t, 3).optCheckpoints(parts).build().run())
          .as("a fresh start over an earlier run's checkpoints").hasMessageContaining("already holds checkpoints");

      FineTuning.Result resumed = loop(t, 3).optCheckpoints(parts).optResume(true).build().run();

      assertThat(resumed.resumedFrom()).isEqualTo(parts.prefix(1));
      assertThat(resumed.globalStep()).isEqualTo(whole.globalStep());
      assertThat(resumed.trainLoss()).isEqualTo(whole.trainLoss());
      assertThat(Arrays.equals(t.parameter("fc8/weights").data(), uninterrupted))
          .as("fc8/weights after epoch 3, resumed after epoch 1 vs never stopped: bit for bit").isTrue();
    }
  }
}
