package org.alexnettfj.train.tensorboard;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.HistogramProto;
import org.tensorflow.proto.SessionLog;
import org.tensorflow.proto.Summary;

/**
 * What a training run shows in TensorBoard: scalars, histograms and the graph, written to one event file in a log
 * directory ({@code tensorboard --logdir <logDir>}). A thin layer over {@link EventFileWriter} that knows nothing
 * of the training loop: the loop calls it with plain numbers.
 *
 * <p><b>Format.</b> {@code <logDir>/events.out.tfevents.<unix seconds>.<hostname>}: TFRecords (uint64 length, masked
 * CRC-32C of the length, data, masked CRC-32C of the data; {@link TfRecords}), each a {@code tensorflow.Event}
 * (TensorFlow's own generated classes, {@code org.tensorflow.proto}, from TensorFlow Java). The first event is
 * {@code file_version: "brain.Event:2"}, the second {@code session_log { status: START }} at the run's first step
 * (see {@link #create(Path, long)}); then one event per call, with {@code wall_time} (seconds since the epoch) and
 * {@code step}:
 * <ul>
 *   <li>{@link #scalar}: {@code summary { value { tag, simple_value } }} (a float32, as TensorBoard stores it);
 *   <li>{@link #histogram}: {@code summary { value { tag, histo } }}, a {@code HistogramProto} over TensorFlow's
 *       default exponential buckets ({@link Histograms});
 *   <li>{@link #graph}: {@code graph_def}, a serialized {@code GraphDef} ({@code Graph.toGraphDef()}), at step 0.
 * </ul>
 *
 * <p><b>Tags the fine-tuning trainer writes.</b> The step is the global step, the number of batches trained so far;
 * per-epoch values are written at the step the epoch ended on, so every chart shares one x axis. TensorBoard groups
 * tags by the part before the first {@code /}.
 * <ul>
 *   <li>{@value #LOSS}: the batch's cross-entropy (without the weight decay term, as Caffe prints it), each step;
 *   <li>{@value #BATCH_ACCURACY}: the batch's top-1 accuracy, each step;
 *   <li>{@value #LEARNING_RATE}: the learning rate used for the step, each step;
 *   <li>{@value #VALIDATION_TOP1}, {@value #VALIDATION_TOP5}: validation accuracy, each epoch;
 *   <li>{@link #weightsTag weightsTag("fc8/weights")} = {@code fc8/weights} and
 *       {@link #gradientTag gradientTag("fc8/weights")} = {@code fc8/weights/gradient}: histograms of each trained
 *       variable and of its gradient, each epoch, so that a layer's values and gradients sit in one group;
 *   <li>the training graph, once at the start.
 * </ul>
 * A resumed run creates its log with {@link #create(Path, long) create(logDir, firstStep)} in the same log
 * directory: a new file, which TensorBoard reads after the killed run's.
 *
 * <p><b>Durability.</b> Call {@link #flush()} at least once per epoch; records also reach the file every 30 seconds
 * of writing, and {@link #close()} flushes. A crash leaves at most a truncated last record, which
 * {@link EventFileReader} (and TensorBoard) skip.
 *
 * <p>I/O errors surface as {@link UncheckedIOException} naming the file, so that the calls fit any listener.
 * Thread-safe.
 *
 * <pre>{@code
 * try (TensorBoardLog log = TensorBoardLog.create(Path.of("runs/fc8"))) {
 *   log.graph(graph.toGraphDef().toByteArray());
 *   log.scalar(TensorBoardLog.LOSS, step, loss);
 *   log.histogram(TensorBoardLog.weightsTag("fc8/weights"), step, trainer.parameter("fc8/weights").data());
 *   log.flush();                                    // end of the epoch
 * }
 * }</pre>
 */
public final class TensorBoardLog implements AutoCloseable {

  /** The batch's loss, each step. */
  public static final String LOSS = "train/loss";
  /** The batch's top-1 accuracy, each step. */
  public static final String BATCH_ACCURACY = "train/accuracy";
  /** The learning rate of the step, each step. */
  public static final String LEARNING_RATE = "train/learning_rate";
  /** Validation top-1 accuracy, each epoch. */
  public static final String VALIDATION_TOP1 = "validation/top1";
  /** Validation top-5 accuracy, each epoch. */
  public static final String VALIDATION_TOP5 = "validation/top5";

  private final EventFileWriter writer;

  private TensorBoardLog(EventFileWriter writer) {
    this.writer = writer;
  }

  /**
   * Creates {@code logDir} if needed and a new event file in it, for a run that starts at step 0.
   *
   * @param logDir the run's log directory, as given to {@code tensorboard --logdir}
   * @return the log, which the caller closes
   * @throws UncheckedIOException if the directory or file cannot be created
   */
  public static TensorBoardLog create(Path logDir) {
    return create(logDir, 0);
  }

