package org.alexnettfj.train.tensorboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.alexnettfj.graph.AlexNetGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.HistogramProto;
import org.tensorflow.proto.SessionLog.SessionStatus;

/**
 * A run's log written and read back record by record: the real AlexNet GraphDef, scalars under the trainer's tags,
 * histograms of weights and gradients.
 */
class TensorBoardLogTest {

  @TempDir
  Path dir;

  private static byte[] alexNetGraphDef() {
    try (Graph g = new Graph()) {
      AlexNetGraph.create(Ops.create(g), 2, 1);
      return g.toGraphDef().toByteArray();
    }
  }

  private static float[] weights(long seed, int n, double scale) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] w = new float[n];
    for (int i = 0; i < n; i++) {
      w[i] = (float) (random.nextGaussian() * scale);
    }
    return w;
  }

  @Test
  void everyRecordOfARunReadsBackAsWritten() throws IOException {
    byte[] graphDef = alexNetGraphDef();
    float[] fc8Weights = weights(1, 4096 * 2, 0.01);
    float[] fc8Gradient = weights(2, 4096 * 2, 1e-4);
    double before = System.currentTimeMillis() / 1000.0;
    Path file;
    try (TensorBoardLog log = TensorBoardLog.create(dir.resolve("run"))) {
      file = log.file();
      log.graph(graphDef);
      for (int step = 1; step <= 3; step++) {
        log.scalar(TensorBoardLog.LOSS, step, 2.0 / step);
        log.scalar(TensorBoardLog.BATCH_ACCURACY, step, 0.25 * step);
        log.scalar(TensorBoardLog.LEARNING_RATE, step, 0.01);
      }
      log.scalar(TensorBoardLog.VALIDATION_TOP1, 3, 0.625);
      log.histogram(TensorBoardLog.weightsTag("fc8/weights"), 3, fc8Weights);
      log.histogram(TensorBoardLog.gradientTag("fc8/weights"), 3, fc8Gradient);
      log.flush();
      assertThat(EventFileReader.read(file).entries()).as("records after the epoch's flush, before close")
          .hasSize(1 + 1 + 1 + 9 + 1 + 2);
    }
    double after = System.currentTimeMillis() / 1000.0;

    EventFileReader.Contents run = EventFileReader.read(file);
    List<Event> events = run.entries().stream().map(EventFileReader.Entry::event).toList();
    assertThat(run.truncatedBytes()).as("bytes left over").isZero();
    assertThat(events).as("records").hasSize(15);
    assertThat(events.get(0).getFileVersion()).as("first record").isEqualTo("brain.Event:2");
    assertThat(events.get(1).getSessionLog().getStatus()).as("second record").isEqualTo(SessionStatus.START);
    assertThat(events.get(1).getStep()).as("a new run starts at step").isZero();

    Event graph = events.get(2);
    assertThat(graph.getGraphDef().toByteArray()).as("graph_def bytes").isEqualTo(graphDef);
    assertThat(graph.getStep()).as("graph step").isZero();
    try (Graph imported = new Graph()) {
      imported.importGraphDef(GraphDef.parseFrom(graph.getGraphDef()));
      assertThat(imported.operation("fc8/weights")).as("fc8/weights in the graph TensorFlow imports back")
          .isNotNull();
      assertThat(imported.operation("conv1/weights")).as("conv1/weights in it").isNotNull();
    }

    String[] tags = {"train/loss", "train/accuracy", "train/learning_rate"};
    for (int step = 1; step <= 3; step++) {
      double[] values = {2.0 / step, 0.25 * step, 0.01};
      for (int t = 0; t < 3; t++) {
        Event e = events.get(3 + 3 * (step - 1) + t);
        assertThat(e.getStep()).as("step of record %s", tags[t]).isEqualTo(step);
        assertThat(e.getSummary().getValueCount()).as("values in one record").isEqualTo(1);
        assertThat(e.getSummary().getValue(0).getTag()).as("tag at step %d", step).isEqualTo(tags[t]);
        assertThat(e.getSummary().getValue(0).getSimpleValue()).as("%s at step %d", tags[t], step)
            .isEqualTo((float) values[t]);
      }
    }
    assertThat(run.scalars("validation/top1")).as("validation top-1")
        .containsExactly(new EventFileReader.Scalar(3, events.get(12).getWallTime(), 0.625f));

    checkHistogram(run, "fc8/weights", fc8Weights);
    checkHistogram(run, "fc8/weights/gradient", fc8Gradient);

    double previous = before;
    for (Event e : events) {
      assertThat(e.getWallTime()).as("wall times in order, within the run").isBetween(previous, after + 1e-3);
      previous = e.getWallTime();
    }
  }

  private static void checkHistogram(EventFileReader.Contents run, String tag, float[] values) {
    List<EventFileReader.Histogram> written = run.histograms(tag);
    assertThat(written).as("histograms of %s", tag).hasSize(1);
    assertThat(written.get(0).step()).as("step of %s", tag).isEqualTo(3);
    HistogramProto h = written.get(0).histogram();
    double sum = 0;
    double squares = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (float f : values) {
      sum += f;
      squares += (double) f * f;
      min = Math.min(min, f);
      max = Math.max(max, f);
    }
    assertThat(h.getNum()).as("%s num", tag).isEqualTo(values.length);
    assertThat(h.getBucketList().stream().mapToDouble(Double::doubleValue).sum()).as("%s counts sum to num", tag)
        .isEqualTo(values.length);
    assertThat(h.getMin()).as("%s min", tag).isEqualTo(min);
    assertThat(h.getMax()).as("%s max", tag).isEqualTo(max);
    assertThat(h.getSum()).as("%s sum", tag).isCloseTo(sum, within(1e-9 * squares + 1e-12));
    assertThat(h.getSumSquares()).as("%s sum of squares", tag).isCloseTo(squares, within(1e-12 * squares));
    assertThat(h.getBucketLimitList()).as("%s bucket limits sorted", tag).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void aResumedRunWritesANewFileThatRestartsTheSessionAtItsFirstStep() throws IOException {
    Path first;
    try (TensorBoardLog log = TensorBoardLog.create(dir)) {
      first = log.file();
      for (int step = 1; step <= 5; step++) {
        log.scalar(TensorBoardLog.LOSS, step, 1.0 / step);
      }
    }
    Path second;
    // Killed after step 5, resumed from the checkpoint of step 3: its first event is step 4.
    try (TensorBoardLog log = TensorBoardLog.create(dir, 4)) {
      second = log.file();
      log.scalar(TensorBoardLog.LOSS, 4, 0.2);
    }

    assertThat(EventFileReader.eventFiles(dir)).as("event files, in the order TensorBoard reads them")
        .containsExactly(first, second);
    List<EventFileReader.Entry> resumed = EventFileReader.read(second).entries();
    assertThat(resumed.get(1).event().getSessionLog().getStatus()).as("resumed file's second record")
        .isEqualTo(SessionStatus.START);
    assertThat(resumed.get(1).event().getStep()).as("restart step, from which TensorBoard drops older events")
        .isEqualTo(4);
    assertThat(EventFileReader.read(second).scalars(TensorBoardLog.LOSS)).as("resumed run's loss")
        .extracting(EventFileReader.Scalar::step).containsExactly(4L);
  }

  @Test
  void aNonFiniteHistogramIsRejectedNamingTagAndStepAndNothingIsWritten() throws IOException {
    float[] values = {0.1f, Float.NaN};
    try (TensorBoardLog log = TensorBoardLog.create(dir)) {
      assertThatThrownBy(() -> log.histogram("fc7/weights/gradient", 40, values)).as("NaN in a gradient")
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("histogram 'fc7/weights/gradient' at step 40: value 1 of 2 is NaN");
      log.flush();
      assertThat(EventFileReader.read(log.file()).entries()).as("records: file version and session start only")
          .hasSize(2);
    }
  }

  @Test
  void rejectsWhatIsNotAGraphDefABlankTagAndANegativeStep() {
    try (TensorBoardLog log = TensorBoardLog.create(dir)) {
      assertThatThrownBy(() -> log.graph(new byte[] {(byte) 0xff, (byte) 0xff})).as("two bytes for a graph")
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a serialized GraphDef");
      assertThatThrownBy(() -> log.scalar(" ", 1, 1.0)).as("blank tag")
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a tag");
      assertThatThrownBy(() -> log.scalar(TensorBoardLog.LOSS, -1, 1.0)).as("negative step")
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'train/loss': step must be >= 0");
    }
  }

  @Test
  void aLogDirectoryThatIsAFileIsReportedByName() throws IOException {
    Path notADir = Files.writeString(dir.resolve("runs"), "a file");

    assertThatThrownBy(() -> TensorBoardLog.create(notADir)).as("log directory that is a file")
        .isInstanceOf(UncheckedIOException.class).hasMessageContaining(notADir.toString())
        .hasMessageContaining("cannot create a TensorBoard event file");
  }

  @Test
  void histogramTagsGroupAVariablesValuesAndGradientUnderItsLayer() {
    assertThat(TensorBoardLog.weightsTag("fc8/weights")).as("values").isEqualTo("fc8/weights");
    assertThat(TensorBoardLog.gradientTag("fc8/weights")).as("gradient").isEqualTo("fc8/weights/gradient");
  }
}
