package org.alexnettfj.train.tensorboard;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.tensorflow.proto.Event;

/**
 * Writes {@code tensorflow.Event} protos to a new TensorBoard event file,
 * {@code <logDir>/events.out.tfevents.<unix seconds, 10 digits>.<hostname>}, each one a TFRecord (see
 * {@link TfRecords}). The first record is {@code Event{wall_time, file_version: "brain.Event:2"}}, as TensorFlow's
 * {@code EventsWriter} starts every file. If a file of that name exists (two runs started in the same second), a
 * suffix {@code .1}, {@code .2}, ... keeps both.
 *
 * <p><b>When records reach the disk.</b> Records are buffered whole and handed to the operating system when
 * 1 MiB has gathered or 30 seconds have passed since the last hand-over (checked at each {@link #write}), so a
 * running TensorBoard sees progress within an epoch; {@link #flush()} hands over everything and syncs the file to the
 * disk, and {@link #close()} flushes. A crash therefore loses at most what was written since the last hand-over and
 * leaves at most one truncated record at the end, which {@link EventFileReader} tolerates. After a failed write the
 * writer refuses further records, so that nothing is appended after a partial one.
 *
 * <p>Thread-safe.
 *
 * <pre>{@code
 * try (EventFileWriter w = EventFileWriter.open(Path.of("runs/fc8"))) {
 *   w.write(Event.newBuilder().setWallTime(w.now()).setStep(1).setSummary(summary).build());
 * }
 * }</pre>
 */
public final class EventFileWriter implements AutoCloseable {

  /** The {@code file_version} of the first event: TensorFlow's current event format, version 2. */
  public static final String FILE_VERSION = "brain.Event:2";

  /** Substring by which TensorBoard recognises event files. */
  public static final String FILE_NAME_PREFIX = "events.out.tfevents.";

  static final int BUFFER_BYTES = 1 << 20;
  static final Duration DEFAULT_WRITE_OUT_INTERVAL = Duration.ofSeconds(30);

  private final Path file;
  private final FileChannel channel;
  private final Clock clock;
  private final Duration writeOutInterval;
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  private Instant lastWriteOut;
  private IOException failure;
  private boolean closed;

  private EventFileWriter(Path file, FileChannel channel, Clock clock, Duration writeOutInterval) {
    this.file = file;
    this.channel = channel;
    this.clock = clock;
    this.writeOutInterval = writeOutInterval;
    this.lastWriteOut = clock.instant();
  }

  /**
   * Creates {@code logDir} if needed and a new event file in it, and writes and syncs the file-version event.
   *
   * @param logDir the run's log directory
   * @return the writer, which the caller closes
   * @throws IOException if the directory or file cannot be created or written
   */
  public static EventFileWriter open(Path logDir) throws IOException {
    return open(logDir, Clock.systemUTC(), DEFAULT_WRITE_OUT_INTERVAL);
  }

  static EventFileWriter open(Path logDir, Clock clock, Duration writeOutInterval) throws IOException {
    Files.createDirectories(logDir);
    Instant created = clock.instant();
    String name = String.format("%s%010d.%s", FILE_NAME_PREFIX, created.getEpochSecond(), hostname());
    for (int attempt = 0; ; attempt++) {
      Path file = logDir.resolve(attempt == 0 ? name : name + "." + attempt);
      FileChannel channel;
      try {
        channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      } catch (FileAlreadyExistsException e) {
        if (attempt < 1000) {
          continue;
        }
        throw e;
      }
      EventFileWriter writer = new EventFileWriter(file, channel, clock, writeOutInterval);
      try {
        writer.write(Event.newBuilder().setWallTime(seconds(created)).setFileVersion(FILE_VERSION).build());
        writer.flush();
      } catch (IOException | RuntimeException e) {
        try {
          writer.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
      return writer;
    }
  }

  /**
   * The event file this writer appends to.
   *
   * @return {@code <logDir>/events.out.tfevents.<seconds>.<hostname>}, perhaps with a {@code .N} suffix
   */
  public Path file() {
    return file;
  }

  /**
   * The time to stamp an event with.
   *
   * @return now, in seconds since the epoch with microseconds, as an event's {@code wall_time}
   */
  public double now() {
    return seconds(clock.instant());
  }

  /**
   * Appends {@code event} as one record, buffered (see the class comment for when it reaches the disk).
   *
   * @param event the event, with its {@code wall_time} and {@code step} set by the caller
   * @throws IOException if handing buffered records to the file fails, or an earlier write failed
   * @throws IllegalStateException if the writer is closed
   */
  public synchronized void write(Event event) throws IOException {
    ensureWritable();
    buffer.writeBytes(TfRecords.frame(event.toByteArray()));
    Instant now = clock.instant();
    if (buffer.size() >= BUFFER_BYTES || !now.isBefore(lastWriteOut.plus(writeOutInterval))) {
      writeOut();
    }
  }

  /**
   * Writes every buffered record to the file and syncs it to the disk.
   *
   * @throws IOException if writing or syncing fails, or an earlier write failed
   * @throws IllegalStateException if the writer is closed
   */
  public synchronized void flush() throws IOException {
    ensureWritable();
    writeOut();
    try {
      channel.force(false);
    } catch (IOException e) {
      throw fail(e);
    }
  }

  /**
   * Flushes and closes the file; closing again does nothing. After a failed write it only closes.
   *
   * @throws IOException if the last flush or the close fails
   */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    try {
      if (failure == null) {
        flush();
      }
    } finally {
      closed = true;
      channel.close();
    }
  }

  private void ensureWritable() throws IOException {
    if (closed) {
      throw new IllegalStateException(file + ": the event file is closed");
    }
    if (failure != null) {
      throw new IOException(file + ": an earlier write failed, so no more records are written after it", failure);
    }
  }

  private void writeOut() throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(buffer.toByteArray());
    buffer.reset();
    try {
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
    } catch (IOException e) {
      throw fail(e);
    }
    lastWriteOut = clock.instant();
  }

  private IOException fail(IOException e) {
    failure = new IOException(file + ": cannot write the event file: " + e.getMessage(), e);
    return failure;
  }

  private static double seconds(Instant t) {
    return t.getEpochSecond() + t.getNano() / 1000 / 1e6;
  }

  /**
   * The host's name as {@code gethostname} gives it (TensorFlow's choice), reduced to characters safe in a file
   * name.
   */
  static String hostname() {
    String name = null;
    try {
      Path linux = Path.of("/proc/sys/kernel/hostname");
      if (Files.isReadable(linux)) {
        name = Files.readString(linux).strip();
      }
    } catch (IOException e) {
      // Not Linux, or not readable: ask the JDK.
    }
    if (name == null || name.isEmpty()) {
      try {
        name = InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        name = "localhost";
      }
    }
    String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
    return safe.isEmpty() ? "localhost" : safe;
  }
}
