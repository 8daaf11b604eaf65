package org.alexnettfj.train;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.alexnettfj.weights.AlexNetSpec;
import org.alexnettfj.weights.WeightArray;

/**
 * The fine-tuning loop: epochs of SGD steps on a {@link Trainer}, validation top-1/top-5 after each, the learning
 * rate divided by 10 on a plateau ({@link LearningRateSchedule}), a checkpoint after each epoch
 * ({@link Checkpoints}), and {@link TrainingListener}s told of every step and epoch.
 *
 * <ul>
 *   <li><b>Resumable.</b> With {@link Builder#optResume} the run continues from the latest complete checkpoint:
 *       variables, momentum velocities, global step, learning rate, best and plateau count. Epoch {@code e}'s
 *       batches come from {@code BatchSource.epoch(e)}, which is deterministic, and step {@code k}'s dropout is
 *       keyed on {@code (seed, k)}, so a resumed run computes what the uninterrupted run would have, bit for bit
 *       (on the same machine and thread count). Settings that would make it a different run (classes, trained
 *       layers, seed, batch size, ... : the {@linkplain Builder#optSettings settings}) are checked first, and any
 *       difference is refused with the full list.
 *   <li><b>Divergence.</b> A NaN or infinite loss, trained variables that are no longer finite at the end of an
 *       epoch, or an epoch's training loss more than {@link Builder#optDivergenceFactor} (default
 *       {@value #DIVERGENCE_FACTOR}) times {@linkplain Trainer#guessingLoss guessing's} and above an earlier
 *       epoch's of this run stop the run with a {@link TrainingDivergedException} naming the epoch and global
 *       step; no checkpoint is written after that, so the last one is the last good one. (A learning rate ten
 *       times too high rarely overflows: the loss climbs far above guessing's and stays finite. A fresh network
 *       may start far above guessing's and then learn: an epoch better than all before it is never stopped.)
 * </ul>
 *
 * <pre>{@code
 * try (Trainer trainer = Trainer.builder().setWeights(w).optTrainLayers(Set.of("fc8")).build()) {
 *   FineTuning.Result r = FineTuning.builder().setTrainer(trainer)
 *       .setTrainData(BatchSource.of(trainPipeline)).setValidationData(BatchSource.of(valPipeline))
 *       .optEpochs(10).optCheckpoints(Checkpoints.in(Path.of("checkpoints"), 3))
 *       .optListener(myListener).build().run();
 *   System.out.println(r.bestValTop1() + " at epoch " + r.bestEpoch());
 * }
 * }</pre>
 */
public final class FineTuning {

  /** An epoch whose training loss is more than this many times guessing's stops the run as diverged. */
  public static final double DIVERGENCE_FACTOR = 10;

  private final Trainer trainer;
  private final BatchSource train;
  private final BatchSource validation;
  private final int epochs;
  private final LearningRateSchedule schedule;
  private final Checkpoints checkpoints;
  private final boolean resume;
  private final Map<String, String> settings;
  private final List<TrainingListener> listeners;
  private final double divergenceFactor;

  private FineTuning(Builder b) {
    this.trainer = b.trainer;
    this.train = b.train;
    this.validation = b.validation;
    this.epochs = b.epochs;
    this.schedule = b.schedule;
    this.checkpoints = b.checkpoints;
    this.resume = b.resume;
    this.listeners = List.copyOf(b.listeners);
    this.divergenceFactor = b.divergenceFactor;
    Map<String, String> s = new TreeMap<>(b.settings);
    s.put("classes", Integer.toString(trainer.numClasses()));
    s.put("train layers", String.join(",", AlexNetSpec.LAYER_NAMES.stream()
        .filter(trainer.trainLayers()::contains).toList()));
    s.put("keep prob", Float.toString(trainer.keepProb()));
    s.put("momentum", Float.toString(trainer.momentum()));
    s.put("weight decay", Float.toString(trainer.weightDecay()));
    s.put("seed", Long.toString(trainer.seed()));
    this.settings = s;
  }

