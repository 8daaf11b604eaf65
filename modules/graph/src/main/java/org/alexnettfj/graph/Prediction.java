package org.alexnettfj.graph;

import java.util.ArrayList;
import java.util.List;

/**
 * The top classes for one input, most probable first.
 *
 * @param input the image path (or {@code batch.npy[3]} for a preprocessed tensor)
 * @param top the classes, most probable first; unmodifiable
 */
public record Prediction(String input, List<ClassScore> top) {

  /**
   * A prediction of these classes, copied.
   *
   * @param input the image path, or a name for a preprocessed input
   * @param top the classes, most probable first
   */
  public Prediction {
    top = List.copyOf(top);
  }

  /**
   * One class: its output index, its name, and its softmax probability.
   *
   * @param index fc8's unit
   * @param label the class's name
   * @param probability in [0, 1]
   */
  public record ClassScore(int index, String label, float probability) { }

  /** The {@code k} most probable classes of one probability row; ties keep the lower index first. */
  static Prediction topK(String input, float[] probabilities, int k, Labels labels) {
    int n = Math.min(k, probabilities.length);
    List<ClassScore> top = new ArrayList<>(n);
    boolean[] taken = new boolean[probabilities.length];
    for (int rank = 0; rank < n; rank++) {
      int best = -1;
      for (int i = 0; i < probabilities.length; i++) {
        if (!taken[i] && (best < 0 || probabilities[i] > probabilities[best])) {
          best = i;
        }
      }
      taken[best] = true;
      top.add(new ClassScore(best, labels.name(best), probabilities[best]));
    }
    return new Prediction(input, top);
  }
}
