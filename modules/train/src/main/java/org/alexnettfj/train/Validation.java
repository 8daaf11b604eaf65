package org.alexnettfj.train;

import java.util.ArrayList;
import java.util.List;

/**
 * One pass over the validation set: top-1 and top-5 accuracy and the confusion matrix, {@code confusion[truth]
 * [predicted]} (argmax of fc8). An image counts towards top-k when fewer than {@code k} classes score strictly
 * higher than its true class; an image whose scores hold a NaN counts as wrong.
 *
 * <pre>{@code
 * for (Validation.ClassSummary c : validation.perClass()) {
 *   System.out.println(names.get(c.index()) + " " + c.accuracy());
 * }
 * }</pre>
 */
public record Validation(int images, double top1, double top5, long[][] confusion) {

  /**
   * One class of the confusion matrix: its validation images, the share classified right, and the class they are
   * most often taken for ({@code -1} when none is ever wrong) with how many times.
   */
  public record ClassSummary(int index, long images, double accuracy, int mostMistakenFor, long mistakes) {
  }

  /** Scores of a whole validation set, image by image. */
  static final class Tally {
    private final long[][] confusion;
    private int images;
    private int top1;
    private int top5;

    Tally(int classes) {
      confusion = new long[classes][classes];
    }

    void add(float[] scores, int truth) {
      float target = scores[truth];
      int above = 0;
      int predicted = 0;
      boolean nan = Float.isNaN(target);
      for (int c = 0; c < scores.length; c++) {
        nan |= Float.isNaN(scores[c]);
        if (scores[c] > target) {
          above++;
        }
        if (scores[c] > scores[predicted]) {
          predicted = c;
        }
      }
      if (nan) {
        above = scores.length;
        predicted = truth == 0 && scores.length > 1 ? 1 : 0;
      }
      images++;
      top1 += above < 1 ? 1 : 0;
      top5 += above < 5 ? 1 : 0;
      confusion[truth][above < 1 ? truth : predicted]++;
    }

    Validation result() {
      return new Validation(images, images == 0 ? Double.NaN : (double) top1 / images,
          images == 0 ? Double.NaN : (double) top5 / images, confusion);
    }
  }

  /** Per class, in class order. */
  public List<ClassSummary> perClass() {
    List<ClassSummary> out = new ArrayList<>();
    for (int truth = 0; truth < confusion.length; truth++) {
      long total = 0;
      int worst = -1;
      for (int p = 0; p < confusion[truth].length; p++) {
        total += confusion[truth][p];
        if (p != truth && confusion[truth][p] > 0 && (worst < 0 || confusion[truth][p] > confusion[truth][worst])) {
          worst = p;
        }
      }
      out.add(new ClassSummary(truth, total, total == 0 ? Double.NaN : (double) confusion[truth][truth] / total,
          worst, worst < 0 ? 0 : confusion[truth][worst]));
    }
    return out;
  }
}