  /**
   * Starts configuring a run.
   *
   * @return a new builder with the defaults
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * How a run ended.
   *
   * @param epochs epochs completed, over the whole run (resumed ones included)
   * @param globalStep SGD steps taken, over the whole run
   * @param trainLoss the last epoch's mean training loss (NaN if this process trained none)
   * @param validation the last validation pass: top-1, top-5, confusion matrix
   * @param bestValTop1 the best validation top-1 of the run, in {@code [0, 1]}; -1 if none
   * @param bestEpoch the epoch of the best validation top-1 (0: none)
   * @param learningRate the rate the next epoch would use
   * @param imagesPerSecond training examples per second in this process
   * @param trainImages examples trained on in this process
   * @param skipped training examples left out (unreadable) in this process
   * @param checkpoint the latest checkpoint, or null
   * @param bestCheckpoint the best epoch's checkpoint, or null
   * @param resumedFrom the checkpoint this process started from, or null
   * @param stoppedEarly why the run stopped before its last epoch (divergence), or null
   */
  public record Result(int epochs, long globalStep, double trainLoss, Validation validation, double bestValTop1,
      int bestEpoch, float learningRate, double imagesPerSecond, long trainImages, int skipped, Path checkpoint,
      Path bestCheckpoint, Path resumedFrom, String stoppedEarly) {
  }

  /**
   * The settings recorded in each checkpoint, which a resumed run must share: the builder's plus the trainer's.
   *
   * @return a new sorted map, e.g. {@code "momentum" -> "0.9"}
   */
  public Map<String, String> settings() {
    return new TreeMap<>(settings);
  }

