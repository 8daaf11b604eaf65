package org.alexnettfj.train.tensorboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;

/** Reading records back: offsets, CRC checks, a truncated tail tolerated, corruption reported where it is. */
class EventFileReaderTest {

  @TempDir
  Path dir;

  private byte[] file;
  /** Start of each record, and the file's length last. */
  private final List<Integer> starts = new ArrayList<>();

  @BeforeEach
  void writeFiveRecords() {
    List<byte[]> records = new ArrayList<>();
    records.add(TfRecords.frame(Event.newBuilder().setWallTime(1e9).setFileVersion("brain.Event:2").build()
        .toByteArray()));
    for (int step = 1; step <= 4; step++) {
      records.add(TfRecords.frame(Event.newBuilder().setWallTime(1e9 + step).setStep(step).setSummary(
          Summary.newBuilder().addValue(Summary.Value.newBuilder().setTag("train/loss").setSimpleValue(1f / step)))
          .build().toByteArray()));
    }
    int length = 0;
    for (byte[] r : records) {
      starts.add(length);
      length += r.length;
    }
    starts.add(length);
    file = new byte[length];
    for (int i = 0; i < records.size(); i++) {
      System.arraycopy(records.get(i), 0, file, starts.get(i), records.get(i).length);
    }
  }

  private Path save(byte[] bytes) throws IOException {
    return Files.write(dir.resolve("events.out.tfevents.1000000000.test"), bytes);
  }

  @Test
  void readsEveryRecordWithItsOffset() throws IOException {
    EventFileReader.Contents contents = EventFileReader.read(save(file));

    assertThat(contents.entries()).extracting(EventFileReader.Entry::offset).as("record offsets")
        .containsExactly(starts.subList(0, 5).stream().map(Integer::longValue).toArray(Long[]::new));
    assertThat(contents.fileVersion()).as("file version").hasValue("brain.Event:2");
    assertThat(contents.tags()).as("tags").containsExactly("train/loss");
    assertThat(contents.scalars("train/loss")).as("scalars").extracting(EventFileReader.Scalar::step)
        .containsExactly(1L, 2L, 3L, 4L);
    assertThat(contents.scalars("train/loss")).as("scalar values").extracting(EventFileReader.Scalar::value)
        .containsExactly(1f, 0.5f, 1f / 3, 0.25f);
    assertThat(contents.truncatedBytes()).as("truncated bytes of a whole file").isZero();
  }

  @Test
  void aFileCutAnywhereGivesTheWholeRecordsBeforeTheCut() throws IOException {
    for (int cut = 0; cut <= file.length; cut++) {
      EventFileReader.Contents contents = EventFileReader.read(save(Arrays.copyOf(file, cut)));

      int end = cut;
      int whole = (int) starts.subList(1, 6).stream().filter(recordEnd -> recordEnd <= end).count();
      assertThat(contents.entries()).as("records of the file cut at byte %d", cut).hasSize(whole);
      assertThat(contents.truncatedBytes()).as("left-over bytes of the file cut at byte %d", cut)
          .isEqualTo(cut - starts.get(whole));
    }
  }

  @Test
  void aBadDataCrcInTheMiddleIsReportedWithTheFileAndTheRecordsOffset() throws IOException {
    byte[] bad = file.clone();
    int record = 2;
    bad[starts.get(record) + TfRecords.HEADER_BYTES + 3] ^= 0x10;
    Path path = save(bad);

    assertThatThrownBy(() -> EventFileReader.read(path)).as("one flipped bit in record 2's data")
        .isInstanceOfSatisfying(CorruptEventFileException.class, e -> {
          assertThat(e.offset()).as("offset of the bad record").isEqualTo((long) starts.get(record));
          assertThat(e.file()).as("file").isEqualTo(path.toString());
        })
        .hasMessageContaining(path + ": record at byte " + starts.get(record) + ": data CRC mismatch");
  }

  @Test
  void aBadStoredDataCrcIsReported() throws IOException {
    byte[] bad = file.clone();
    bad[starts.get(4) - 1] ^= 0x01;
    Path path = save(bad);

    assertThatThrownBy(() -> EventFileReader.read(path)).as("flipped bit in record 3's stored CRC")
        .isInstanceOf(CorruptEventFileException.class)
        .hasMessageContaining("record at byte " + starts.get(3) + ": data CRC mismatch");
  }

  @Test
  void aBadLengthIsReportedByItsCrcBeforeAnythingIsReadWithIt() throws IOException {
    byte[] bad = file.clone();
    bad[starts.get(1) + 6] = 0x7f;
    Path path = save(bad);

    assertThatThrownBy(() -> EventFileReader.read(path)).as("huge length in record 1")
        .isInstanceOf(CorruptEventFileException.class)
        .hasMessageContaining("record at byte " + starts.get(1) + ": length CRC mismatch");
  }

  @Test
  void aRecordThatIsNotAnEventIsReported() throws IOException {
    byte[] notAnEvent = TfRecords.frame(new byte[] {0x1a, 0x40, 'b', 'r'});
    byte[] bytes = Arrays.copyOf(file, file.length + notAnEvent.length);
    System.arraycopy(notAnEvent, 0, bytes, file.length, notAnEvent.length);
    Path path = save(bytes);

    assertThatThrownBy(() -> EventFileReader.read(path)).as("a record with good CRCs around a cut-off message")
        .isInstanceOf(CorruptEventFileException.class)
        .hasMessageContaining("record at byte " + file.length + ": not a tensorflow.Event");
  }

  @Test
  void listsOnlyEventFilesInNameOrder() throws IOException {
    Path b = Files.write(dir.resolve("events.out.tfevents.1700000001.host"), file);
    Path a = Files.write(dir.resolve("events.out.tfevents.1700000000.host"), file);
    Files.writeString(dir.resolve("notes.txt"), "not an event file");
    Files.createDirectory(dir.resolve("plugins"));

    assertThat(EventFileReader.eventFiles(dir)).as("event files").containsExactly(a, b);
  }
}
