package org.alexnettfj.train;

import java.nio.file.Path;
import java.util.Map;
import org.alexnettfj.weights.WeightArray;

/**
 * What a {@link FineTuning} run reports, as it happens: a console, a progress bar, TensorBoard event files and
 * tests plug in here. Every method has an empty default; events come on the training thread, in order, and a
 * listener that throws stops the run.
 *
 * <p>Epochs are counted from 1 in events (epoch 1 is the first), as they are printed.
 *
 * <pre>{@code
 * FineTuning.builder()...optListener(new TrainingListener() {
 *   public void onEpoch(TrainingListener.Epoch e) {
 *     System.out.printf("epoch %d: val top-1 %.3f%n", e.epoch(), e.validation().top1());
 *   }
 * }).build().run();
 * }</pre>
 */
public interface TrainingListener {

  /**
   * What {@link #onStart} is told, before the first step.
   *
   * @param trainer the model being trained: {@link Trainer#graphDef()} for a graph view
   * @param firstEpoch the epoch this run starts with (greater than 1 when resumed)
   * @param epochs the last epoch
   * @param trainSize examples in a training epoch ({@link BatchSource#size()})
   * @param validationSize examples in the validation set
   * @param state where the run stands: {@link TrainingState#globalStep()}, learning rate, best so far
   * @param resumedFrom the checkpoint it was resumed from, or null
   */
  record Start(Trainer trainer, int firstEpoch, int epochs, int trainSize, int validationSize, TrainingState state,
      Path resumedFrom) {
  }

  /**
   * What {@link #onStep} is told after each SGD step.
   *
   * @param epoch the epoch being trained, from 1
   * @param epochs the last epoch
   * @param globalStep steps taken over the whole run, this one included
   * @param batchSize examples in this step's batch
   * @param imagesDone examples trained on in this epoch so far (of about {@code imagesInEpoch})
   * @param imagesInEpoch examples in a training epoch, unreadable ones included
   * @param loss the batch's cross-entropy before the update (without the weight decay term)
   * @param batchAccuracy share of the batch whose fc8 argmax (with dropout) was right
   * @param learningRate the rate of this step
   * @param imagesPerSecond examples per second over the epoch so far, waiting for data included
   */
  record Step(int epoch, int epochs, long globalStep, int batchSize, int imagesDone, int imagesInEpoch, float loss,
      float batchAccuracy, float learningRate, double imagesPerSecond) {
  }

  /**
   * An epoch's training pass, without its validation: the numbers {@link Epoch#train()} gives.
   *
   * @param loss mean batch loss over the epoch, weighted by batch size; NaN if it trained on nothing
   * @param accuracy mean batch accuracy (with dropout), weighted likewise; NaN if it trained on nothing
   * @param images examples trained on
   * @param seconds the training time, waiting for data included
   * @param skipped examples left out (unreadable)
   */
  record Totals(double loss, double accuracy, int images, double seconds, BatchSource.Skipped skipped) {

    /**
     * Training examples per second over the epoch, waiting for data included.
     *
     * @return {@code images / seconds}, or 0 if no time was measured
     */
    public double imagesPerSecond() {
      return seconds > 0 ? images / seconds : 0;
    }
  }

  /**
   * What {@link #onEpoch} is told after an epoch's training and validation, before its checkpoint is written.
   *
   * @param epoch the epoch just ended, from 1
   * @param epochs the last epoch
   * @param globalStep steps taken over the whole run
   * @param train the epoch's training pass: loss, accuracy, examples, time, examples left out
   * @param validation the epoch's validation pass
   * @param validationSkipped validation examples left out; reported with the run's first validation only, else
   *     {@link BatchSource.Skipped#NONE}
   * @param learningRate the rate the epoch trained with
   * @param learningRateChange why the next epoch's rate differs ("learning rate 0.01 -> 0.001: ..."), or null
   * @param state the state the checkpoint will hold: best so far, plateau count, the next epoch's rate
   * @param gradients the last step's gradients by trained variable, if a listener {@link #wantsGradients()}; else
   *     empty
   * @param trainer the model after the epoch: {@link Trainer#parameter} gives a variable's values
   */
  record Epoch(int epoch, int epochs, long globalStep, Totals train, Validation validation,
      BatchSource.Skipped validationSkipped, float learningRate, String learningRateChange, TrainingState state,
      Map<String, WeightArray> gradients, Trainer trainer) {

    /**
     * The mean batch loss over the epoch, weighted by batch size.
     *
     * @return {@code train().loss()}
     */
    public double trainLoss() {
      return train.loss();
    }

    /**
     * The mean batch accuracy (with dropout), weighted by batch size.
     *
     * @return {@code train().accuracy()}
     */
    public double trainAccuracy() {
      return train.accuracy();
    }

    /**
     * The examples trained on in the epoch.
     *
     * @return {@code train().images()}
     */
    public int trainImages() {
      return train.images();
    }

    /**
     * Training examples per second over the epoch, waiting for data included.
     *
     * @return {@code train().imagesPerSecond()}
     */
    public double imagesPerSecond() {
      return train.imagesPerSecond();
    }

    /**
     * The epoch's training time, without validation.
     *
     * @return {@code train().seconds()}
     */
    public double seconds() {
      return train.seconds();
    }

    /**
     * The training examples the epoch left out (unreadable).
     *
     * @return {@code train().skipped()}
     */
    public BatchSource.Skipped trainSkipped() {
      return train.skipped();
    }

    /**
     * The rate of the next epoch: {@link #learningRate()}, or what the schedule changed it to.
     *
     * @return {@code state().learningRate()}
     */
    public float nextLearningRate() {
      return state.learningRate();
    }

    /**
     * The value of a variable after this epoch, read from the trainer now (call it within {@code onEpoch}).
     *
     * @param name the variable, e.g. {@code fc8/weights}
     * @return a copy in AlexNet's layout
     * @throws IllegalArgumentException if the network has no such variable
     */
    public WeightArray parameter(String name) {
      return trainer.parameter(name);
    }
  }

  /**
   * Called once, before the first step (also when resumed with no epoch left).
   *
   * @param start the run's size and starting point
   */
  default void onStart(Start start) {
  }

  /**
   * Called after each SGD step; keep it cheap, it runs between steps.
   *
   * @param step the step's loss, accuracy and progress
   */
  default void onStep(Step step) {
  }

  /**
   * Called after each epoch's training and validation.
   *
   * @param epoch the epoch's numbers
   */
  default void onEpoch(Epoch epoch) {
  }

  /**
   * After checkpoint {@code prefix} (epoch {@code state.epoch()}) is complete and named in the pointer file.
   *
   * @param prefix the checkpoint's prefix, e.g. {@code checkpoints/ckpt-3}
   * @param state the state it holds
   */
  default void onCheckpoint(Path prefix, TrainingState state) {
  }

  /**
   * When the run ends, normally or stopped early ({@link FineTuning.Result#stoppedEarly()}); on divergence, before
   * the {@link TrainingDivergedException} is thrown.
   *
   * @param result how the run ended
   */
  default void onEnd(FineTuning.Result result) {
  }

  /**
   * Whether {@link Epoch#gradients()} should be filled: it costs a copy of each trained gradient per epoch.
   *
   * @return false by default
   */
  default boolean wantsGradients() {
    return false;
  }
}
