package org.alexnettfj.train;

/**
 * Thrown by {@link FineTuning#run()} when the loss, or a trained variable, stops being finite. The message names the
 * epoch, the global step and the last good checkpoint; {@link #result()} is the run up to there, with
 * {@link FineTuning.Result#stoppedEarly()} set.
 */
public final class TrainingDivergedException extends ArithmeticException {

  private static final long serialVersionUID = 1L;

  private final transient FineTuning.Result result;

  /**
   * Makes the exception.
   *
   * @param message names the epoch, global step, learning rate and last good checkpoint
   * @param result the run up to the divergence
   */
  public TrainingDivergedException(String message, FineTuning.Result result) {
    super(message);
    this.result = result;
  }

  /**
   * The run up to where it stopped; its {@link FineTuning.Result#checkpoint()} is the last good checkpoint. Not
   * serialized: null in a deserialized exception.
   *
   * @return the result, with {@link FineTuning.Result#stoppedEarly()} set
   */
  public FineTuning.Result result() {
    return result;
  }
}
