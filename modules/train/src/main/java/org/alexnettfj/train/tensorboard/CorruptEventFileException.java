package org.alexnettfj.train.tensorboard;

import java.io.IOException;

/**
 * An event file whose record at {@link #offset()} fails a CRC or does not hold an {@code Event}: the message names
 * the file and the byte offset of the record, e.g.
 * {@code "runs/fc8/events.out.tfevents.1700000000.host: record at byte 1234: data CRC mismatch (...)"}.
 */
public class CorruptEventFileException extends IOException {

  private final String file;
  private final long offset;

  public CorruptEventFileException(String file, long offset, String reason) {
    super(file + ": record at byte " + offset + ": " + reason);
    this.file = file;
    this.offset = offset;
  }

  public String file() {
    return file;
  }

  /** Byte offset of the start of the bad record. */
  public long offset() {
    return offset;
  }
}
