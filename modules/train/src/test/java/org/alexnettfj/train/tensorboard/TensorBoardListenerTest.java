package org.alexnettfj.train.tensorboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.alexnettfj.train.BatchSource;
import org.alexnettfj.train.Checkpoints;
import org.alexnettfj.train.FineTuning;
import org.alexnettfj.train.Trainer;
import org.alexnettfj.train.TrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.SessionLog;

/**
 * A real {@link FineTuning} run (fc8 of the AlexNet graph, random images, two batches an epoch) logged by the
 * listener and read back record by record; then a resumed run adding a second file whose session starts after the
 * checkpoint.
 */
class TensorBoardListenerTest {

  private static final int IMAGES = 4;

  @TempDir
  Path dir;

  private static Trainer trainer() {
    return Trainer.builder().setFreshInit().optNumClasses(2).optTrainLayers(Set.of("fc8")).optLearningRate(5e-4f)
        .optSeed(3).optIntraOpThreads(2).build();
  }

  /** Random images, two a batch; epoch {@code e} is the same whenever asked for, as resuming needs. */
  private static BatchSource noise(long seed) {
    return BatchSource.of(IMAGES, epoch -> {
      SplittableRandom random = new SplittableRandom(seed * 1000 + epoch);
      List<BatchSource.Batch> batches = new ArrayList<>();
      for (int b = 0; b < IMAGES / 2; b++) {
        float[] images = new float[2 * Trainer.IMAGE_VALUES];
        for (int i = 0; i < images.length; i++) {
          images[i] = (float) (random.nextDouble() * 200 - 100);
        }
        batches.add(new BatchSource.Batch(images, new int[] {random.nextInt(2), random.nextInt(2)}));
      }
      return batches.iterator();
    });
  }

  private FineTuning.Result run(int epochs, boolean resume, TrainingListener... listeners) throws Exception {
    try (Trainer t = trainer()) {
      FineTuning.Builder b = FineTuning.builder().setTrainer(t).setTrainData(noise(1)).setValidationData(noise(2))
          .optEpochs(epochs).optSettings(Map.of("batch size", "2"))
          .optCheckpoints(Checkpoints.in(dir.resolve("ck"), 2)).optResume(resume);
      for (TrainingListener l : listeners) {
        b.optListener(l);
      }
      return b.build().run();
    }
  }

  @Test
  void logsEveryStepAndEpochAndAResumedRunStartsItsSessionAfterTheCheckpoint() throws Exception {
    Path logs = dir.resolve("runs");
    List<Float> losses = new ArrayList<>();
    TrainingListener lossRecorder = new TrainingListener() {
      @Override
      public void onStep(Step step) {
        losses.add(step.loss());
      }
    };
    FineTuning.Result first;
    try (TensorBoardListener tb = new TensorBoardListener(logs)) {
      first = run(2, false, tb, lossRecorder);
    }
    FineTuning.Result resumed;
    try (TensorBoardListener tb = new TensorBoardListener(logs)) {
      resumed = run(3, true, tb);
    }

    List<Path> files = EventFileReader.eventFiles(logs);
    assertThat(files).as("one file per run, in order").hasSize(2);
    EventFileReader.Contents one = EventFileReader.read(files.get(0));
    EventFileReader.Contents two = EventFileReader.read(files.get(1));

    assertThat(one.truncatedBytes()).as("closed cleanly").isZero();
    List<EventFileReader.Scalar> loss = one.scalars(TensorBoardLog.LOSS);
    assertThat(loss).extracting(EventFileReader.Scalar::step).containsExactly(1L, 2L, 3L, 4L);
    for (int i = 0; i < loss.size(); i++) {
      assertThat(loss.get(i).value()).as("loss of step %d", i + 1).isEqualTo(losses.get(i));
    }
    assertThat(one.scalars(TensorBoardLog.LEARNING_RATE)).extracting(EventFileReader.Scalar::value)
        .containsOnly(5e-4f);
    assertThat(one.scalars(TensorBoardLog.BATCH_ACCURACY)).hasSize(4);
    List<EventFileReader.Scalar> top1 = one.scalars(TensorBoardLog.VALIDATION_TOP1);
    assertThat(top1).as("validation at each epoch's last step").extracting(EventFileReader.Scalar::step)
        .containsExactly(2L, 4L);
    assertThat((double) top1.get(1).value()).isCloseTo(first.validation().top1(), within(1e-6));
    assertThat(one.tags()).as("2 classes: no top-5").doesNotContain(TensorBoardLog.VALIDATION_TOP5);
    assertThat(one.histograms("fc8/weights")).extracting(EventFileReader.Histogram::step).containsExactly(2L, 4L);
    assertThat(one.histograms("fc8/weights").get(0).histogram().getNum()).isEqualTo(4096 * 2);
    assertThat(one.histograms("fc8/biases/gradient")).hasSize(2);
    assertThat(one.tags()).as("frozen layers get no histograms").doesNotContain("fc7/weights");
    assertThat(one.graphDefs()).hasSize(1);

    List<Event> sessionStarts = two.entries().stream().map(EventFileReader.Entry::event)
        .filter(e -> e.hasSessionLog() && e.getSessionLog().getStatus() == SessionLog.SessionStatus.START).toList();
    assertThat(sessionStarts).as("the resumed file's session start").hasSize(1);
    assertThat(sessionStarts.get(0).getStep()).as("the step after the checkpoint of epoch 2").isEqualTo(5);
    assertThat(two.scalars(TensorBoardLog.LOSS)).extracting(EventFileReader.Scalar::step).containsExactly(5L, 6L);
    assertThat(two.scalars(TensorBoardLog.VALIDATION_TOP1)).extracting(EventFileReader.Scalar::step)
        .containsExactly(6L);
    assertThat(resumed.globalStep()).isEqualTo(6);
  }
}
