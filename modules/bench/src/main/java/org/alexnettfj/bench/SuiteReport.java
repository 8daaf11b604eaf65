package org.alexnettfj.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What {@link BenchSuite} prints: a short table, or (with {@code --json}) one JSON object. */
public final class SuiteReport {

  static final List<String> COLUMNS = List.of("benchmark", "batch", "threads", "median", "min-max", "rate",
      "vs limit");

  private SuiteReport() {
  }

  /** The FP32 limit the model rows are a fraction of: the best measured matmul rate, and which run gave it. */
  public record Peak(double gflops, String from) {
  }

  /** One aligned line per row under a header line; the columns are {@link #COLUMNS}. */
  public static String table(List<Row> rows) {
    List<List<String>> cells = new ArrayList<>();
    cells.add(COLUMNS);
    for (Row r : rows) {
      cells.add(List.of(r.name(), r.batch() == null ? "-" : r.batch().toString(), Integer.toString(r.threads()),
          number(r.median()) + " " + r.unit(), number(r.min()) + "-" + number(r.max()), r.rate(), r.versus()));
    }
    int[] width = new int[COLUMNS.size()];
    for (List<String> line : cells) {
      for (int c = 0; c < width.length; c++) {
        width[c] = Math.max(width[c], line.get(c).length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (List<String> line : cells) {
      StringBuilder l = new StringBuilder();
      for (int c = 0; c < width.length; c++) {
        String cell = line.get(c);
        // text left, numbers right
        boolean left = c == 0 || c == width.length - 1;
        l.append(left ? cell + " ".repeat(width[c] - cell.length()) : " ".repeat(width[c] - cell.length()) + cell);
        l.append(c < width.length - 1 ? "  " : "");
      }
      out.append(l.toString().stripTrailing()).append('\n');
    }
    return out.toString();
  }

  /**
   * One JSON object: {@code suite}, {@code machine}, {@code threads}, {@code onednn} (whether the model rows ran
   * with TensorFlow's oneDNN kernels), {@code peak} ({@code gflops}, {@code from})
   * and {@code results}, an object keyed by row id whose values hold the row's name, batch, threads, median, min,
   * max, unit and its numbers ({@code imagesPerSecond}, {@code fractionOfLimit}, ...).
   */
  public static String json(String suite, Machine machine, int threads, boolean onednn, Peak peak,
      List<Row> rows) {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("suite", suite);
    ObjectNode m = root.putObject("machine");
    m.put("cores", machine.cores());
    m.put("cpu", machine.cpu());
    m.put("vector", machine.vector());
    m.put("memoryGiB", machine.memoryGiB());
    m.put("java", machine.java());
    root.put("threads", threads);
    root.put("onednn", onednn);
    ObjectNode p = root.putObject("peak");
    p.put("gflops", peak.gflops());
    p.put("from", peak.from());
    ObjectNode results = root.putObject("results");
    for (Row r : rows) {
      if (results.has(r.id())) {
        throw new IllegalArgumentException("two rows have the id " + r.id());
      }
      ObjectNode o = results.putObject(r.id());
      o.put("name", r.name());
      if (r.batch() != null) {
        o.put("batch", r.batch());
      }
      o.put("threads", r.threads());
      o.put("median", r.median());
      o.put("min", r.min());
      o.put("max", r.max());
      o.put("unit", r.unit());
      for (Map.Entry<String, Double> e : r.numbers().entrySet()) {
        o.put(e.getKey(), e.getValue());
      }
    }
    try {
      return mapper.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);   // a tree of plain values always serialises
    }
  }

  /** One decimal from 10 up, two below: 1080.2, 33.9, 2.45. */
  static String number(double v) {
    return String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.1f" : "%.2f", v);
  }
}