  /**
   * Runs the epochs left: all of them, or those after the resumed checkpoint. Blocks until done, on the
   * calling thread; each epoch's batches are closed before the next.
   *
   * @return how the run ended; resumed at or past the last epoch, it only validates
   * @throws TrainingDivergedException if the loss or a trained variable stops being finite
   * @throws IllegalArgumentException if resuming from a checkpoint of other settings, or starting afresh in a
   *     checkpoint folder that holds checkpoints
   * @throws FileNotFoundException if resuming and there is no checkpoint
   * @throws IOException if a checkpoint cannot be read or written
   */
  public Result run() throws IOException {
    TrainingState state = TrainingState.start(trainer.learningRate(), trainer.seed(), settings);
    Path resumedFrom = null;
    if (resume) {
      resumedFrom = checkpoints.latest().orElseThrow(() -> new FileNotFoundException("nothing to resume: no "
          + Checkpoints.POINTER + " file in " + checkpoints.directory()));
      TrainingState saved = TrainingState.read(resumedFrom);
      List<String> differences = saved.differences(settings);
      if (!differences.isEmpty()) {
        throw new IllegalArgumentException("cannot resume from " + resumedFrom + ": it was trained with other "
            + "settings: " + String.join("; ", differences) + ". Resume with the settings of that run.");
      }
      state = trainer.restore(resumedFrom);
    } else if (checkpoints != null && !checkpoints.isEmpty()) {
      throw new IllegalArgumentException(checkpoints.directory() + " already holds checkpoints"
          + checkpoints.latest().map(p -> " (latest " + p.getFileName() + ")").orElse("")
          + ": resume from them, or clear them to start afresh");
    }
    if (state.globalStep() != trainer.steps()) {
      state = new TrainingState(state.epoch(), trainer.steps(), state.learningRate(), state.bestValTop1(),
          state.bestEpoch(), state.plateauEpochs(), state.seed(), state.config());
    }
    Path latest = resumedFrom;
    for (TrainingListener l : listeners) {
      l.onStart(new TrainingListener.Start(trainer, state.epoch() + 1, epochs, train.size(), validation.size(),
          state, resumedFrom));
    }

    boolean wantGradients = listeners.stream().anyMatch(TrainingListener::wantsGradients);
    Validation last = null;
    Trained trained = Trained.NONE;
    EpochLoss lowest = new EpochLoss(0, Double.POSITIVE_INFINITY);   // of this process's epochs
    boolean firstValidation = true;
    for (int e = state.epoch(); e < epochs; e++) {
      int epoch = e + 1;
      float rate = trainer.learningRate();
      long start = System.nanoTime();
      double lossSum = 0;
      double accuracySum = 0;
      int seen = 0;
      BatchSource.Skipped trainSkipped;
      try (BatchSource.Epoch batches = train.epoch(e)) {
        while (batches.hasNext()) {
          BatchSource.Batch b = batches.next();
          if (b.size() == 0) {
            continue;
          }
          boolean keep = wantGradients && !batches.hasNext();
          float loss;
          try {
            loss = trainer.step(b.inputs(), b.labels(), b.size(), keep);
          } catch (ArithmeticException diverged) {
            String why = "loss is " + trainer.lastLoss() + " at epoch " + epoch + ", global step " + trainer.steps()
                + " (learning rate " + LearningRateSchedule.format(rate)
                + "): training diverged; lower the learning rate";
            throw diverged(result(state, latest, last, trained.plusNanos(System.nanoTime() - start), resumedFrom,
                why));
          }
          lossSum += (double) loss * b.size();
          accuracySum += (double) trainer.lastAccuracy() * b.size();
          seen += b.size();
          double seconds = (System.nanoTime() - start) / 1e9;
          for (TrainingListener l : listeners) {
            l.onStep(new TrainingListener.Step(epoch, epochs, trainer.steps(), b.size(), seen, train.size(), loss,
                trainer.lastAccuracy(), rate, seconds > 0 ? seen / seconds : 0));
          }
        }
        trainSkipped = batches.skipped();
      }
      long epochNanos = System.nanoTime() - start;
      TrainingListener.Totals totals = new TrainingListener.Totals(seen > 0 ? lossSum / seen : Double.NaN,
          seen > 0 ? accuracySum / seen : Double.NaN, seen, epochNanos / 1e9, trainSkipped);
      trained = trained.plus(totals, epochNanos);

      List<String> bad = trainer.nonFiniteVariables();
      if (!bad.isEmpty()) {
        String why = String.join(", ", bad) + " hold NaN or infinite values after epoch " + epoch + ", global step "
            + trainer.steps() + " (learning rate " + LearningRateSchedule.format(rate)
            + "): training diverged; lower the learning rate";
        throw diverged(result(state, latest, last, trained, resumedFrom, why));
      }
      // Far above guessing and worse than before: climbing, not learning. (A fresh network may start far above
      // guessing and then learn, so an epoch that improves on every earlier one is never stopped.)
      if (totals.loss() > divergenceFactor * trainer.guessingLoss() && totals.loss() > lowest.loss()) {
        String why = String.format(Locale.ROOT, "epoch %d's training loss %.4g is more than %s times guessing's "
            + "%.4g and rising (epoch %d's: %.4g; global step %d, learning rate %s): training diverged; lower the "
            + "learning rate", epoch, totals.loss(), formatFactor(divergenceFactor), trainer.guessingLoss(),
            lowest.epoch(), lowest.loss(), trainer.steps(), LearningRateSchedule.format(rate));
        throw diverged(result(state, latest, last, trained, resumedFrom, why));
      }
      if (!(totals.loss() >= lowest.loss())) {
        lowest = new EpochLoss(epoch, totals.loss());
      }

      BatchSource.Skipped[] validationSkipped = new BatchSource.Skipped[1];
      last = validate(e, validationSkipped);
      LearningRateSchedule.Update update = schedule.afterEpoch(state, epoch, last.top1(), trainer.steps());
      state = update.state();
      trainer.setLearningRate(state.learningRate());
      Map<String, WeightArray> gradients = wantGradients ? trainer.lastGradients() : Map.of();
      for (TrainingListener l : listeners) {
        l.onEpoch(new TrainingListener.Epoch(epoch, epochs, trainer.steps(), totals, last,
            firstValidation ? validationSkipped[0] : BatchSource.Skipped.NONE, rate, update.change(), state,
            gradients, trainer));
      }
      firstValidation = false;
      if (checkpoints != null) {
        latest = checkpoints.write(trainer, state);
        for (TrainingListener l : listeners) {
          l.onCheckpoint(latest, state);
        }
      }
    }
    if (last == null) {
      // Resumed at or past the last epoch: nothing to train, but the result still says how good the model is.
      last = validate(Math.max(0, state.epoch() - 1), new BatchSource.Skipped[1]);
    }
    Result result = result(state, latest, last, trained, resumedFrom, null);
    for (TrainingListener l : listeners) {
      l.onEnd(result);
    }
    return result;
  }

