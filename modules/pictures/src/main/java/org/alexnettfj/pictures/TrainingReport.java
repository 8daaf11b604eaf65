package org.alexnettfj.pictures;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * One self-contained HTML page on a trained model: the learning curves (train loss, validation top-1 and top-5 per
 * epoch, learning-rate drops marked), the confusion matrix as a heat map, top-1 per class, and the worst mistakes
 * (the wrong answers given with the highest probability) as thumbnails. Everything is inline — SVG charts, JPEG
 * thumbnails as {@code data:} URIs, no script — so the file opens offline and can be mailed.
 *
 * <p>{@code alexnet finetune --report} writes it with the curves; {@code alexnet evaluate --report} without them.
 *
 * @param title the page's heading
 * @param classes class names, in label order
 * @param epochs one row per epoch, in order; empty for an evaluation
 * @param confusion {@code confusion[truth][predicted]}
 * @param mistakes the worst wrong answers, worst first
 * @param settings what the run was (weights, layers trained, batch size, …), shown as a table
 */
public record TrainingReport(String title, List<String> classes, List<EpochRow> epochs, long[][] confusion,
    List<Mistake> mistakes, Map<String, String> settings) {

  /** An epoch's numbers; {@code learningRateChange} says why the next epoch's rate differs, or is null. */
  public record EpochRow(int epoch, double trainLoss, double top1, double top5, double learningRate,
      String learningRateChange) {
  }

  /** A wrong answer: the image, its true class, the predicted class and the probability it was given. */
  public record Mistake(String source, int truth, int predicted, double probability) {
  }

  /** Thumbnails' longest side, in pixels. */
  static final int THUMBNAIL = 112;

  /** Above this many classes the heat map is an image of one pixel per cell rather than SVG cells. */
  static final int SVG_CLASSES = 100;

  public TrainingReport {
    classes = List.copyOf(classes);
    epochs = List.copyOf(epochs);
    mistakes = List.copyOf(mistakes);
    settings = Map.copyOf(settings);
    if (confusion.length != classes.size()) {
      throw new IllegalArgumentException("confusion matrix of " + confusion.length + " rows for " + classes.size()
          + " classes");
    }
  }

  /** Writes the page to {@code out} (through a temporary file), reading thumbnails' images from {@code images}. */
  public void write(Path out, Thumbnails.ImageSource images) throws IOException {
    Html.write(out, html(images));
  }

  /** The page. */
  public String html(Thumbnails.ImageSource images) throws IOException {
    StringBuilder b = new StringBuilder();
    long total = 0;
    long right = 0;
    for (int t = 0; t < confusion.length; t++) {
      for (int p = 0; p < confusion[t].length; p++) {
        total += confusion[t][p];
        right += t == p ? confusion[t][p] : 0;
      }
    }
    b.append("<p>").append(total).append(" validation images of ").append(classes.size()).append(" classes; top-1 ")
        .append(Html.num(total == 0 ? Double.NaN : (double) right / total, 3)).append(".</p>\n");
    if (!settings.isEmpty()) {
      b.append("<table class=\"settings\">\n");
      settings.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> b.append("<tr><th>")
          .append(Html.escape(e.getKey())).append("</th><td>").append(Html.escape(e.getValue()))
          .append("</td></tr>\n"));
      b.append("</table>\n");
    }
    if (!epochs.isEmpty()) {
      b.append("<h2>Learning curves</h2>\n");
      double[] x = epochs.stream().mapToDouble(EpochRow::epoch).toArray();
      List<Svg.Marker> drops = new ArrayList<>();
      for (int i = 0; i + 1 < epochs.size(); i++) {
        if (epochs.get(i + 1).learningRate() != epochs.get(i).learningRate()) {
          drops.add(new Svg.Marker(epochs.get(i).epoch() + 0.5, "lr " + rate(epochs.get(i + 1).learningRate())));
        }
      }
      b.append(Svg.lines("train loss", "epoch", x, List.of(new Svg.Series("train loss", "#4c78a8",
          epochs.stream().mapToDouble(EpochRow::trainLoss).toArray())), drops, 0, Double.NaN));
      List<Svg.Series> accuracy = new ArrayList<>();
      accuracy.add(new Svg.Series("val top-1", "#f58518", epochs.stream().mapToDouble(EpochRow::top1).toArray()));
      if (classes.size() >= 5) {
        accuracy.add(new Svg.Series("val top-5", "#54a24b", epochs.stream().mapToDouble(EpochRow::top5).toArray()));
      }
      b.append(Svg.lines("validation accuracy", "epoch", x, accuracy, drops, 0, 1));
      b.append("<table class=\"epochs\"><tr><th>epoch</th><th>train loss</th><th>val top-1</th>")
          .append(classes.size() >= 5 ? "<th>val top-5</th>" : "").append("<th>learning rate</th></tr>\n");
      for (EpochRow e : epochs) {
        b.append("<tr><td class=\"n\">").append(e.epoch()).append("</td><td class=\"n\">")
            .append(Html.num(e.trainLoss(), 4)).append("</td><td class=\"n\">").append(Html.num(e.top1(), 3))
            .append("</td>").append(classes.size() >= 5 ? "<td class=\"n\">" + Html.num(e.top5(), 3) + "</td>" : "")
            .append("<td>").append(rate(e.learningRate()))
            .append(e.learningRateChange() == null ? "" : " <span class=\"note\">(" + Html.escape(
                e.learningRateChange()) + ")</span>").append("</td></tr>\n");
      }
      b.append("</table>\n");
    }
    b.append("<h2>Confusion matrix</h2>\n");
    b.append(classes.size() <= SVG_CLASSES ? Svg.heatMap(classes, confusion) : heatMapImage());
    b.append("<h2>Top-1 per class</h2>\n<table class=\"classes\"><tr><th>class</th><th>images</th><th>top-1</th>"
        + "<th></th></tr>\n");
    for (int t = 0; t < classes.size(); t++) {
      long n = 0;
      for (long c : confusion[t]) {
        n += c;
      }
      if (n == 0) {
        continue;
      }
      double acc = (double) confusion[t][t] / n;
      b.append("<tr><td>").append(Html.escape(classes.get(t))).append("</td><td class=\"n\">").append(n)
          .append("</td><td class=\"n\">").append(Html.num(acc, 3)).append("</td><td><span class=\"bar\" style=\""
              + "width:").append(Math.round(acc * 200)).append("px\"></span></td></tr>\n");
    }
    b.append("</table>\n<h2>Worst mistakes</h2>\n");
    if (mistakes.isEmpty()) {
      b.append("<p>None: every validation image was classified right.</p>\n");
    } else {
      b.append("<p class=\"note\">The wrong answers given with the highest probability.</p>\n<div class=\"grid\">\n");
      for (Mistake m : mistakes) {
        b.append(Thumbnails.figure(images, m.source(), THUMBNAIL, "mistake", "true: " + classes.get(m.truth()),
            "predicted: " + classes.get(m.predicted()), "p = " + Html.num(m.probability(), 3)));
      }
      b.append("</div>\n");
    }
    return Html.page(title, b.toString());
  }

  /** For many classes: one pixel per cell, enlarged by the page without smoothing. */
  private String heatMapImage() throws IOException {
    int n = classes.size();
    BufferedImage image = new BufferedImage(n, n, BufferedImage.TYPE_INT_RGB);
    for (int t = 0; t < n; t++) {
      long total = 0;
      for (long c : confusion[t]) {
        total += c;
      }
      for (int p = 0; p < n; p++) {
        image.setRGB(p, t, Svg.heat(total == 0 ? 0 : (double) confusion[t][p] / total));
      }
    }
    return "<img class=\"heatmap\" alt=\"confusion matrix\" width=\"" + Math.max(n, 600) + "\" style=\""
        + "image-rendering: pixelated\" src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(
            Png.encode(image)) + "\">\n<p class=\"note\">rows: true class; columns: predicted class</p>\n";
  }

  private static String rate(double r) {
    return String.format(java.util.Locale.ROOT, "%.3g", r);
  }
}
