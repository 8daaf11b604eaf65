package org.alexnettfj.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.alexnettfj.command.UsageError;
import org.alexnettfj.data.PreprocessConfig;
import org.alexnettfj.data.train.Dataset;
import org.alexnettfj.pictures.LearningRatePlot;
import org.alexnettfj.train.BatchSource;
import org.alexnettfj.train.FeatureCache;
import org.alexnettfj.train.Trainer;
import org.alexnettfj.weights.AlexNetWeights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code alexnet lr-find}: the learning-rate range test. From pool5 features cached once, it trains the fc layers
 * for {@code --steps} SGD steps while the rate grows exponentially from {@code --min-lr} to {@code --max-lr}, and
 * records the loss: too small a rate leaves it flat, a good one makes it fall fastest, too large a one makes it
 * blow up (the sweep stops there). The suggestion is the rate where the smoothed loss falls steepest before its
 * minimum. Nothing is saved: no checkpoints, no model.
 */
@Command(name = "lr-find", mixinStandardHelpOptions = true,
    description = "Sweep the learning rate exponentially over SGD steps of the fc layers on cached pool5 features "
        + "and print the loss at each rate (--json, --plot lr.svg) and a suggested rate: where the smoothed loss "
        + "falls steepest before its minimum. Writes no checkpoints.")
final class LrFindCommand implements Callable<Integer> {

  private static final PreprocessConfig PREPROCESS = PreprocessConfig.builder()
      .geometry(PreprocessConfig.Geometry.RESIZE_SQUARE_THEN_CENTER_CROP).build();
  /** Exponential smoothing of the loss, bias-corrected (as fastai's finder does). */
  private static final double BETA = 0.9;
  /** The sweep stops once the smoothed loss is this many times its lowest. */
  private static final double BLOW_UP = 4;

  @Spec
  CommandSpec spec;

  @Option(names = "--train", required = true, paramLabel = "DIR|LIST|ARCHIVE",
      description = "Training images: class folders, a list file (path label per line), or a zip/tar(.gz).")
  Path train;

  @Option(names = "--weights", paramLabel = "FILE", defaultValue = "weights/bvlc_alexnet.npy",
      description = SharedOptions.WEIGHTS + " The sweep starts from them; if the file is missing, every layer"
          + " starts fresh. Default: ${DEFAULT-VALUE}")
  Path weights;

  @Option(names = "--train-layers", paramLabel = "LAYERS", split = ",", defaultValue = "fc8",
      description = "The fc layers to train in the sweep (within fc6,fc7,fc8). Default: fc8.")
  List<String> trainLayers;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32",
      description = SharedOptions.BATCH_SIZE + " Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(names = "--steps", paramLabel = "N", defaultValue = "100", description = "Default: ${DEFAULT-VALUE}.")
  int steps;

  @Option(names = "--min-lr", paramLabel = "RATE", defaultValue = "1e-7", description = "Default: ${DEFAULT-VALUE}.")
  double minLr;

  @Option(names = "--max-lr", paramLabel = "RATE", defaultValue = "10", description = "Default: ${DEFAULT-VALUE}.")
  double maxLr;

  @Option(names = "--keep-prob", paramLabel = "P", defaultValue = "0.5",
      description = "Dropout's keep probability, as finetune trains. Default: ${DEFAULT-VALUE}.")
  float keepProb;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Default: ${DEFAULT-VALUE}.")
  long seed;

  @Mixin
  SharedOptions.Threads threads;

  @Option(names = "--plot", paramLabel = "FILE.svg", description = "Also draw loss against rate as an SVG file.")
  Path plot;

  @Option(names = "--json", description = SharedOptions.JSON + " One object, instead of the table.")
  boolean json;

  /** The sweep: each step's rate and loss, the smoothed loss, and the suggestion. */
  record Sweep(double[] rates, double[] loss, double[] smoothed, double suggested, String stoppedBecause) {
  }