  /**
   * Creates {@code logDir} if needed and a new event file in it, for a run whose first event will have step
   * {@code firstStep}: 0 for a new run; for a run resumed from a checkpoint, the step after the checkpoint's.
   *
   * <p>The file starts with a {@code SessionLog START} at {@code firstStep}. When one log directory holds a run
   * that was killed and resumed, TensorBoard drops, at such a restart, the events of the earlier files with a step at
   * or after it (what the killed run logged after its last checkpoint), so the curves do not double back. (Recent
   * TensorBoard versions act on every START but the first of a run, hence one at the start of every run.)
   *
   * @param logDir the run's log directory
   * @param firstStep the global step of the run's first event, {@code >= 0}
   * @return the log, which the caller closes
   * @throws IllegalArgumentException if {@code firstStep} is negative
   * @throws UncheckedIOException if the directory or file cannot be created
   */
  public static TensorBoardLog create(Path logDir, long firstStep) {
    check("session start", firstStep);
    EventFileWriter writer;
    try {
      writer = EventFileWriter.open(logDir);
    } catch (IOException e) {
      throw new UncheckedIOException(logDir + ": cannot create a TensorBoard event file: " + e.getMessage(), e);
    }
    TensorBoardLog log = new TensorBoardLog(writer);
    try {
      log.write(Event.newBuilder().setWallTime(writer.now()).setStep(firstStep)
          .setSessionLog(SessionLog.newBuilder().setStatus(SessionLog.SessionStatus.START)).build());
    } catch (RuntimeException e) {
      try {
        writer.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    return log;
  }

  /**
   * Histogram tag of a trained variable's values.
   *
   * @param variable the variable, e.g. {@code fc8/weights}
   * @return the tag: the variable's name itself
   */
  public static String weightsTag(String variable) {
    return variable;
  }

  /**
   * Histogram tag of a trained variable's gradient.
   *
   * @param variable the variable, e.g. {@code fc8/weights}
   * @return the tag, e.g. {@code fc8/weights/gradient}
   */
  public static String gradientTag(String variable) {
    return variable + "/gradient";
  }

  /**
   * The event file this log writes.
   *
   * @return {@code <logDir>/events.out.tfevents.<unix seconds>.<hostname>}
   */
  public Path file() {
    return writer.file();
  }

  /**
   * Records a scalar, e.g. the loss of a step.
   *
   * @param tag the chart, e.g. {@link #LOSS}; not blank
   * @param step the global step, {@code >= 0}
   * @param value the value, stored as a float32
   * @throws IllegalArgumentException if the tag is blank or the step negative
   * @throws UncheckedIOException if the file cannot be written
   */
  public void scalar(String tag, long step, double value) {
    check(tag, step);
    write(step, Summary.Value.newBuilder().setTag(tag).setSimpleValue((float) value));
  }

  /**
   * Records the histogram of {@code values} under {@code tag} at {@code step}.
   *
   * @param tag the chart, e.g. {@link #weightsTag weightsTag("fc8/weights")}; not blank
   * @param step the global step, {@code >= 0}
   * @param values the values, e.g. a variable's {@code data()}; not kept
   * @throws IllegalArgumentException if a value is NaN or infinite (naming the tag, step and index), the tag is
   *     blank or the step negative
   * @throws UncheckedIOException if the file cannot be written
   */
  public void histogram(String tag, long step, float[] values) {
    check(tag, step);
    HistogramProto histogram;
    try {
      histogram = Histograms.of(values);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("histogram '" + tag + "' at step " + step + ": " + e.getMessage(), e);
    }
    write(step, Summary.Value.newBuilder().setTag(tag).setHisto(histogram));
  }

  /**
   * Records the graph, a serialized {@code GraphDef}, for TensorBoard's Graphs tab.
   *
   * @param graphDef the serialized graph, e.g. {@code trainer.graphDef().toByteArray()}; written at step 0
   * @throws IllegalArgumentException if {@code graphDef} is not a {@code GraphDef}
   * @throws UncheckedIOException if the file cannot be written
   */
  public void graph(byte[] graphDef) {
    try {
      GraphDef.parseFrom(graphDef);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("graph: the " + graphDef.length + " bytes are not a serialized GraphDef: "
          + e.getMessage(), e);
    }
    write(Event.newBuilder().setWallTime(writer.now()).setStep(0).setGraphDef(ByteString.copyFrom(graphDef)).build());
  }

  /**
   * Writes everything recorded so far to the file and syncs it; call at least once per epoch.
   *
   * @throws UncheckedIOException if the file cannot be written
   */
  public void flush() {
    try {
      writer.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  /**
   * Flushes and closes the file.
   *
   * @throws UncheckedIOException if the file cannot be written or closed
   */
  @Override
  public void close() {
    try {
      writer.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  private void write(long step, Summary.Value.Builder value) {
    write(Event.newBuilder().setWallTime(writer.now()).setStep(step)
        .setSummary(Summary.newBuilder().addValue(value)).build());
  }

  private void write(Event event) {
    try {
      writer.write(event);
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  private static void check(String tag, long step) {
    if (tag == null || tag.isBlank()) {
      throw new IllegalArgumentException("a summary needs a tag, got '" + tag + "'");
    }
    if (step < 0) {
      throw new IllegalArgumentException("'" + tag + "': step must be >= 0, got " + step);
    }
  }
}
