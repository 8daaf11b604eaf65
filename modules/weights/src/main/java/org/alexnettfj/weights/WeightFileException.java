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

  private final String file;
  private final String layer;
  private final long offset;
  private final List<String> problems;

  public WeightFileException(String file, String layer, long offset, String detail) {
    super(compose(file, layer, offset, detail));
    this.file = file;
    this.layer = layer;
    this.offset = offset;
    this.problems = List.of(detail);
  }

  /** Several problems found at once (validation lists everything before failing). */
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

  public String file() {
    return file;
  }

  /** The layer being read when the problem was found, or null. */
  public String layer() {
    return layer;
  }

  /** Byte offset of the problem in the (decompressed) file, or -1. */
  public long offset() {
    return offset;
  }

  public List<String> problems() {
    return problems;
  }
}
