package org.alexnettfj.train;

/**
 * A fine-tuning run stopped because the loss, or a trained variable, stopped being finite. The message names the
 * epoch, the global step and the last good checkpoint; {@link #result()} is the run up to there, with
 * {@link FineTuning.Result#stoppedEarly()} set.
 */
public final class TrainingDivergedException extends ArithmeticException {

  private static final long serialVersionUID = 1L;

  private final transient FineTuning.Result result;

  public TrainingDivergedException(String message, FineTuning.Result result) {
    super(message);
    this.result = result;
  }

  public FineTuning.Result result() {
    return result;
  }
}