  /** An epoch's mean training loss. */
  private record EpochLoss(int epoch, double loss) {
  }

  /** What this process trained, over its epochs: the counters of its {@link Result}. */
  private record Trained(double lastLoss, long images, long nanos, int skipped) {

    /** Nothing trained yet. */
    static final Trained NONE = new Trained(Double.NaN, 0, 0, 0);

    /** With one more epoch, which took {@code epochNanos}: its loss is the last. */
    Trained plus(TrainingListener.Totals epoch, long epochNanos) {
      return new Trained(epoch.loss(), images + epoch.images(), nanos + epochNanos, skipped + epoch.skipped().count());
    }

    /** With the time of an epoch cut short, whose examples do not count. */
    Trained plusNanos(long epochNanos) {
      return new Trained(lastLoss, images, nanos + epochNanos, skipped);
    }

    double imagesPerSecond() {
      return nanos > 0 ? images / (nanos / 1e9) : 0;
    }
  }

  private static String formatFactor(double factor) {
    return factor == Math.rint(factor) ? Long.toString((long) factor) : Double.toString(factor);
  }

  /** Tells the listeners how the diverged run ended; returns the exception to throw, naming the last checkpoint. */
  private TrainingDivergedException diverged(Result result) {
    for (TrainingListener l : listeners) {
      l.onEnd(result);
    }
    Path latest = result.checkpoint();
    return new TrainingDivergedException(result.stoppedEarly()
        + (latest == null ? "" : "; last good checkpoint: " + latest), result);
  }

  private Result result(TrainingState state, Path latest, Validation last, Trained trained, Path resumedFrom,
      String stoppedEarly) {
    Path best = checkpoints != null && state.hasBest() && latest != null
        ? checkpoints.prefix(state.bestEpoch()) : null;
    if (best != null && !org.alexnettfj.graph.TfCheckpoint.exists(best)) {
      best = null;
    }
    return new Result(state.epoch(), state.globalStep(), trained.lastLoss(), last, state.bestValTop1(),
        state.bestEpoch(), state.learningRate(), trained.imagesPerSecond(), trained.images(), trained.skipped(), latest,
        best, resumedFrom, stoppedEarly);
  }

  /** Top-1, top-5 and the confusion matrix over the validation set: its batches of {@code epoch}, no dropout. */
  private Validation validate(int epoch, BatchSource.Skipped[] skipped) {
    Validation.Tally tally = new Validation.Tally(trainer.numClasses());
    try (BatchSource.Epoch batches = validation.epoch(epoch)) {
      while (batches.hasNext()) {
        BatchSource.Batch b = batches.next();
        if (b.size() == 0) {
          continue;
        }
        float[][] scores = trainer.logits(b.inputs(), b.size());
        for (int i = 0; i < b.size(); i++) {
          tally.add(scores[i], b.labels()[i], b.source(i));
        }
      }
      skipped[0] = batches.skipped();
    }
    return tally.result();
  }

  /**
   * Builds a {@link FineTuning}. Required: {@link #setTrainer}, {@link #setTrainData}, {@link #setValidationData}.
   * Optional: 10 epochs, {@link LearningRateSchedule#plateau plateau} schedule with patience
   * {@value LearningRateSchedule#DEFAULT_PATIENCE}, no checkpoints, no listeners.
   */
  public static final class Builder {
    private Trainer trainer;
    private BatchSource train;
    private BatchSource validation;
    private int epochs = 10;
    private LearningRateSchedule schedule = LearningRateSchedule.plateau(LearningRateSchedule.DEFAULT_PATIENCE);
    private Checkpoints checkpoints;
    private boolean resume;
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final List<TrainingListener> listeners = new ArrayList<>();
    private double divergenceFactor = DIVERGENCE_FACTOR;

    private Builder() {
    }

