package org.alexnettfj.pictures;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** {@code alexnet lr-find}'s picture: loss against the learning rate (log scale), the suggested rate marked. */
public final class LearningRatePlot {

  private LearningRatePlot() {
  }

  private static double[] clip(double[] v, double lo, double hi) {
    double[] out = v.clone();
    for (int i = 0; i < out.length; i++) {
      if (!Double.isFinite(out[i]) || out[i] > hi || out[i] < lo) {
        out[i] = Double.NaN;
      }
    }
    return out;
  }

  /** A standalone SVG file of the sweep: raw and smoothed loss at each rate, a dashed line at {@code suggested}. */
  public static void write(Path out, double[] rates, double[] loss, double[] smoothed, double suggested)
      throws IOException {
    double[] x = new double[rates.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = Math.log10(rates[i]);
    }
    // the y axis spans the useful part: the smoothed loss up to its minimum, with room; the blow-up is clipped
    int min = 0;
    for (int i = 0; i < smoothed.length; i++) {
      if (Double.isFinite(smoothed[i]) && smoothed[i] < smoothed[min]) {
        min = i;
      }
    }
    double top = smoothed.length == 0 ? 1 : smoothed[min];
    for (int i = 0; i <= min && i < smoothed.length; i++) {
      top = Math.max(top, smoothed[i]);
    }
    double bottom = smoothed.length == 0 ? 0 : smoothed[min];
    double yMin = Math.max(0, bottom - 0.5 * (top - bottom) - 1e-3);
    double yMax = top + 0.5 * (top - bottom) + 1e-3;
    double[] clipped = clip(loss, yMin, yMax);
    double[] smooth = clip(smoothed, yMin, yMax);
    List<Svg.Marker> markers = Double.isFinite(suggested) ? List.of(new Svg.Marker(Math.log10(suggested),
        String.format(Locale.ROOT, "suggested %.2g", suggested))) : List.of();
    String svg = Svg.lines("loss against learning rate", "log10 learning rate", x, List.of(
        new Svg.Series("loss", "#bbbbbb", clipped), new Svg.Series("smoothed", "#4c78a8", smooth)), markers,
        yMin, yMax);
    Html.write(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svg.replace("<svg class=\"chart\" ",
        "<svg class=\"chart\" style=\"background:#fff\" "));
  }
}
