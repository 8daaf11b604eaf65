package org.alexnettfj.train.tensorboard;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.HistogramProto;
import org.tensorflow.proto.Summary;

/**
 * Reads a TensorBoard event file back, record by record, checking both CRCs of every record (see {@link TfRecords}
 * for the framing): for tests, and for a user who wants to look at a run without TensorBoard.
 *
 * <p>A file that ends inside a record (a crash during a write, or a file still being written) is read up to the
 * last complete record and {@link #truncatedBytes()} says how many bytes were left over; a record that fails a CRC
 * or does not parse as an {@code Event} throws {@link CorruptEventFileException} with the file and the record's byte
 * offset, because nothing after it can be trusted.
 *
 * <pre>{@code
 * List<Path> files = EventFileReader.eventFiles(Path.of("runs/fc8"));
 * EventFileReader.Contents run = EventFileReader.read(files.get(files.size() - 1));
 * for (EventFileReader.Scalar s : run.scalars(TensorBoardLog.LOSS)) {
 *   System.out.println(s.step() + " " + s.value());
 * }
 * }</pre>
 */
public final class EventFileReader implements AutoCloseable {

  /**
   * One record: its byte offset in the file and its event.
   *
   * @param offset the byte offset of the record's header, from the start of the file
   * @param event the parsed event
   */
  public record Entry(long offset, Event event) {
  }

  /**
   * A scalar read back: a {@code simple_value} summary value with its event's step and time.
   *
   * @param step the event's step (for a fine-tuning run: the global step)
   * @param wallTime the event's time, seconds since the epoch
   * @param value the value
   */
  public record Scalar(long step, double wallTime, float value) {
  }

  /**
   * A histogram read back: a {@code histo} summary value with its event's step and time.
   *
   * @param step the event's step
   * @param wallTime the event's time, seconds since the epoch
   * @param histogram the histogram as written
   */
  public record Histogram(long step, double wallTime, HistogramProto histogram) {
  }

  /**
   * Every event of a file, and how many bytes of an incomplete last record were ignored.
   *
   * @param file the file read
   * @param entries its complete records, in file order; copied
   * @param truncatedBytes bytes at the end that did not make a complete record
   */
  public record Contents(Path file, List<Entry> entries, long truncatedBytes) {

    /**
     * Copies the entries.
     *
     * @param file the file read
     * @param entries its records; copied
     * @param truncatedBytes bytes left over at the end
     */
    public Contents {
      entries = List.copyOf(entries);
    }

    /**
     * The file's version, as TensorBoard's first event states it.
     *
     * @return the first event's {@code file_version}, e.g. {@code "brain.Event:2"}; empty if it has none
     */
    public Optional<String> fileVersion() {
      return entries.isEmpty() || !entries.get(0).event().hasFileVersion() ? Optional.empty()
          : Optional.of(entries.get(0).event().getFileVersion());
    }

    /**
     * The tags used in the file, e.g. to list what a run logged.
     *
     * @return the tags of every summary value, in order of first appearance
     */
    public Set<String> tags() {
      Set<String> tags = new LinkedHashSet<>();
      for (Entry e : entries) {
        for (Summary.Value v : e.event().getSummary().getValueList()) {
          tags.add(v.getTag());
        }
      }
      return tags;
    }

    /**
     * The scalar values of one tag.
     *
     * @param tag the tag, e.g. {@link TensorBoardLog#LOSS}
     * @return its {@code simple_value}s in file order; empty if there are none
     */
    public List<Scalar> scalars(String tag) {
      List<Scalar> out = new ArrayList<>();
      for (Entry e : entries) {
        for (Summary.Value v : e.event().getSummary().getValueList()) {
          if (v.getTag().equals(tag) && v.hasSimpleValue()) {
            out.add(new Scalar(e.event().getStep(), e.event().getWallTime(), v.getSimpleValue()));
          }
        }
      }
      return out;
    }

    /**
     * The histograms of one tag.
     *
     * @param tag the tag
     * @return its {@code histo} values in file order; empty if there are none
     */
    public List<Histogram> histograms(String tag) {
      List<Histogram> out = new ArrayList<>();
      for (Entry e : entries) {
        for (Summary.Value v : e.event().getSummary().getValueList()) {
          if (v.getTag().equals(tag) && v.hasHisto()) {
            out.add(new Histogram(e.event().getStep(), e.event().getWallTime(), v.getHisto()));
          }
        }
      }
      return out;
    }

    /**
     * The graphs the file holds.
     *
     * @return the serialized {@code GraphDef} of every graph event, in file order, new arrays
     */
    public List<byte[]> graphDefs() {
      List<byte[]> out = new ArrayList<>();
      for (Entry e : entries) {
        if (e.event().hasGraphDef()) {
          out.add(e.event().getGraphDef().toByteArray());
        }
      }
      return out;
    }
  }

