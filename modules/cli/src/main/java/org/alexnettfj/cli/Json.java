package org.alexnettfj.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.alexnettfj.train.ClassMetrics;

/**
 * The one way every command prints {@code --json}: one compact document on one line of stdout, so a script reads it
 * with one {@code readline} or pipes it to {@code jq}. Keys are camelCase; a value that does not exist is
 * {@code null}, never {@code NaN}.
 */
final class Json {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {
  }

  /** {@code value} as one line of JSON. */
  static String of(Object value) throws JsonProcessingException {
    return MAPPER.writeValueAsString(value);
  }

  /**
   * One class's row of {@code perClass}, the same in finetune's and evaluate's JSON: its output index and name,
   * validation images, top-1, precision, recall, F1, and the class it is most often mistaken for (null if none)
   * with how many times.
   */
  static Map<String, Object> classRow(int index, String name, long images, double top1, ClassMetrics.Row metrics,
      String mistakenFor, long mistakes) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("index", index);
    row.put("class", name);
    row.put("images", images);
    row.put("top1", Double.isFinite(top1) ? top1 : null);
    row.put("precision", metrics.precision());
    row.put("recall", metrics.recall());
    row.put("f1", metrics.f1());
    row.put("mistakenFor", mistakenFor);
    row.put("mistakes", mistakes);
    return row;
  }

  /** Prints {@code value} as one line of JSON and flushes. */
  static void print(PrintWriter out, Object value) throws JsonProcessingException {
    out.println(of(value));
    out.flush();
  }
}
