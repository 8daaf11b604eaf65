package org.alexnettfj.data.train;

import java.io.IOException;

/**
 * A list file with a line that is not {@code path label}. The message names the file and the 1-based line, as in
 * {@code "train.txt:17: label 'cat' is not an integer (line: 'images/a b.jpg cat')"}.
 */
public class DatasetFormatException extends IOException {

  /** The list file. */
  private final String file;
  /** The 1-based line number. */
  private final int line;

  /**
   * A bad line of a list file.
   *
   * @param file the list file (a path, or {@code "<archive>!/<entry>"})
   * @param line the 1-based line number
   * @param reason what is wrong with the line, quoting it
   */
  public DatasetFormatException(String file, int line, String reason) {
    super(file + ":" + line + ": " + reason);
    this.file = file;
    this.line = line;
  }

  /**
   * The file with the bad line.
   *
   * @return the list file (a path, or {@code "<archive>!/<entry>"})
   */
  public String file() {
    return file;
  }

  /**
   * Where in the file the bad line is.
   *
   * @return the 1-based line number
   */
  public int line() {
    return line;
  }
}
