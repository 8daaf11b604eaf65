package org.alexnettfj.train;

import java.util.ArrayList;
import java.util.List;

/**
 * One pass over the validation set: top-1 and top-5 accuracy and the confusion matrix, {@code confusion[truth]
 * [predicted]} (argmax of fc8). An image counts towards top-k when fewer than {@code k} classes score strictly
 * higher than its true class; an image whose scores hold a NaN counts as wrong. {@link #mistakes()} keeps the
 * {@value #MISTAKES_KEPT} worst wrong answers (highest softmax probability on the wrong class) for a report.
 *
 * <pre>{@code
 * for (Validation.ClassSummary c : validation.perClass()) {
 *   System.out.println(names.get(c.index()) + " " + c.accuracy());
 * }
 * }</pre>
 *
 * @param images validation images scored
 * @param top1 share right at top-1, in {@code [0, 1]}; NaN for no images
 * @param top5 share right at top-5, in {@code [0, 1]}; NaN for no images
 * @param confusion {@code classes x classes} counts, {@code confusion[truth][predicted]}; not copied
 * @param mistakes the worst wrong answers, highest probability first; copied
 */
public record Validation(int images, double top1, double top5, long[][] confusion, List<Mistake> mistakes) {

  /** Wrong answers {@link #mistakes()} keeps. */
  public static final int MISTAKES_KEPT = 32;

  /**
   * Copies the mistakes.
   *
   * @param images validation images scored
   * @param top1 share right at top-1
   * @param top5 share right at top-5
   * @param confusion the confusion matrix, not copied
   * @param mistakes the worst wrong answers; copied
   */
  public Validation {
    mistakes = List.copyOf(mistakes);
  }

  /**
   * Without mistakes: the numbers only.
   *
   * @param images validation images scored
   * @param top1 share right at top-1
   * @param top5 share right at top-5
   * @param confusion the confusion matrix, not copied
   */
  public Validation(int images, double top1, double top5, long[][] confusion) {
    this(images, top1, top5, confusion, List.of());
  }

  /**
   * A wrong top-1 answer: the image (as its batch named it; empty when the source does not name images), its
   * true class, the predicted class and the softmax probability given to it.
   *
   * @param source the image, or ""
   * @param truth its true class index
   * @param predicted the argmax of fc8
   * @param probability the softmax probability of {@code predicted}, in {@code (0, 1]}
   */
  public record Mistake(String source, int truth, int predicted, double probability) {
  }

  /**
   * One class of the confusion matrix: its validation images, the share classified right, and the class they are
   * most often taken for ({@code -1} when none is ever wrong) with how many times.
   *
   * @param index the class index
   * @param images its validation images
   * @param accuracy the share of them predicted right; NaN for none
   * @param mostMistakenFor the class most often predicted instead, the lowest on a tie; -1 for none
   * @param mistakes how many of its images were predicted as {@code mostMistakenFor}
   */
  public record ClassSummary(int index, long images, double accuracy, int mostMistakenFor, long mistakes) {
  }

  /**
   * Softmax of {@code scores} at {@code c}, in double, stable for any scale.
   *
   * @param scores one image's fc8 scores
   * @param c a class index into {@code scores}
   * @return {@code exp(scores[c]) / sum(exp(scores))}, in {@code [0, 1]}
   */
  public static double softmax(float[] scores, int c) {
    double max = Double.NEGATIVE_INFINITY;
    for (float s : scores) {
      max = Math.max(max, s);
    }
    double sum = 0;
    for (float s : scores) {
      sum += Math.exp(s - max);
    }
    return Math.exp(scores[c] - max) / sum;
  }

  /**
   * Collects the {@value #MISTAKES_KEPT} worst mistakes offered: highest probability first, the earlier on a tie.
   * Not thread-safe.
   */
  public static final class WorstMistakes {
    private final List<Mistake> kept = new ArrayList<>();

    /**
     * Keeps {@code m} if it is among the worst so far.
     *
     * @param m a wrong answer
     */
    public void offer(Mistake m) {
      if (kept.size() == MISTAKES_KEPT && m.probability() <= kept.get(MISTAKES_KEPT - 1).probability()) {
        return;
      }
      int at = kept.size();
      while (at > 0 && kept.get(at - 1).probability() < m.probability()) {
        at--;
      }
      kept.add(at, m);
      if (kept.size() > MISTAKES_KEPT) {
        kept.remove(MISTAKES_KEPT);
      }
    }

    /**
     * The mistakes kept so far.
     *
     * @return at most {@value #MISTAKES_KEPT}, highest probability first; a copy
     */
    public List<Mistake> list() {
      return List.copyOf(kept);
    }
  }

  /** Scores of a whole validation set, image by image. */
  static final class Tally {
    private final long[][] confusion;
    private int images;
    private int top1;
    private int top5;
    private final WorstMistakes mistakes = new WorstMistakes();

    Tally(int classes) {
      confusion = new long[classes][classes];
    }

    void add(float[] scores, int truth) {
      add(scores, truth, "");
    }

    void add(float[] scores, int truth, String source) {
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
      if (above >= 1 && !nan) {
        mistakes.offer(new Mistake(source, truth, predicted, softmax(scores, predicted)));
      }
    }

    Validation result() {
      return new Validation(images, images == 0 ? Double.NaN : (double) top1 / images,
          images == 0 ? Double.NaN : (double) top5 / images, confusion, mistakes.list());
    }
  }

  /**
   * The confusion matrix summed up per class.
   *
   * @return one summary per class, in class order
   */
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