  @Override
  public Integer call() throws Exception {
    if (steps < 5 || batchSize < 1) {
      throw new UsageError("--steps must be at least 5 and --batch-size at least 1");
    }
    if (!(minLr > 0) || !(maxLr > minLr)) {
      throw new UsageError("need 0 < --min-lr < --max-lr, got " + minLr + " and " + maxLr);
    }
    if (!Trainer.CLASSIFIER_LAYERS.containsAll(trainLayers) || !trainLayers.contains("fc8")) {
      throw new UsageError("--train-layers must be within fc6,fc7,fc8 and include fc8, was "
          + String.join(",", trainLayers));
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (Dataset data = Datasets.open("--train", train)) {
      List<String> classes = data.classNames();
      if (classes.size() < 2 || data.size() == 0) {
        throw new IllegalArgumentException("--train " + train + ": needs images of at least 2 classes");
      }
      Set<String> layers = new LinkedHashSet<>(trainLayers);
      AlexNetWeights pretrained = null;
      if (Files.exists(weights)) {
        pretrained = AlexNetWeights.load(weights, layers, classes.size());
      } else {
        err.println("alexnet lr-find: no weights at " + weights + "; every layer starts fresh");
      }
      FeatureCache.Builder cb = FeatureCache.builder().setDataset(data).optPreprocess(PREPROCESS)
          .optBatchSize(batchSize).optSeed(seed).optIntraOpThreads(threads.count());
      Trainer.Builder tb = Trainer.builder().optTrainLayers(layers).optKeepProb(keepProb).optSeed(seed)
          .optIntraOpThreads(threads.count()).optInput(Trainer.Input.POOL5);
      if (pretrained != null) {
        cb.setWeights(pretrained);
        tb.setWeights(pretrained);
      } else {
        cb.setFreshInit();
        tb.setFreshInit().optNumClasses(classes.size());
      }
      FeatureCache cache;
      try (Progress progress = Progress.items("pool5 features")) {
        cache = cb.optProgress(progress).build();
      }
      try (cache; Trainer trainer = tb.build()) {
        if (cache.report().skippedCount() > 0) {
          err.println("alexnet lr-find: " + cache.report().skippedCount() + " unreadable images left out");
        }
        Sweep sweep = sweep(trainer, BatchSource.of(cache));
        if (plot != null) {
          LearningRatePlot.write(plot, sweep.rates(), sweep.loss(), sweep.smoothed(), sweep.suggested());
        }
        if (json) {
          printJson(out, sweep);
        } else {
          printTable(out, sweep);
        }
        if (plot != null) {
          err.println("alexnet lr-find: wrote " + plot);
        }
        out.flush();
        err.flush();
        return cache.report().skippedCount() > 0 ? AlexNetCli.EXIT_SOME_INPUTS_FAILED : 0;
      }
    }
  }

  /** SGD steps at rates growing from --min-lr to --max-lr, epochs of the cache one after another. */
  Sweep sweep(Trainer trainer, BatchSource batches) {
    double[] rates = new double[steps];
    double[] loss = new double[steps];
    double[] smoothed = new double[steps];
    double avg = 0;
    double best = Double.POSITIVE_INFINITY;
    int done = 0;
    String stopped = "reached --max-lr";
    int epoch = 0;
    Iterator<BatchSource.Batch> it = batches.epoch(epoch);
    for (int k = 0; k < steps; k++) {
      if (!it.hasNext()) {
        it = batches.epoch(++epoch);
      }
      BatchSource.Batch b = it.next();
      double rate = minLr * Math.pow(maxLr / minLr, (double) k / (steps - 1));
      trainer.setLearningRate((float) rate);
      float l = trainer.step(b.inputs(), b.labels(), b.size());
      rates[k] = rate;
      loss[k] = l;
      done = k + 1;
      if (!Float.isFinite(l)) {
        smoothed[k] = Double.NaN;
        stopped = "the loss is " + l + " at rate " + fmt(rate);
        break;
      }
      avg = BETA * avg + (1 - BETA) * l;
      smoothed[k] = avg / (1 - Math.pow(BETA, k + 1));
      best = Math.min(best, smoothed[k]);
      if (k >= 10 && smoothed[k] > BLOW_UP * best) {
        stopped = "the loss passed " + (int) BLOW_UP + "x its lowest at rate " + fmt(rate);
        break;
      }
    }
    rates = java.util.Arrays.copyOf(rates, done);
    loss = java.util.Arrays.copyOf(loss, done);
    smoothed = java.util.Arrays.copyOf(smoothed, done);
    return new Sweep(rates, loss, smoothed, suggest(rates, smoothed), stopped);
  }

  /** Steps skipped at the start, where the smoothing has seen too few losses to mean much. */
  private static final int WARM_UP = 10;
  /** The slope at a step is taken over this many steps each side, so one noisy batch does not decide it. */
  private static final int WINDOW = 5;

  /**
   * The rate where the smoothed loss falls fastest against log(rate), after the first {@value #WARM_UP} steps and
   * before the minimum; NaN when it never falls there.
   */
  static double suggest(double[] rates, double[] smoothed) {
    int min = 0;
    for (int i = 0; i < smoothed.length; i++) {
      if (Double.isFinite(smoothed[i]) && smoothed[i] < smoothed[min]) {
        min = i;
      }
    }
    double steepest = 0;
    int at = -1;
    for (int i = Math.min(WARM_UP, smoothed.length - 1); i <= min; i++) {
      int lo = Math.max(0, i - WINDOW);
      int hi = Math.min(smoothed.length - 1, i + WINDOW);
      if (hi == lo || !Double.isFinite(smoothed[hi]) || !Double.isFinite(smoothed[lo])) {
        continue;
      }
      double slope = (smoothed[hi] - smoothed[lo]) / (Math.log(rates[hi]) - Math.log(rates[lo]));
      if (slope < steepest) {
        steepest = slope;
        at = i;
      }
    }
    return at < 0 ? Double.NaN : rates[at];
  }

  private void printTable(PrintWriter out, Sweep s) {
    out.printf(Locale.ROOT, "%12s  %10s  %10s%n", "rate", "loss", "smoothed");
    for (int i = 0; i < s.rates().length; i++) {
      out.printf(Locale.ROOT, "%12s  %10.4f  %10.4f%n", fmt(s.rates()[i]), s.loss()[i], s.smoothed()[i]);
    }
    out.println("stopped: " + s.stoppedBecause());
    out.println(Double.isFinite(s.suggested()) ? "suggested learning rate: " + fmt(s.suggested())
        + " (where the smoothed loss falls fastest); finetune --learning-rate " + fmt(s.suggested())
        : "no suggestion: the loss never fell (widen --min-lr/--max-lr, or more --steps)");
  }

  private void printJson(PrintWriter out, Sweep s) throws java.io.IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("suggested", Double.isFinite(s.suggested()) ? s.suggested() : null);
    m.put("stopped", s.stoppedBecause());
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < s.rates().length; i++) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("rate", s.rates()[i]);
      r.put("loss", Double.isFinite(s.loss()[i]) ? s.loss()[i] : null);
      r.put("smoothed", Double.isFinite(s.smoothed()[i]) ? s.smoothed()[i] : null);
      rows.add(r);
    }
    m.put("steps", rows);
    out.println(Json.of(m));
  }

  private static String fmt(double rate) {
    return String.format(Locale.ROOT, "%.3g", rate);
  }
}
