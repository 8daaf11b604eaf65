package org.alexnettfj.train.tensorboard;

import java.io.IOException;

/**
 * Thrown by {@link EventFileReader} when an event file's record at {@link #offset()} fails a CRC or does not hold
 * an {@code Event}: the message names the file and the byte offset of the record, e.g.
 * {@code "runs/fc8/events.out.tfevents.1700000000.host: record at byte 1234: data CRC mismatch (...)"}.
 */
public class CorruptEventFileException extends IOException {

  /** The event file, as named in the message. */
  private final String file;
  /** Byte offset of the start of the bad record. */
  private final long offset;

  /**
   * Makes the exception; the message is {@code "<file>: record at byte <offset>: <reason>"}.
   *
   * @param file the event file, as it should be named in the message
   * @param offset byte offset of the start of the bad record
   * @param reason what is wrong with it
   */
  public CorruptEventFileException(String file, long offset, String reason) {
    super(file + ": record at byte " + offset + ": " + reason);
    this.file = file;
    this.offset = offset;
  }

  /**
   * The corrupt event file.
   *
   * @return the file, as given
   */
  public String file() {
    return file;
  }

  /**
   * Where the bad record starts; everything before it was read and checked.
   *
   * @return byte offset of the start of the bad record
   */
  public long offset() {
    return offset;
  }
}
