package org.alexnettfj.pictures;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Inline SVG charts: lines over epochs and a heat map, drawn here so that a page needs no script or library. */
final class Svg {

  private Svg() {
  }

  /** One line: its name in the legend, its colour, and a y for each x (NaN: no point). */
  record Series(String name, String colour, double[] y) {
  }

  /** A dashed vertical line at {@code x} with a label: a learning-rate drop. */
  record Marker(double x, String label) {
  }

  private static final int W = 560;
  private static final int H = 260;
  private static final int LEFT = 56;
  private static final int RIGHT = 16;
  private static final int TOP = 28;
  private static final int BOTTOM = 40;

  /**
   * A line chart of {@code series} over {@code x}. {@code yMin}/{@code yMax} fix the axis (NaN: from the data,
   * from 0).
   */
  static String lines(String title, String xLabel, double[] x, List<Series> series, List<Marker> markers,
      double yMin, double yMax) {
    double lo = Double.isNaN(yMin) ? 0 : yMin;
    double hi = yMax;
    if (Double.isNaN(hi)) {
      hi = lo;
      for (Series s : series) {
        for (double v : s.y()) {
          if (Double.isFinite(v)) {
            hi = Math.max(hi, v);
          }
        }
      }
      hi = hi > lo ? niceCeil(hi) : lo + 1;
    }
    double x0 = x.length == 0 ? 0 : x[0];
    double x1 = x.length == 0 ? 1 : x[x.length - 1];
    if (x1 <= x0) {
      x1 = x0 + 1;
    }
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
        + "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">%n", W, H, W, H, Html.escape(title)));
    b.append(text(LEFT, 16, "start", "bold", title));
    // axes, y ticks and grid
    for (int i = 0; i <= 4; i++) {
      double v = lo + (hi - lo) * i / 4;
      double y = py(v, lo, hi);
      b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
          LEFT, y, W - RIGHT, y));
      b.append(text(LEFT - 6, y + 4, "end", null, tick(v)));
    }
    int ticks = (int) Math.min(10, Math.round(x1 - x0));
    for (int i = 0; i <= ticks; i++) {
      double v = x0 + (x1 - x0) * i / Math.max(1, ticks);
      b.append(text(px(v, x0, x1), H - BOTTOM + 16, "middle", null, tick(v)));
    }
    b.append(text((LEFT + W - RIGHT) / 2.0, H - 6, "middle", null, xLabel));
    b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
        + "stroke=\"#999\"/>%n", LEFT, TOP, W - LEFT - RIGHT, H - TOP - BOTTOM));
    for (Marker m : markers) {
      double mx = px(m.x(), x0, x1);
      b.append(String.format(Locale.ROOT, "<line class=\"marker\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
          + "stroke=\"#c33\" stroke-dasharray=\"4 3\"><title>%s</title></line>%n", mx, TOP, mx, H - BOTTOM,
          Html.escape(m.label())));
      b.append(text(mx + 3, TOP + 12, "start", null, m.label()).replace("<text ", "<text fill=\"#c33\" "));
    }
    int legendX = W - RIGHT - 8;
    for (int si = series.size() - 1; si >= 0; si--) {
      Series s = series.get(si);
      List<String> points = new ArrayList<>();
      for (int i = 0; i < x.length && i < s.y().length; i++) {
        if (Double.isFinite(s.y()[i])) {
          points.add(String.format(Locale.ROOT, "%.1f,%.1f", px(x[i], x0, x1), py(s.y()[i], lo, hi)));
        }
      }
      b.append("<polyline class=\"series\" fill=\"none\" stroke-width=\"2\" stroke=\"").append(s.colour())
          .append("\" points=\"").append(String.join(" ", points)).append("\"><title>")
          .append(Html.escape(s.name())).append("</title></polyline>\n");
      for (String p : points) {
        String[] xy = p.split(",");
        b.append("<circle r=\"3\" fill=\"").append(s.colour()).append("\" cx=\"").append(xy[0]).append("\" cy=\"")
            .append(xy[1]).append("\"/>\n");
      }
      int width = 14 + 7 * s.name().length();
      legendX -= width;
      b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>%n",
          legendX, 8, s.colour()));
      b.append(text(legendX + 13, 17, "start", null, s.name()));
    }
    return b.append("</svg>\n").toString();
  }

  /**
   * The confusion matrix, each row (true class) scaled to its own total: white 0, dark blue all of the row. Counts
   * in the cells and class names on the axes when there are few enough classes to read them.
   */
  static String heatMap(List<String> classes, long[][] confusion) {
    int n = classes.size();
    int cell = n <= 10 ? 44 : n <= 30 ? 22 : Math.max(4, 600 / n);
    boolean labels = n <= 40;
    int label = labels ? Math.min(140, 8 + 7 * classes.stream().mapToInt(String::length).max().orElse(1)) : 8;
    int bottom = label + n * cell;
    int width = Math.max(300, bottom + 8);
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "<svg class=\"heatmap\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
        + "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"confusion matrix\">%n", width, bottom + 24,
        width, bottom + 24));
    for (int t = 0; t < n; t++) {
      long total = 0;
      for (long c : confusion[t]) {
        total += c;
      }
      for (int p = 0; p < n; p++) {
        double share = total == 0 ? 0 : (double) confusion[t][p] / total;
        String fill = String.format(Locale.ROOT, "#%06x", heat(share));
        b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\">"
            + "<title>%s as %s: %d</title></rect>%n", label + p * cell, label + t * cell, cell, cell, fill,
            Html.escape(classes.get(t)), Html.escape(classes.get(p)), confusion[t][p]));
        if (labels && cell >= 22 && confusion[t][p] > 0) {
          b.append(text(label + p * cell + cell / 2.0, label + t * cell + cell / 2.0 + 4, "middle", null,
              Long.toString(confusion[t][p])).replace("<text ", "<text fill=\"" + (share > 0.5 ? "#fff" : "#222")
              + "\" "));
        }
      }
      if (labels) {
        b.append(text(label - 4, label + t * cell + cell / 2.0 + 4, "end", null, classes.get(t)));
        b.append(String.format(Locale.ROOT, "<text transform=\"translate(%.1f,%d) rotate(-90)\" font-size=\"11\" "
            + "text-anchor=\"start\">%s</text>%n", label + t * cell + cell / 2.0 + 4, label - 4,
            Html.escape(classes.get(t))));
      }
    }
    b.append(text(label, bottom + 16, "start", null, "rows: true class; columns: predicted class"));
    return b.append("</svg>\n").toString();
  }

  /** The heat map's colour for a share of a row, 0xRRGGBB: white for none, dark blue for all. */
  static int heat(double share) {
    int r = (int) Math.round(255 - 200 * share);
    int g = (int) Math.round(255 - 150 * share);
    return (r << 16) | (g << 8) | 255;
  }

  private static double px(double v, double x0, double x1) {
    return LEFT + (v - x0) / (x1 - x0) * (W - LEFT - RIGHT);
  }

  private static double py(double v, double lo, double hi) {
    return H - BOTTOM - (v - lo) / (hi - lo) * (H - TOP - BOTTOM);
  }

  private static String text(double x, double y, String anchor, String weight, String s) {
    return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"%s\"%s>%s</text>%n",
        x, y, anchor, weight == null ? "" : " font-weight=\"" + weight + "\"", Html.escape(s));
  }

  private static String tick(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e6) {
      return Long.toString((long) v);
    }
    return Math.abs(v) >= 0.01 ? String.format(Locale.ROOT, "%.2f", v) : String.format(Locale.ROOT, "%.0e", v);
  }

  /** 1, 2 or 5 times a power of ten, at or above {@code v}. */
  static double niceCeil(double v) {
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }
}
