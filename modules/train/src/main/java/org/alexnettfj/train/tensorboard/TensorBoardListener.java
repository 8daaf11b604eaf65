package org.alexnettfj.train.tensorboard;

import java.nio.file.Path;
import java.util.Map;
import org.alexnettfj.train.FineTuning;
import org.alexnettfj.train.TrainingListener;
import org.alexnettfj.weights.WeightArray;

/**
 * Writes a {@link FineTuning} run to TensorBoard event files in {@code logDir}, under the tags
 * {@link TensorBoardLog} documents: loss, batch accuracy and learning rate each step; validation top-1 (top-5 from 5
 * classes), and histograms of every trained variable and of its last gradient, each epoch; the training graph at the
 * start.
 *
 * <p>A resumed run opens a new file whose session starts at the step after the checkpoint, so TensorBoard drops what
 * the interrupted run wrote past it and the curves do not double back. The file is flushed every epoch;
 * {@link #close()} (or the end of the run) closes it.
 *
 * <pre>{@code
 * try (TensorBoardListener tb = new TensorBoardListener(Path.of("runs/fc8"))) {
 *   FineTuning.builder()...optListener(tb).build().run();
 * }
 * }</pre>
 */
public final class TensorBoardListener implements TrainingListener, AutoCloseable {

  private final Path logDir;
  private TensorBoardLog log;
  private Path file;

  /**
   * A listener for one run; the event file is created when the run starts.
   *
   * @param logDir the run's log directory, created if needed; a resumed run should use the same
   */
  public TensorBoardListener(Path logDir) {
    this.logDir = logDir;
  }

  /**
   * The event file written last.
   *
   * @return its path, or null before the run starts
   */
  public Path file() {
    return file;
  }

  @Override
  public void onStart(Start start) {
    long next = start.state().globalStep() + 1;
    log = start.resumedFrom() == null ? TensorBoardLog.create(logDir) : TensorBoardLog.create(logDir, next);
    file = log.file();
    log.graph(start.trainer().graphDef().toByteArray());
    log.flush();
  }

  @Override
  public void onStep(Step step) {
    log.scalar(TensorBoardLog.LOSS, step.globalStep(), step.loss());
    log.scalar(TensorBoardLog.BATCH_ACCURACY, step.globalStep(), step.batchAccuracy());
    log.scalar(TensorBoardLog.LEARNING_RATE, step.globalStep(), step.learningRate());
  }

  @Override
  public void onEpoch(Epoch e) {
    long step = e.globalStep();
    scalarIfKnown(TensorBoardLog.VALIDATION_TOP1, step, e.validation().top1());
    if (e.validation().confusion().length >= 5) {
      scalarIfKnown(TensorBoardLog.VALIDATION_TOP5, step, e.validation().top5());
    }
    for (String name : e.trainer().trainedVariables()) {
      log.histogram(TensorBoardLog.weightsTag(name), step, e.parameter(name).data());
    }
    for (Map.Entry<String, WeightArray> g : e.gradients().entrySet()) {
      log.histogram(TensorBoardLog.gradientTag(g.getKey()), step, g.getValue().data());
    }
    log.flush();
  }

  @Override
  public void onEnd(FineTuning.Result result) {
    close();
  }

  @Override
  public boolean wantsGradients() {
    return true;
  }

  /** Closes the event file; a run that stopped with an exception leaves it complete too. */
  @Override
  public void close() {
    if (log != null) {
      log.close();
      log = null;
    }
  }

  private void scalarIfKnown(String tag, long step, double value) {
    if (!Double.isNaN(value)) {
      log.scalar(tag, step, value);
    }
  }
}
