package org.alexnettfj.train;

import java.util.Locale;

/**
 * When fine-tuning divides the learning rate by 10: the paper's rule, "when the validation error rate stopped
 * improving" ({@link #plateau}), or every so many epochs ({@link #step}), or never ({@link #constant}).
 *
 * <p>After each epoch {@link #afterEpoch} also keeps the best validation top-1 and its epoch: the run's best
 * checkpoint, and the plateau count. "Improved" means strictly higher than the best so far. On a plateau, the
 * count restarts after each drop, so the next drop needs another {@code patience} epochs without improvement.
 *
 * <pre>{@code
 * LearningRateSchedule s = LearningRateSchedule.plateau(3);
 * LearningRateSchedule.Update u = s.afterEpoch(state, 4, 0.82, trainer.steps());
 * if (u.change() != null) System.out.println(u.change());   // learning rate 0.01 -> 0.001: ...
 * }</pre>
 *
 * @param patience epochs without improvement of validation top-1 before a drop; 0 for none
 * @param stepEpochs drop after every {@code stepEpochs} epochs; 0 for none
 * @param factor what a drop multiplies the rate by, in (0, 1)
 */
public record LearningRateSchedule(int patience, int stepEpochs, float factor) {

  /** Epochs without improvement before the rate is divided by 10, unless told otherwise. */
  public static final int DEFAULT_PATIENCE = 3;

  /**
   * Checks the settings.
   *
   * @param patience epochs without improvement before a drop; 0 for none
   * @param stepEpochs drop after every {@code stepEpochs} epochs; 0 for none
   * @param factor what a drop multiplies the rate by
   * @throws IllegalArgumentException if a count is negative, both are set, or {@code factor} is not in (0, 1)
   */
  public LearningRateSchedule {
    if (patience < 0 || stepEpochs < 0) {
      throw new IllegalArgumentException("patience and stepEpochs must be >= 0, were " + patience + ", "
          + stepEpochs);
    }
    if (patience > 0 && stepEpochs > 0) {
      throw new IllegalArgumentException("a schedule drops on a plateau or every stepEpochs epochs, not both");
    }
    if (!(factor > 0 && factor < 1)) {
      throw new IllegalArgumentException("factor must be in (0, 1), was " + factor);
    }
  }

  /**
   * Divide by 10 after {@code patience} epochs without a better validation top-1.
   *
   * @param patience epochs, {@code >= 0}; 0 never drops
   * @return the schedule
   */
  public static LearningRateSchedule plateau(int patience) {
    return new LearningRateSchedule(patience, 0, 0.1f);
  }

  /**
   * Divide by 10 after every {@code epochs} epochs, whatever validation says.
   *
   * @param epochs at least 1
   * @return the schedule
   * @throws IllegalArgumentException if {@code epochs} is below 1
   */
  public static LearningRateSchedule step(int epochs) {
    if (epochs < 1) {
      throw new IllegalArgumentException("a step schedule needs a step of at least 1 epoch, was " + epochs);
    }
    return new LearningRateSchedule(0, epochs, 0.1f);
  }

  /**
   * The learning rate never changes; the best epoch is still tracked.
   *
   * @return the schedule
   */
  public static LearningRateSchedule constant() {
    return new LearningRateSchedule(0, 0, 0.1f);
  }

  /**
   * The state after an epoch, and why the rate changed.
   *
   * @param state the new state: epoch, step, next learning rate, best and plateau count
   * @param change a message such as {@code learning rate 0.01 -> 0.001: ...}, or {@code null} when the rate did not
   *     change
   */
  public record Update(TrainingState state, String change) {
  }

  /**
   * The state after epoch {@code epoch} (counted from 1) ended with validation top-1 {@code valTop1} at step
   * {@code globalStep}: best, plateau count and the learning rate of the next epoch.
   *
   * @param before the state after the previous epoch (or {@link TrainingState#start})
   * @param epoch the epoch just ended, counted from 1
   * @param valTop1 its validation top-1, in {@code [0, 1]}
   * @param globalStep the global step at its end
   * @return the new state, seed and config carried over, and the change of rate if any
   */
  public Update afterEpoch(TrainingState before, int epoch, double valTop1, long globalStep) {
    boolean improved = valTop1 > before.bestValTop1();
    double best = improved ? valTop1 : before.bestValTop1();
    int bestEpoch = improved ? epoch : before.bestEpoch();
    int plateau = improved ? 0 : before.plateauEpochs() + 1;
    float rate = before.learningRate();
    String change = null;
    if (stepEpochs > 0 && epoch % stepEpochs == 0) {
      rate = before.learningRate() * factor;
      change = String.format(Locale.ROOT, "learning rate %s -> %s: step schedule, every %d epochs",
          format(before.learningRate()), format(rate), stepEpochs);
    } else if (patience > 0 && plateau >= patience) {
      rate = before.learningRate() * factor;
      change = String.format(Locale.ROOT, "learning rate %s -> %s: validation top-1 has not improved for %d "
          + "epoch%s (best %.3f at epoch %d)", format(before.learningRate()), format(rate), plateau,
          plateau == 1 ? "" : "s", best, bestEpoch);
      plateau = 0;
    }
    return new Update(new TrainingState(epoch, globalStep, rate, best, bestEpoch, plateau, before.seed(),
        before.config()), change);
  }

  /**
   * A rate as a person writes it, to 6 significant digits: {@code 0.0001}, not the float's {@code 1.00000005E-4}
   * (0.01 divided by 10 twice in float arithmetic); {@code 1E-7} below 0.0001, {@code 1E+30} from a million.
   *
   * @param rate any float; NaN, infinities and 0 as {@link Float#toString(float)} writes them
   * @return the text
   */
  public static String format(float rate) {
    if (!Float.isFinite(rate) || rate == 0) {
      return Float.toString(rate);
    }
    java.math.BigDecimal d = new java.math.BigDecimal(rate).round(new java.math.MathContext(6)).stripTrailingZeros();
    return Math.abs(rate) >= 1e-4 && Math.abs(rate) < 1e6 ? d.toPlainString() : d.toString();
  }

  /**
   * How a user would say it.
   *
   * @return e.g. {@code x0.1 after 3 epochs without improvement}, {@code x0.1 every 10 epochs} or {@code constant}
   */
  @Override
  public String toString() {
    if (stepEpochs > 0) {
      return "x" + factor + " every " + stepEpochs + " epochs";
    }
    return patience > 0 ? "x" + factor + " after " + patience + " epochs without improvement" : "constant";
  }
}
