package org.alexnettfj.train;

import java.util.ArrayList;
import java.util.List;

/**
 * Precision, recall and F1 per class from a confusion matrix ({@code confusion[truth][predicted]}), and their
 * macro averages: what {@code alexnet evaluate} and finetune's validation report beside top-1 and top-5, under the
 * same JSON keys.
 *
 * <p>A class's precision is undefined when nothing was predicted as it; it counts as 0 there (scikit-learn's
 * {@code zero_division=0}), and so does an F1 with precision and recall both 0. The macro averages are over the
 * classes that have images ({@code support > 0}), so a 1000-class model evaluated on a few classes is averaged
 * over those few.
 *
 * @param perClass one row per class, in class order
 * @param macroPrecision mean precision over the classes with images; NaN if none has
 * @param macroRecall mean recall over the classes with images; NaN if none has
 * @param macroF1 mean F1 over the classes with images; NaN if none has
 */
public record ClassMetrics(List<Row> perClass, double macroPrecision, double macroRecall, double macroF1) {

  /**
   * One class: its images ({@code support}), how many of them were called it ({@code truePositives}), how many
   * images were called it in all ({@code predicted}), and the three ratios.
   *
   * @param index the class index
   * @param support its images
   * @param truePositives its images predicted as it
   * @param predicted images predicted as it in all
   * @param precision {@code truePositives / predicted}; 0 when {@code predicted} is 0
   * @param recall {@code truePositives / support}; 0 when {@code support} is 0
   * @param f1 the harmonic mean of precision and recall; 0 when both are 0
   */
  public record Row(int index, long support, long truePositives, long predicted, double precision, double recall,
      double f1) {
  }

  /**
   * Copies the rows.
   *
   * @param perClass one row per class; copied
   * @param macroPrecision mean precision
   * @param macroRecall mean recall
   * @param macroF1 mean F1
   */
  public ClassMetrics {
    perClass = List.copyOf(perClass);
  }

  /**
   * The metrics of a confusion matrix, e.g. {@link Validation#confusion()}.
   *
   * @param confusion square counts, {@code confusion[truth][predicted]}
   * @return one row per class and the macro averages
   * @throws IllegalArgumentException if the matrix is not square
   */
  public static ClassMetrics of(long[][] confusion) {
    int n = confusion.length;
    long[] predicted = new long[n];
    for (long[] row : confusion) {
      if (row.length != n) {
        throw new IllegalArgumentException("confusion matrix is not square: " + n + " rows of " + row.length);
      }
      for (int p = 0; p < n; p++) {
        predicted[p] += row[p];
      }
    }
    List<Row> rows = new ArrayList<>();
    double sumP = 0;
    double sumR = 0;
    double sumF = 0;
    int present = 0;
    for (int c = 0; c < n; c++) {
      long support = 0;
      for (long v : confusion[c]) {
        support += v;
      }
      long tp = confusion[c][c];
      double precision = predicted[c] == 0 ? 0 : (double) tp / predicted[c];
      double recall = support == 0 ? 0 : (double) tp / support;
      double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
      rows.add(new Row(c, support, tp, predicted[c], precision, recall, f1));
      if (support > 0) {
        present++;
        sumP += precision;
        sumR += recall;
        sumF += f1;
      }
    }
    return present == 0 ? new ClassMetrics(rows, Double.NaN, Double.NaN, Double.NaN)
        : new ClassMetrics(rows, sumP / present, sumR / present, sumF / present);
  }
}
