package org.alexnettfj.data.train;

import java.io.IOException;

/**
 * A list file with a line that is not {@code path label}: the message names the file and the 1-based line, e.g.
 * {@code "train.txt:17: label 'cat' is not an integer (line: 'images/a b.jpg cat')"}.
 */
public class DatasetFormatException extends IOException {

  private final String file;
  private final int line;

  public DatasetFormatException(String file, int line, String reason) {
    super(file + ":" + line + ": " + reason);
    this.file = file;
    this.line = line;
  }

  /** The list file (a path, or {@code "<archive>!/<entry>"}). */
  public String file() {
    return file;
  }

  /** The 1-based line number. */
  public int line() {
    return line;
  }
}
