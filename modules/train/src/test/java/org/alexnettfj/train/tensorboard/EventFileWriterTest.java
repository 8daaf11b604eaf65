package org.alexnettfj.train.tensorboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Event;

/** File naming, the first record, and when records reach the file. */
class EventFileWriterTest {

  private static final Clock FIXED = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L, 123_456_789), ZoneOffset.UTC);

  @TempDir
  Path dir;

  private static Event scalarEvent(long step) {
    return Event.newBuilder().setWallTime(step).setStep(step).build();
  }

  @Test
  void namesTheFileByCreationSecondAndHostAndStartsItWithTheFileVersion() throws IOException {
    Path logDir = dir.resolve("runs/fc8");
    Path file;
    try (EventFileWriter w = EventFileWriter.open(logDir, FIXED, Duration.ofHours(1))) {
      file = w.file();
    }

    assertThat(file.getParent()).as("created inside the log directory, made on demand").isEqualTo(logDir);
    assertThat(file.getFileName().toString()).as("file name")
        .isEqualTo("events.out.tfevents.1700000000." + EventFileWriter.hostname());
    assertThat(EventFileWriter.hostname()).as("host name, safe in a file name").matches("[A-Za-z0-9._-]+");
    EventFileReader.Contents contents = EventFileReader.read(file);
    assertThat(contents.entries()).as("records of a fresh file").hasSize(1);
    Event first = contents.entries().get(0).event();
    assertThat(first.getFileVersion()).as("first event's file_version").isEqualTo("brain.Event:2");
    assertThat(first.getWallTime()).as("first event's wall_time, in microseconds")
        .isEqualTo(1_700_000_000.123456);
    assertThat(first.getStep()).as("first event's step").isZero();
  }

  @Test
  void aSecondWriterInTheSameSecondGetsItsOwnFile() throws IOException {
    try (EventFileWriter a = EventFileWriter.open(dir, FIXED, Duration.ofHours(1));
        EventFileWriter b = EventFileWriter.open(dir, FIXED, Duration.ofHours(1))) {
      assertThat(b.file()).as("second file").isEqualTo(Path.of(a.file() + ".1"));
      assertThat(EventFileReader.eventFiles(dir)).as("both are event files, in order")
          .containsExactly(a.file(), b.file());
    }
  }

  @Test
  void recordsReachTheFileOnFlushAndAllOfThemOnClose() throws IOException {
    try (EventFileWriter w = EventFileWriter.open(dir, FIXED, Duration.ofHours(1))) {
      long afterOpen = Files.size(w.file());
      w.write(scalarEvent(1));
      w.write(scalarEvent(2));
      assertThat(Files.size(w.file())).as("buffered until flushed").isEqualTo(afterOpen);

      w.flush();
      assertThat(EventFileReader.read(w.file()).entries()).as("records after flush").hasSize(3);

      w.write(scalarEvent(3));
      w.close();
      assertThat(EventFileReader.read(w.file()).entries()).as("records after close")
          .extracting(e -> e.event().getStep()).containsExactly(0L, 1L, 2L, 3L);
    }
  }

  @Test
  void recordsReachTheFileWithoutFlushOnceTheIntervalHasPassed() throws IOException {
    try (EventFileWriter w = EventFileWriter.open(dir, FIXED, Duration.ZERO)) {
      w.write(scalarEvent(1));

      EventFileReader.Contents contents = EventFileReader.read(w.file());
      assertThat(contents.entries()).as("records before any flush").hasSize(2);
      assertThat(contents.truncatedBytes()).as("whole records only").isZero();
    }
  }

  @Test
  void aClosedWriterRefusesRecordsAndClosingTwiceIsHarmless() throws IOException {
    EventFileWriter w = EventFileWriter.open(dir, FIXED, Duration.ofHours(1));
    w.close();
    w.close();

    assertThatThrownBy(() -> w.write(scalarEvent(1))).as("write after close")
        .isInstanceOf(IllegalStateException.class).hasMessageContaining(w.file().toString())
        .hasMessageContaining("closed");
  }
}
