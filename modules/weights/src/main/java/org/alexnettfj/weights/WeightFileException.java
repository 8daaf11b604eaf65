package org.alexnettfj.weights;

import java.io.IOException;
import java.util.List;

/**
 * A weight file that cannot be read or does not hold what was expected. The message always names the file and,
 * where known, the layer and the byte offset, so a user can find the problem without a hex editor. Text in the
 * message that came from the file (keys, names, headers) is escaped by {@link SafeText}: it prints on one line and
 * cannot drive a terminal.
 */
public class WeightFileException extends IOException {

  /** The file as the user named it. */
  private final String file;
  /** The layer being read, or null. */
  private final String layer;
  /** Byte offset in the (decompressed) file, or -1. */
  private final long offset;
  /** Each problem as given, not escaped. */
  private final List<String> problems;

  /**
   * One problem, located as far as it is known.
   *
   * @param file the file as the user named it
   * @param layer the layer being read, or null
   * @param offset the byte offset in the (decompressed) file, or -1
   * @param detail what is wrong; escaped for the message
   */
  public WeightFileException(String file, String layer, long offset, String detail) {
    super(compose(file, layer, offset, detail));
    this.file = file;
    this.layer = layer;
    this.offset = offset;
    this.problems = List.of(detail);
  }

  /**
   * Several problems found at once (validation lists everything before failing).
   *
   * @param file the file as the user named it
   * @param problems one line each, listed in the message
   */
  public WeightFileException(String file, List<String> problems) {
    super(SafeText.of(file, SafeText.DETAIL) + ": " + problems.size()
        + (problems.size() == 1 ? " problem" : " problems") + " with the weights:\n  - "
        + String.join("\n  - ", problems.stream().map(p -> SafeText.of(p, SafeText.DETAIL)).toList()));
    this.file = file;
    this.layer = null;
    this.offset = -1;
    this.problems = List.copyOf(problems);
  }

  private static String compose(String file, String layer, long offset, String detail) {
    StringBuilder sb = new StringBuilder(SafeText.of(file, SafeText.DETAIL));
    if (layer != null) {
      sb.append(": layer '").append(SafeText.name(layer)).append('\'');
    }
    if (offset >= 0) {
      sb.append(layer != null ? ", " : ": ").append("at byte ").append(offset);
    }
    return sb.append(": ").append(SafeText.of(detail, SafeText.DETAIL)).toString();
  }

  /**
   * The file the problem is in.
   *
   * @return its name as the user gave it, not escaped
   */
  public String file() {
    return file;
  }

  /**
   * The layer being read when the problem was found.
   *
   * @return the layer's name, or null
   */
  public String layer() {
    return layer;
  }

  /**
   * Where in the file the problem is.
   *
   * @return the byte offset in the (decompressed) file, or -1
   */
  public long offset() {
    return offset;
  }

  /**
   * Each problem on its own, for callers that show or test them one by one.
   *
   * @return the details as given, not escaped; one entry for a single problem
   */
  public List<String> problems() {
    return problems;
  }
}