  private final Path file;
  private final InputStream in;
  private final long size;
  private long offset;
  private long truncatedBytes;
  private boolean done;

  private EventFileReader(Path file) throws IOException {
    this.file = file;
    // The size now: a file still being written is read as far as it had got.
    this.size = Files.size(file);
    this.in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
  }

  /**
   * Opens {@code file} for reading record by record with {@link #next()}; it is read as far as its size now.
   *
   * @param file an event file
   * @return a reader, which the caller closes; not thread-safe
   * @throws IOException if the file cannot be opened
   */
  public static EventFileReader open(Path file) throws IOException {
    return new EventFileReader(file);
  }

  /**
   * Reads every complete record of {@code file} into memory.
   *
   * @param file an event file
   * @return its events and the bytes of an incomplete last record
   * @throws CorruptEventFileException if a record fails a CRC or is not an {@code Event}
   * @throws IOException if the file cannot be read
   */
  public static Contents read(Path file) throws IOException {
    try (EventFileReader reader = open(file)) {
      List<Entry> entries = new ArrayList<>();
      for (Optional<Entry> e = reader.next(); e.isPresent(); e = reader.next()) {
        entries.add(e.get());
      }
      return new Contents(file, entries, reader.truncatedBytes());
    }
  }

  /**
   * The event files of a run, as TensorBoard picks them.
   *
   * @param logDir the run's directory (not searched recursively)
   * @return its regular files whose names contain {@code tfevents}, sorted by path (so oldest first)
   * @throws IOException if the directory cannot be listed
   */
  public static List<Path> eventFiles(Path logDir) throws IOException {
    try (Stream<Path> files = Files.list(logDir)) {
      return files.filter(p -> p.getFileName().toString().contains("tfevents") && Files.isRegularFile(p))
          .sorted().toList();
    }
  }

  /**
   * The next record, or empty at the end of the file or of its last complete record.
   *
   * @return the record, or empty
   * @throws CorruptEventFileException if the record fails a CRC or is not an {@code Event}
   * @throws IOException if the file cannot be read
   */
  public Optional<Entry> next() throws IOException {
    if (done) {
      return Optional.empty();
    }
    long start = offset;
    long remaining = size - start;
    if (remaining < TfRecords.HEADER_BYTES) {
      return end(remaining);
    }
    byte[] header = readFully(TfRecords.HEADER_BYTES);
    ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
    long length = h.getLong(0);
    int storedLengthCrc = h.getInt(Long.BYTES);
    int lengthCrc = TfRecords.maskedCrc32c(header, 0, Long.BYTES);
    if (storedLengthCrc != lengthCrc) {
      throw corrupt(start, "length CRC mismatch (stored 0x%08x, computed 0x%08x)", storedLengthCrc, lengthCrc);
    }
    if (length < 0 || length > Integer.MAX_VALUE - 16) {
      throw corrupt(start, "record length %s is beyond the 2 GiB a protobuf can hold", Long.toUnsignedString(length));
    }
    if (remaining < TfRecords.HEADER_BYTES + length + TfRecords.FOOTER_BYTES) {
      return end(remaining);
    }
    byte[] data = readFully((int) length);
    int storedDataCrc = ByteBuffer.wrap(readFully(TfRecords.FOOTER_BYTES)).order(ByteOrder.LITTLE_ENDIAN).getInt();
    int dataCrc = TfRecords.maskedCrc32c(data, 0, data.length);
    if (storedDataCrc != dataCrc) {
      throw corrupt(start, "data CRC mismatch (stored 0x%08x, computed 0x%08x) in a record of %d bytes",
          storedDataCrc, dataCrc, length);
    }
    try {
      return Optional.of(new Entry(start, Event.parseFrom(data)));
    } catch (InvalidProtocolBufferException e) {
      throw corrupt(start, "not a tensorflow.Event: %s", e.getMessage());
    }
  }

  /**
   * Bytes at the end of the file that did not make a complete record.
   *
   * @return the count, known once {@link #next()} returned empty; 0 before, and for a whole file
   */
  public long truncatedBytes() {
    return truncatedBytes;
  }

  /**
   * Closes the file.
   *
   * @throws IOException if closing fails
   */
  @Override
  public void close() throws IOException {
    in.close();
  }

  private Optional<Entry> end(long leftOver) {
    done = true;
    truncatedBytes = leftOver;
    return Optional.empty();
  }

  private byte[] readFully(int n) throws IOException {
    byte[] bytes = in.readNBytes(n);
    if (bytes.length != n) {
      // The file shrank while being read; not a state a writer leaves.
      throw new IOException(file + ": ended at byte " + (offset + bytes.length) + " though it had " + size + " bytes");
    }
    offset += n;
    return bytes;
  }

  private CorruptEventFileException corrupt(long at, String format, Object... args) {
    done = true;
    return new CorruptEventFileException(file.toString(), at, String.format(format, args)
        + "; nothing from here on can be trusted");
  }
}
