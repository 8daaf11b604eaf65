package org.alexnettfj.pictures;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import org.alexnettfj.weights.PartialWrite;

/** The little HTML the pages need: escaping, number formats, the shared style, and writing a file safely. */
final class Html {

  private Html() {
  }

  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** The last part of a path or archive entry name. */
  static String baseName(String name) {
    int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
    return slash >= 0 ? name.substring(slash + 1) : name;
  }

  static String num(double x, int digits) {
    return Double.isFinite(x) ? String.format(Locale.ROOT, "%." + digits + "f", x) : "-";
  }

  /** A page: head with the style, then the body. */
  static String page(String title, String body) {
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" + escape(title)
        + "</title>\n<style>\n" + STYLE + "</style></head>\n<body>\n<h1>" + escape(title) + "</h1>\n" + body
        + "</body></html>\n";
  }

  private static final String STYLE = """
      body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
      h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
      table { border-collapse: collapse; } td, th { padding: 2px 8px; text-align: left; }
      th { border-bottom: 1px solid #999; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
      .bar { background: #4c78a8; height: 10px; display: inline-block; }
      .row { display: flex; gap: 10px; align-items: flex-start; margin: 10px 0; }
      figure { margin: 0; width: 120px; font-size: 12px; text-align: center; overflow-wrap: anywhere; }
      figure img, figure .missing { width: 112px; height: 112px; object-fit: contain; image-rendering: pixelated;
        background: #eee; display: block; margin: 0 auto; }
      figure .missing { font-size: 11px; color: #a00; display: flex; align-items: center; justify-content: center; }
      figure.query { border-right: 2px solid #999; padding-right: 10px; }
      .grid { display: flex; flex-wrap: wrap; gap: 10px; }
      .note { color: #666; }
      """;

  /** Writes {@code text} through {@code .NAME.partial} beside {@code out} and renames it into place. */
  static void write(Path out, String text) throws IOException {
    write(out, text.getBytes(StandardCharsets.UTF_8));
  }

  static void write(Path out, byte[] bytes) throws IOException {
    try (PartialWrite temp = PartialWrite.file(out)) {
      try (java.io.OutputStream o = temp.stream()) {
        o.write(bytes);
      }
      temp.commit();
    }
  }
}