    /**
     * How many times {@linkplain Trainer#guessingLoss guessing's} loss an epoch's training loss may reach before
     * the run stops as diverged (default {@value #DIVERGENCE_FACTOR}); {@code Double.POSITIVE_INFINITY} leaves
     * only the NaN and infinity checks.
     *
     * @param factor more than 1
     * @return this builder
     */
    public Builder optDivergenceFactor(double factor) {
      if (!(factor > 1)) {
        throw new IllegalArgumentException("the divergence factor must be more than 1, was " + factor);
      }
      this.divergenceFactor = factor;
      return this;
    }

    /**
     * The model to train; its learning rate is the first epoch's (unless resumed). Required.
     *
     * @param trainer the trainer, still owned (and closed) by the caller; the run changes its variables
     * @return this builder
     */
    public Builder setTrainer(Trainer trainer) {
      this.trainer = trainer;
      return this;
    }

    /**
     * The training batches, with dropout and updates; required.
     *
     * @param train a source whose epoch {@code e} is the same each time (for resuming)
     * @return this builder
     */
    public Builder setTrainData(BatchSource train) {
      this.train = train;
      return this;
    }

    /**
     * The batches scored after each epoch for top-1, top-5 and the confusion matrix; required.
     *
     * @param validation a source; its unreadable images are reported with the first epoch only
     * @return this builder
     */
    public Builder setValidationData(BatchSource validation) {
      this.validation = validation;
      return this;
    }

    /**
     * The last epoch, counted from 1: a resumed run trains the epochs after its checkpoint up to this one.
     *
     * @param epochs at least 1 (default 10)
     * @return this builder
     */
    public Builder optEpochs(int epochs) {
      this.epochs = epochs;
      return this;
    }

    /**
     * How the learning rate changes after each epoch.
     *
     * @param schedule not null (default {@link LearningRateSchedule#plateau plateau} with patience
     *     {@value LearningRateSchedule#DEFAULT_PATIENCE})
     * @return this builder
     */
    public Builder optSchedule(LearningRateSchedule schedule) {
      this.schedule = Objects.requireNonNull(schedule, "schedule");
      return this;
    }

    /**
     * Where each epoch's checkpoint goes. Without resuming, the folder must hold no checkpoints.
     *
     * @param checkpoints the checkpoint folder, or null (default) for none
     * @return this builder
     */
    public Builder optCheckpoints(Checkpoints checkpoints) {
      this.checkpoints = checkpoints;
      return this;
    }

    /**
     * Whether to continue from the latest checkpoint of {@link #optCheckpoints} (there must be one).
     *
     * @param resume true to resume (default false: start afresh)
     * @return this builder
     */
    public Builder optResume(boolean resume) {
      this.resume = resume;
      return this;
    }

    /**
     * Settings of the data side that a resumed run must share, e.g. {@code "batch size" -> "128"}, the class
     * names, the augmentation. The trainer's (classes, trained layers, keepProb, momentum, weight decay, seed) are
     * added; all go into every checkpoint ({@code train/state/config}).
     *
     * @param settings keys and values without newlines (a key has no {@code =}); added to those given before
     * @return this builder
     */
    public Builder optSettings(Map<String, String> settings) {
      this.settings.putAll(settings);
      return this;
    }

    /**
     * Adds a listener, told of every step, epoch and checkpoint on the thread running {@link FineTuning#run()}.
     *
     * @param listener not null; listeners are called in the order added
     * @return this builder
     */
    public Builder optListener(TrainingListener listener) {
      this.listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Checks the settings.
     *
     * @return the run, ready to {@link FineTuning#run()}
     * @throws NullPointerException if the trainer or either data source is missing
     * @throws IllegalArgumentException if epochs is below 1, or resuming without checkpoints
     */
    public FineTuning build() {
      Objects.requireNonNull(trainer, "setTrainer is required");
      Objects.requireNonNull(train, "setTrainData is required");
      Objects.requireNonNull(validation, "setValidationData is required");
      if (epochs < 1) {
        throw new IllegalArgumentException("epochs must be at least 1, was " + epochs);
      }
      if (resume && checkpoints == null) {
        throw new IllegalArgumentException("resuming needs the checkpoint folder (optCheckpoints)");
      }
      return new FineTuning(this);
    }
  }
}
