package org.alexnettfj.cli;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.alexnettfj.command.UsageError;
import org.alexnettfj.data.PreprocessConfig;
import org.alexnettfj.data.train.Augmentation;
import org.alexnettfj.data.train.BatchPipeline;
import org.alexnettfj.data.train.Dataset;
import org.alexnettfj.graph.FreshInit;
import org.alexnettfj.graph.Labels;
import org.alexnettfj.graph.Precision;
import org.alexnettfj.train.BatchSource;
import org.alexnettfj.train.ClassMetrics;
import org.alexnettfj.train.Checkpoints;
import org.alexnettfj.train.FeatureCache;
import org.alexnettfj.train.FineTuning;
import org.alexnettfj.train.LearningRateSchedule;
import org.alexnettfj.train.TfJpegDecoder;
import org.alexnettfj.train.Trainer;
import org.alexnettfj.train.TrainingDivergedException;
import org.alexnettfj.train.TrainingListener;
import org.alexnettfj.train.TrainingState;
import org.alexnettfj.train.Validation;
import org.alexnettfj.train.tensorboard.TensorBoardListener;
import org.alexnettfj.weights.AlexNetSpec;
import org.alexnettfj.weights.AlexNetWeights;
import org.alexnettfj.weights.NpzWriter;
import org.alexnettfj.weights.PartialWrite;
import org.alexnettfj.weights.WeightArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code alexnet finetune}: the classic finetune.py as a command. Loads the pretrained weights with the trained
 * layers skipped (initialised fresh, as finetune.py's {@code skip_layer = train_layers}), trains those layers with
 * SGD and momentum ({@link FineTuning}), and reports validation accuracy after every epoch. Each epoch ends with a
 * checkpoint that {@code --resume} continues from; the learning rate drops tenfold on a validation plateau.
 *
 * <p>Both splits are resized to 256x256; training takes random 227 crops, flips and PCA lighting
 * ({@link Augmentation#PAPER}, off with {@code --no-augment}), validation the centre crop. Without a weight file
 * every layer is freshly initialised and the frozen ones stay random: a smoke test of the loop, not transfer.
 */
@Command(name = "finetune", mixinStandardHelpOptions = true, exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:every input was read", "1:bad input; nothing (more) was written",
        "2:a usage error (an unknown option, a missing value, a value the option cannot take)",
        "3:some inputs could not be read (each named on stderr); the others were processed and written"},
    description = "Fine-tune AlexNet's last layers on a folder (or list file, or archive) of labelled images. Each "
        + "epoch ends with validation top-1/top-5 and a checkpoint; a NaN or infinite loss, or an epoch's loss more "
        + "than 10 times guessing's (ln of the class count) and rising, stops the run (exit 1) naming the epoch and "
        + "step, keeping the last good checkpoint.")
final class FinetuneCommand implements Callable<Integer> {

  private static final PreprocessConfig PREPROCESS = PreprocessConfig.builder()
      .geometry(PreprocessConfig.Geometry.RESIZE_SQUARE_THEN_CENTER_CROP).build();

  @Spec
  CommandSpec spec;

  @Option(names = "--train", paramLabel = "DIR|LIST|ARCHIVE",
      description = "Training images: class folders, a list file (path label per line), or a zip/tar(.gz) of either.")
  Path train;

  @Option(names = "--features", paramLabel = "PARQUET",
      description = "Instead of --train: pool5 rows that alexnet-spark features --layer pool5 wrote for a folder of "
          + "class folders (the label column). fc6-fc8 train from them as --cache-features would from the images; "
          + "give --weights the file they were extracted with (its conv layers are saved by --out).")
  Path features;

  @Option(names = "--val-features", paramLabel = "PARQUET",
      description = "With --features: validation pool5 rows (default: --val-split of --features).")
  Path valFeatures;

  @Option(names = "--val", paramLabel = "DIR|LIST|ARCHIVE",
      description = "Validation images, with the same classes as --train. Default: --val-split of --train.")
  Path val;

  @Option(names = "--val-split", paramLabel = "FRACTION",
      description = "Without --val: hold out this fraction of each class of --train (default 0.2).")
  Double valSplit;

  @Option(names = "--weights", paramLabel = "FILE", defaultValue = "weights/bvlc_alexnet.npy",
      description = SharedOptions.WEIGHTS + " Training starts from them; if the file is missing, every layer"
          + " starts fresh. Default: ${DEFAULT-VALUE}")
  Path weights;

  @Option(names = "--train-layers", paramLabel = "LAYERS", split = ",", defaultValue = "fc8",
      description = "Layers to train, fresh from initialisation; the rest are loaded and frozen. Default: fc8.")
  List<String> trainLayers;

  @Option(names = "--epochs", paramLabel = "N", defaultValue = "10", description = "Default: ${DEFAULT-VALUE}.")
  int epochs;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "128",
      description = SharedOptions.BATCH_SIZE + " Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(names = "--learning-rate", paramLabel = "RATE", defaultValue = "0.01",
      description = "SGD learning rate, momentum 0.9. Default: ${DEFAULT-VALUE}.")
  float learningRate;

  @Option(names = "--keep-prob", paramLabel = "P", defaultValue = "0.5",
      description = "Dropout's keep probability after fc6 and fc7 while training; 1 turns dropout off. "
          + "Default: ${DEFAULT-VALUE}.")
  float keepProb;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
      description = "Seeds fresh layers, dropout, shuffling, augmentation and --val-split. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--no-augment", description = "Train on centre crops, without random crops, flips or lighting.")
  boolean noAugment;

  @Mixin
  SharedOptions.Strict strict;

  @Mixin
  SharedOptions.Threads threads;

  @Option(names = "--precision", paramLabel = "fp32|bf16", defaultValue = "fp32",
      converter = ModelOptions.PrecisionConverter.class,
      description = "Arithmetic of the forward and backward passes: fp32 (default, exact) or bf16 (faster, "
          + "approximate: oneDNN's bfloat16 kernels on cores with avx512_bf16 or AMX, refused elsewhere; the "
          + "weights and their updates stay fp32). See docs/building.md, Speed.")
  Precision precision;

  @Mixin
  SharedOptions.Device device;

  @Option(names = "--workers", paramLabel = "N",
      description = "Threads decoding and augmenting images (default: one per core, at most 4, when training on "
          + "the CPU, whose cores TensorFlow needs too; every core when training on a GPU).")
  Integer workers;

  @Option(names = "--exact-decode",
      description = "Decode every training JPEG in full with the JDK's reader, as predict does. By default a photo "
          + "of 512+ pixels a side is decoded at 1/2, 1/4 or 1/8 by TensorFlow's libjpeg-turbo (DCT scaling: "
          + "several times faster, and smoother than resizing the full decode). Validation is always exact.")
  boolean exactDecode;

  @Option(names = "--out", paramLabel = "MODEL.npz",
      description = "Save every layer's weights after the last epoch as .npz, and the class names beside it as "
          + "MODEL.classes.txt. (The best epoch's: 'alexnet convert' its checkpoint, named at the end.)")
  Path out;

  @Option(names = "--checkpoint-dir", paramLabel = "DIR",
      description = "Where each epoch's checkpoint goes (TensorFlow format, ckpt-N plus a 'checkpoint' file). "
          + "Default: MODEL.checkpoints beside --out, else the folder 'checkpoints'.")
  Path checkpointDir;

  @Option(names = "--keep-checkpoints", paramLabel = "N", defaultValue = "3",
      description = "Keep the last N epochs' checkpoints, and the best by validation top-1. Default: ${DEFAULT-VALUE}.")
  int keepCheckpoints;

  @Option(names = "--no-checkpoints", description = "Write no checkpoints (a killed run cannot be resumed).")
  boolean noCheckpoints;

  @Option(names = "--resume",
      description = "Continue from the last complete checkpoint in the checkpoint folder: weights, momentum, epoch, "
          + "step, learning rate and data order as they were. Give the options of the run being resumed "
          + "(others are refused; --epochs may be raised); with the same --threads it ends bit-identical to an "
          + "uninterrupted run.")
  boolean resume;

  @Option(names = "--force",
      description = SharedOptions.FORCE + " Without --resume: start afresh even if the checkpoint folder holds"
          + " checkpoints (deletes them).")
  boolean force;

  @Option(names = "--lr-patience", paramLabel = "EPOCHS",
      description = "Divide the learning rate by 10 when validation top-1 has not improved for this many epochs; "
          + "0 never. Default: " + LearningRateSchedule.DEFAULT_PATIENCE + ".")
  Integer lrPatience;

  @Option(names = "--lr-step", paramLabel = "EPOCHS",
      description = "Instead: divide the learning rate by 10 every EPOCHS epochs.")
  Integer lrStep;

  @Option(names = "--logdir", paramLabel = "DIR",
      description = "Write TensorBoard event files here (tensorboard --logdir DIR): loss, batch accuracy and "
          + "learning rate each step; validation accuracy, weight and gradient histograms each epoch; the graph.")
  Path logDir;

  @Option(names = "--cache-features",
      description = "Compute each image's pool5 once with the frozen conv layers and train fc6-fc8 from that "
          + "cache: later epochs cost only the fc layers. Needs --no-augment and --train-layers within fc6,fc7,fc8.")
  boolean cacheFeatures;

  @Option(names = "--json", description = SharedOptions.JSON + " One object at the end; the epoch lines go to stderr.")
  boolean json;

  @Option(names = "--class-weights", paramLabel = "auto|FILE",
      description = "Weight each class's images in the loss, for unbalanced classes: auto for inverse frequency over "
          + "the training images (n / (classes x n_c): a class 10 times rarer weighs 10 times more), or a FILE of "
          + "'class weight' lines. Printed at the start and kept in the checkpoints (--resume refuses a change).")
  String classWeightsOption;

  @Option(names = "--report", paramLabel = "REPORT.html",
      description = "Write one self-contained HTML page at the end (also when the loss diverges): learning curves, "
          + "the confusion matrix as a heat map, top-1 per class and the worst mistakes as thumbnails.")
  Path report;

  /** Set when an unreadable image was reported: the run then exits {@link AlexNetCli#EXIT_SOME_INPUTS_FAILED}. */
  private final AtomicBoolean unreadable = new AtomicBoolean();

  @Override
  public Integer call() throws Exception {
    checkOptions();
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter log = json ? err : stdout;
    Checkpoints checkpoints = noCheckpoints ? null : Checkpoints.in(checkpointFolder(), keepCheckpoints);
    // Both checks before the datasets and the trainer are built: they take a while, and these are cheap.
    if (checkpoints != null && resume && checkpoints.latest().isEmpty()) {
      throw new FileNotFoundException("--resume: no checkpoint to resume from in " + checkpoints.directory()
          + " (no " + Checkpoints.POINTER + " file)");
    }
    if (checkpoints != null && !resume && !checkpoints.isEmpty()) {
      if (!force) {
        throw new IllegalArgumentException("--checkpoint-dir " + checkpoints.directory()
            + " holds checkpoints of an earlier run" + checkpoints.latest().map(p -> " (latest " + p.getFileName()
            + ")").orElse("") + ": add --resume to continue it, or --force to start afresh and delete them");
      }
      checkpoints.clear();
    }
    SparkFeatures.Listing trainRows = features == null ? null : SparkFeatures.list(features);
    SparkFeatures.Listing valRows = valFeatures == null ? null : SparkFeatures.list(valFeatures);
    for (SparkFeatures.Listing rows : java.util.Arrays.asList(trainRows, valRows)) {
      if (rows != null && !rows.errors().isEmpty()) {
        unreadable.set(true);
        err.println("alexnet finetune: " + rows.source() + ": " + rows.errors().size() + " error rows (images Spark "
            + "could not read) left out, first: " + rows.errors().get(0));
        err.flush();
      }
    }
    try (Dataset all = trainRows != null ? trainRows.dataset() : Datasets.open("--train", train);
        Dataset given = valRows != null ? valRows.dataset() : val == null ? null : Datasets.open("--val", val)) {
      Dataset trainSet = all;
      Dataset valSet = given;
      if (given == null) {
        Dataset.Split split = all.split(valSplit != null ? valSplit : 0.2, seed);
        trainSet = split.train();
        valSet = split.validation();
      } else if (!given.classNames().equals(all.classNames())) {
        throw new IllegalArgumentException("--val has classes " + given.classNames() + " but --train has "
            + all.classNames());
      }
      List<String> classes = all.classNames();
      if (classes.size() < 2) {
        throw new IllegalArgumentException("--train has " + classes.size() + " class(es) " + classes
            + "; fine-tuning needs at least 2");
      }
      if (trainSet.size() == 0 || valSet.size() == 0) {
        throw new IllegalArgumentException("no " + (trainSet.size() == 0 ? "training" : "validation")
            + " images (train " + trainSet.size() + ", validation " + valSet.size() + ")");
      }
      Set<String> layers = new LinkedHashSet<>(trainLayers);
      AlexNetWeights pretrained = pretrained(layers, classes.size(), err);
      float[] weightsOfClasses = classWeights(trainSet, classes);
      try (Trainer trainer = trainer(pretrained, layers, classes.size(), weightsOfClasses);
          Sources sources = features != null ? sparkSources(trainRows, valRows, trainSet, valSet, log)
              : cacheFeatures ? cachedSources(pretrained, trainSet, valSet, log, err)
              : imageSources(trainSet, valSet);
          TensorBoardListener tensorBoard = logDir == null ? null : new TensorBoardListener(logDir)) {
        log.printf(Locale.ROOT, "fine-tuning %s on %d images of %d classes, validating on %d (%d decoding "
                + "thread%s, %s%s)%n",
            String.join(",", trainer.trainLayers().stream().sorted(
                (a, b) -> AlexNetSpec.LAYER_NAMES.indexOf(a) - AlexNetSpec.LAYER_NAMES.indexOf(b)).toList()),
            trainSet.size(), classes.size(), valSet.size(), decodingWorkers(), decodingWorkers() == 1 ? "" : "s",
            exactDecode ? "JPEGs decoded in full" : "large JPEGs DCT-scaled",
            precision == Precision.BF16 ? ", bf16" : "");
        if (checkpoints != null) {
          log.printf(Locale.ROOT, "checkpoints in %s (the last %d and the best are kept)%n",
              checkpoints.directory(), keepCheckpoints);
        }
        log.flush();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("class names", String.join(",", classes));
        settings.put("batch size", Integer.toString(batchSize));
        settings.put("augmentation", noAugment ? "none" : "paper");
        settings.put("input", cacheFeatures || features != null ? "cached pool5 features" : "images");
        settings.put("learning rate", Float.toString(learningRate));
        if (weightsOfClasses != null) {
          settings.put("class weights", describe(classes, weightsOfClasses));
          log.println("class weights: " + describe(classes, weightsOfClasses));
          log.flush();
        }
        settings.put("training images", Integer.toString(trainSet.size()));
        settings.put("validation images", Integer.toString(valSet.size()));
        FineTuning.Builder builder = FineTuning.builder().setTrainer(trainer)
            .setTrainData(sources.train()).setValidationData(sources.validation())
            .optEpochs(epochs).optSchedule(schedule()).optCheckpoints(checkpoints).optResume(resume)
            .optSettings(settings).optListener(new Console(log, err, classes.size(), checkpoints != null, unreadable));
        if (tensorBoard != null) {
          builder.optListener(tensorBoard);
          log.println("TensorBoard event files in " + logDir + " (tensorboard --logdir " + logDir + ")");
          log.flush();
        }
        Reports.Curves curves = new Reports.Curves();
        builder.optListener(curves);
        FineTuning run = builder.build();
        FineTuning.Result result;
        try {
          result = run.run();
        } catch (TrainingDivergedException e) {
          if (json) {
            printJson(stdout, e.result(), trainer, classes, trainSet.size(), valSet.size());
          }
          if (report != null) {
            writeReport(e.result(), curves, classes, valSet, settings, err);
          }
          throw e;
        }
        if (report != null) {
          writeReport(result, curves, classes, valSet, settings, err);
        }
        if (out != null) {
          save(trainer, pretrained, classes, log);
        }
        printSummary(log, result, classes);
        if (json) {
          printJson(stdout, result, trainer, classes, trainSet.size(), valSet.size());
        }
      }
    }
    return unreadable.get() ? AlexNetCli.EXIT_SOME_INPUTS_FAILED : 0;
  }

  private void writeReport(FineTuning.Result result, Reports.Curves curves, List<String> classes, Dataset valSet,
      Map<String, String> settings, PrintWriter err) throws IOException {
    if (result.validation() == null) {
      err.println("alexnet finetune: no epoch finished; no report written");
      err.flush();
      return;
    }
    Map<String, String> shown = new LinkedHashMap<>(settings);
    shown.put("weights", Files.exists(weights) ? weights.toString() : "none (no " + weights + "): every layer fresh");
    shown.put("train layers", String.join(",", trainLayers));
    shown.put("epochs", Integer.toString(result.epochs()));
    if (result.resumedFrom() != null) {
      shown.put("resumed from", result.resumedFrom() + " (the curves show this run's epochs)");
    }
    if (result.stoppedEarly() != null) {
      shown.put("stopped early", result.stoppedEarly());
    }
    Reports.write(report, "Fine-tuning on " + (train != null ? train : features), classes, curves.rows(),
        result.validation(), shown, valSet);
    err.println("alexnet finetune: wrote " + report);
    err.flush();
  }

  private Path checkpointFolder() {
    if (checkpointDir != null) {
      return checkpointDir;
    }
    if (out != null) {
      String name = out.getFileName().toString();
      return out.resolveSibling((name.endsWith(".npz") ? name.substring(0, name.length() - 4) : name)
          + ".checkpoints");
    }
    return Path.of("checkpoints");
  }

  private LearningRateSchedule schedule() {
    if (lrStep != null) {
      return LearningRateSchedule.step(lrStep);
    }
    return LearningRateSchedule.plateau(lrPatience != null ? lrPatience : LearningRateSchedule.DEFAULT_PATIENCE);
  }

  /**
   * Epoch lines, learning-rate changes and skipped images on the log; a progress bar per epoch on a terminal. With
   * checkpoints, an epoch's line is printed once its checkpoint is complete (and names it): a line on the screen is
   * an epoch that {@code --resume} will not train again, even if the process is killed right after it.
   */
  private static final class Console implements TrainingListener {
    private final PrintWriter log;
    private final PrintWriter err;
    private final int classes;
    private final boolean checkpointed;
    private final AtomicBoolean unreadable;
    private Progress progress;
    /** The last epoch's line and learning-rate change (or null), waiting for its checkpoint. */
    private String pendingLine;
    private String pendingChange;

    Console(PrintWriter log, PrintWriter err, int classes, boolean checkpointed, AtomicBoolean unreadable) {
      this.log = log;
      this.err = err;
      this.classes = classes;
      this.checkpointed = checkpointed;
      this.unreadable = unreadable;
    }

    @Override
    public void onStart(Start start) {
      if (start.resumedFrom() != null) {
        TrainingState s = start.state();
        log.printf(Locale.ROOT, "resuming from %s: %d epoch%s done, global step %d, learning rate %s%s%n",
            start.resumedFrom(), s.epoch(), s.epoch() == 1 ? "" : "s", s.globalStep(),
            LearningRateSchedule.format(s.learningRate()),
            s.hasBest() ? String.format(Locale.ROOT, ", best val top-1 %.3f at epoch %d", s.bestValTop1(),
                s.bestEpoch()) : "");
        log.flush();
      }
    }

    @Override
    public void onStep(Step step) {
      if (progress == null) {
        progress = Progress.items("epoch " + step.epoch() + "/" + step.epochs());
      }
      progress.progress(step.imagesDone(), step.imagesInEpoch());
      progress.message(String.format(Locale.ROOT, "loss %.4f", step.loss()));
    }

    @Override
    public void onEpoch(Epoch e) {
      if (progress != null) {
        progress.close();
        progress = null;
      }
      reportSkipped(err, "training", e.epoch(), e.trainSkipped(), unreadable);
      reportSkipped(err, "validation", e.epoch(), e.validationSkipped(), unreadable);
      String line = String.format(Locale.ROOT, "epoch %d/%d  train loss %.4f  val top-1 %.3f%s  %.1f images/s  lr %s",
          e.epoch(), e.epochs(), e.trainLoss(), e.validation().top1(), classes >= 5 ? String.format(Locale.ROOT,
              "  top-5 %.3f", e.validation().top5()) : "", e.imagesPerSecond(),
          LearningRateSchedule.format(e.learningRate()));
      pendingLine = line;
      pendingChange = e.learningRateChange();
      if (!checkpointed) {
        flushPending("");
      }
    }

    @Override
    public void onCheckpoint(Path prefix, TrainingState state) {
      flushPending("  saved " + prefix.getFileName());
    }

    private void flushPending(String suffix) {
      if (pendingLine != null) {
        log.println(pendingLine + suffix);
        if (pendingChange != null) {
          log.println(pendingChange);
        }
        log.flush();
        pendingLine = null;
      }
    }

    @Override
    public void onEnd(FineTuning.Result result) {
      if (progress != null) {
        progress.close();
        progress = null;
      }
    }
  }

  /** The best epoch, and per class: images, accuracy, and the class it is most often mistaken for. */
  private static void printSummary(PrintWriter log, FineTuning.Result r, List<String> classes) {
    if (r.bestEpoch() > 0) {
      log.printf(Locale.ROOT, "best val top-1 %.3f at epoch %d%s%n", r.bestValTop1(), r.bestEpoch(),
          r.bestCheckpoint() == null ? "" : " (" + r.bestCheckpoint() + ")");
    }
    if (r.checkpoint() != null) {
      log.println("latest checkpoint " + r.checkpoint() + " (resume with --resume)");
    }
    int width = Math.max(5, classes.stream().mapToInt(String::length).max().orElse(5));
    ClassMetrics metrics = ClassMetrics.of(r.validation().confusion());
    log.printf(Locale.ROOT, "validation per class, after epoch %d (macro precision %.3f, recall %.3f, F1 %.3f):%n",
        r.epochs(), metrics.macroPrecision(), metrics.macroRecall(), metrics.macroF1());
    log.printf(Locale.ROOT, "  %-" + width + "s  %6s  %6s  %9s  %6s  %6s  %s%n", "class", "images", "top-1",
        "precision", "recall", "F1", "most often mistaken for");
    for (Validation.ClassSummary c : r.validation().perClass()) {
      ClassMetrics.Row mr = metrics.perClass().get(c.index());
      log.printf(Locale.ROOT, "  %-" + width + "s  %6d  %6.3f  %9.3f  %6.3f  %6.3f  %s%n", classes.get(c.index()),
          c.images(), c.accuracy(), mr.precision(), mr.recall(), mr.f1(), c.mostMistakenFor() < 0 ? "-"
              : classes.get(c.mostMistakenFor()) + " (" + c.mistakes() + ")");
    }
    log.flush();
  }

  private void printJson(PrintWriter stdout, FineTuning.Result r, Trainer trainer, List<String> classes,
      int trainImages, int valImages) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("epochs", r.epochs());
    m.put("classes", classes);
    m.put("trainLayers", trainer.trainedVariables().stream()
        .map(v -> v.substring(0, v.indexOf('/'))).distinct().toList());
    m.put("trainImages", trainImages);
    m.put("valImages", valImages);
    m.put("trainLoss", finite(r.trainLoss()));
    Validation v = r.validation();
    m.put("valTop1", v == null ? null : finite(v.top1()));
    if (classes.size() >= 5) {
      m.put("valTop5", v == null ? null : finite(v.top5()));
    }
    m.put("imagesPerSecond", r.imagesPerSecond());
    m.put("skipped", r.skipped());
    m.put("globalStep", r.globalStep());
    m.put("learningRate", r.learningRate());
    m.put("bestValTop1", r.bestEpoch() > 0 ? r.bestValTop1() : null);
    m.put("bestEpoch", r.bestEpoch() > 0 ? r.bestEpoch() : null);
    m.put("checkpoint", r.checkpoint() == null ? null : r.checkpoint().toString());
    m.put("bestCheckpoint", r.bestCheckpoint() == null ? null : r.bestCheckpoint().toString());
    m.put("resumedFrom", r.resumedFrom() == null ? null : r.resumedFrom().toString());
    m.put("stoppedEarly", r.stoppedEarly());
    if (v != null) {
      ClassMetrics metrics = ClassMetrics.of(v.confusion());
      m.put("macroPrecision", finite(metrics.macroPrecision()));
      m.put("macroRecall", finite(metrics.macroRecall()));
      m.put("macroF1", finite(metrics.macroF1()));
      List<Map<String, Object>> perClass = new ArrayList<>();
      for (Validation.ClassSummary c : v.perClass()) {
        perClass.add(Json.classRow(c.index(), classes.get(c.index()), c.images(), c.accuracy(),
            metrics.perClass().get(c.index()), c.mostMistakenFor() < 0 ? null : classes.get(c.mostMistakenFor()),
            c.mistakes()));
      }
      m.put("perClass", perClass);
      m.put("confusion", v.confusion());
    }
    stdout.println(Json.of(m));
    stdout.flush();
  }

  /** JSON has no NaN: a metric that does not exist is null. */
  private static Double finite(double x) {
    return Double.isFinite(x) ? x : null;
  }

  private void checkOptions() {
    if (epochs < 1 || batchSize < 1) {
      throw new UsageError("--epochs and --batch-size must be at least 1");
    }
    if (val != null && valSplit != null) {
      throw new UsageError("give --val or --val-split, not both");
    }
    if (valSplit != null && !(valSplit > 0 && valSplit < 1)) {
      throw new UsageError("--val-split must be between 0 and 1, was " + valSplit);
    }
    if (!AlexNetSpec.LAYER_NAMES.containsAll(trainLayers)) {
      throw new UsageError("--train-layers " + String.join(",", trainLayers)
          + ": layers are " + String.join(",", AlexNetSpec.LAYER_NAMES));
    }
    if (!trainLayers.contains("fc8")) {
      throw new UsageError("--train-layers must include fc8: its size is the number of classes");
    }
    if (workers != null && workers < 1) {
      throw new UsageError("--workers must be at least 1, was " + workers);
    }
    if (keepCheckpoints < 1) {
      throw new UsageError("--keep-checkpoints must be at least 1 (--no-checkpoints writes none)");
    }
    if (resume && noCheckpoints) {
      throw new UsageError("--resume needs checkpoints; it cannot go with --no-checkpoints");
    }
    if ((train == null) == (features == null)) {
      throw new UsageError("give --train (images) or --features (alexnet-spark's pool5 rows), one");
    }
    if (features != null) {
      if (val != null || cacheFeatures) {
        throw new UsageError("--features brings pool5 already: use --val-features, not --val, and no "
            + "--cache-features");
      }
      if (!Trainer.CLASSIFIER_LAYERS.containsAll(trainLayers)) {
        throw new UsageError("--features trains fc6-fc8 only (pool5 comes from the conv layers "
            + "Spark ran), but --train-layers is " + String.join(",", trainLayers));
      }
      noAugment = true;   // no image to crop or flip: the rows are the centre crops
    } else if (valFeatures != null) {
      throw new UsageError("--val-features goes with --features");
    }
    if (valFeatures != null && valSplit != null) {
      throw new UsageError("give --val-features or --val-split, not both");
    }
    if (cacheFeatures && !noAugment) {
      throw new UsageError("--cache-features needs --no-augment: random crops, flips and lighting "
          + "change pool5 every epoch, so it cannot be computed once");
    }
    if (cacheFeatures && !Trainer.CLASSIFIER_LAYERS.containsAll(trainLayers)) {
      throw new UsageError("--cache-features trains fc6-fc8 only (pool5 comes from frozen conv "
          + "layers), but --train-layers is " + String.join(",", trainLayers));
    }
    if (lrPatience != null && lrStep != null) {
      throw new UsageError("give --lr-patience or --lr-step, not both");
    }
    if ((lrPatience != null && lrPatience < 0) || (lrStep != null && lrStep < 1)) {
      throw new UsageError("--lr-patience must be >= 0 and --lr-step >= 1");
    }
  }

  /** The pretrained weights with the trained layers skipped, or null (said on stderr) when --weights is missing. */
  private AlexNetWeights pretrained(Set<String> layers, int numClasses, PrintWriter err) throws IOException {
    if (Files.exists(weights)) {
      return AlexNetWeights.load(weights, layers, numClasses);
    }
    boolean frozen = layers.size() < AlexNetSpec.LAYER_NAMES.size();
    err.println("alexnet finetune: no weights at " + weights + "; every layer starts fresh"
        + (frozen ? " and the frozen ones stay random" : ""));
    err.flush();
    return null;
  }

  /**
   * {@code --class-weights}: {@code auto} gives inverse frequency over the training images, {@code n / (classes *
   * n_c)} (scikit-learn's "balanced": a class 10 times rarer weighs 10 times more, and the weights average 1 over
   * the images); a file gives {@code class weight} lines, every class once. Null without the option.
   */
  private float[] classWeights(Dataset trainSet, List<String> classes) throws IOException {
    if (classWeightsOption == null) {
      return null;
    }
    float[] w = new float[classes.size()];
    if (classWeightsOption.equals("auto")) {
      long[] counts = new long[classes.size()];
      trainSet.items().forEach(item -> counts[item.label()]++);
      for (int c = 0; c < w.length; c++) {
        if (counts[c] == 0) {
          throw new IllegalArgumentException("--class-weights auto: class " + classes.get(c) + " has no training "
              + "images");
        }
        w[c] = (float) ((double) trainSet.size() / (classes.size() * counts[c]));
      }
      return w;
    }
    Path file = Path.of(classWeightsOption);
    if (!Files.isRegularFile(file)) {
      throw new FileNotFoundException("--class-weights " + file + ": no such file (give auto, or a file of "
          + "'class weight' lines)");
    }
    java.util.Arrays.fill(w, Float.NaN);
    int lineNumber = 0;
    for (String line : Files.readAllLines(file)) {
      lineNumber++;
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("#")) {
        continue;
      }
      int space = t.lastIndexOf(' ') >= 0 ? t.lastIndexOf(' ') : t.lastIndexOf('\t');
      String name = space < 0 ? "" : t.substring(0, space).strip();
      int c = classes.indexOf(name);
      float value;
      try {
        value = space < 0 ? Float.NaN : Float.parseFloat(t.substring(space + 1));
      } catch (NumberFormatException e) {
        value = Float.NaN;
      }
      if (c < 0 || !(value > 0) || !Float.isFinite(value)) {
        throw new IllegalArgumentException(file + ":" + lineNumber + ": expected 'class weight' with a class of "
            + classes + " and a positive weight, found '" + t + "'");
      }
      w[c] = value;
    }
    for (int c = 0; c < w.length; c++) {
      if (Float.isNaN(w[c])) {
        throw new IllegalArgumentException(file + ": no weight for class " + classes.get(c));
      }
    }
    return w;
  }

  private static String describe(List<String> classes, float[] weights) {
    List<String> parts = new ArrayList<>();
    for (int c = 0; c < weights.length; c++) {
      parts.add(classes.get(c) + " " + String.format(Locale.ROOT, "%.4g", weights[c]));
    }
    return String.join(", ", parts);
  }

  private Trainer trainer(AlexNetWeights pretrained, Set<String> layers, int numClasses, float[] classWeights) {
    Trainer.Builder b = Trainer.builder().optTrainLayers(layers).optLearningRate(learningRate).optKeepProb(keepProb)
        .optClassWeights(classWeights)
        .optSeed(seed).optIntraOpThreads(threads.count()).optPrecision(precision)
        .optInput(cacheFeatures || features != null ? Trainer.Input.POOL5 : Trainer.Input.IMAGES);
    if (device.name() != null) {
      b.optDevice(device.name());
    }
    if (pretrained != null) {
      b.setWeights(pretrained);
    } else {
      b.setFreshInit().optNumClasses(numClasses);
    }
    return b.build();
  }

  /** Training and validation batches, and what to close when the run is over. */
  private record Sources(BatchSource train, BatchSource validation, List<AutoCloseable> resources)
      implements AutoCloseable {
    @Override
    public void close() throws Exception {
      for (AutoCloseable r : resources) {
        r.close();
      }
    }
  }

  private Sources imageSources(Dataset trainSet, Dataset valSet) {
    TfJpegDecoder jpeg = exactDecode ? null : new TfJpegDecoder();
    BatchPipeline trainBatches = pipeline(trainSet, PREPROCESS.withJpegDecoder(jpeg),
        noAugment ? Augmentation.NONE : Augmentation.PAPER, true);
    BatchPipeline valBatches = pipeline(valSet, PREPROCESS, Augmentation.NONE, false);
    List<AutoCloseable> resources = new ArrayList<>(List.of(trainBatches, valBatches));
    if (jpeg != null) {
      resources.add(jpeg);   // after the pipelines: their workers may still be decoding
    }
    return new Sources(BatchSource.of(trainBatches), BatchSource.of(valBatches), resources);
  }

  /** pool5 of every image from alexnet-spark's Parquet rows, streamed into caches as --cache-features keeps them. */
  private Sources sparkSources(SparkFeatures.Listing trainRows, SparkFeatures.Listing valRows, Dataset trainSet,
      Dataset valSet, PrintWriter log) throws IOException {
    List<AutoCloseable> resources = new ArrayList<>();
    try {
      FeatureCache trainCache = precomputed(SparkFeatures.rows(trainRows, trainSet), trainSet, true, "training");
      resources.add(trainCache);
      FeatureCache valCache = precomputed(SparkFeatures.rows(valRows != null ? valRows : trainRows, valSet), valSet,
          false, "validation");
      resources.add(valCache);
      log.printf(Locale.ROOT, "pool5 features of %d training and %d validation images from %s (%s)%n",
          trainCache.size(), valCache.size(), features, trainCache.inMemory() ? "in memory" : "in "
              + trainCache.file());
      log.flush();
      return new Sources(BatchSource.of(trainCache), BatchSource.of(valCache), resources);
    } catch (IOException | RuntimeException e) {
      closeAll(resources, e);
      throw e;
    }
  }

  /** Closes what a failed setup had opened; what fails to close is added to {@code e}. */
  private static void closeAll(List<AutoCloseable> resources, Exception e) {
    for (AutoCloseable r : resources) {
      try {
        r.close();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
    }
  }

  private FeatureCache precomputed(FeatureCache.Pool5Rows rows, Dataset data, boolean shuffle, String split)
      throws IOException {
    try (Progress progress = Progress.items("pool5 rows, " + split)) {
      return FeatureCache.builder().setDataset(data).setPrecomputed(rows).optBatchSize(batchSize).optSeed(seed)
          .optShuffle(shuffle).optProgress(progress).build();
    }
  }

  /** pool5 of every image, computed now by the frozen conv layers (the same values the trainer's graph holds). */
  private Sources cachedSources(AlexNetWeights pretrained, Dataset trainSet, Dataset valSet,
      PrintWriter log, PrintWriter err) throws IOException {
    List<AutoCloseable> resources = new ArrayList<>();
    try {
      FeatureCache trainCache;
      try (TfJpegDecoder jpeg = exactDecode ? null : new TfJpegDecoder()) {
        trainCache = cache(pretrained, trainSet, PREPROCESS.withJpegDecoder(jpeg), true, "training");
      }
      resources.add(trainCache);
      FeatureCache valCache = cache(pretrained, valSet, PREPROCESS, false, "validation");
      resources.add(valCache);
      log.printf(Locale.ROOT, "pool5 features cached for %d training and %d validation images (%s)%n",
          trainCache.size(), valCache.size(), trainCache.inMemory() ? "in memory" : "in " + trainCache.file());
      log.flush();
      reportSkipped(err, "training", 1, BatchSource.Skipped.of(trainCache.report()), unreadable);
      reportSkipped(err, "validation", 1, BatchSource.Skipped.of(valCache.report()), unreadable);
      return new Sources(BatchSource.of(trainCache), BatchSource.of(valCache), resources);
    } catch (IOException | RuntimeException e) {
      closeAll(resources, e);
      throw e;
    }
  }

  private FeatureCache cache(AlexNetWeights pretrained, Dataset data, PreprocessConfig preprocess, boolean shuffle,
      String split) throws IOException {
    FeatureCache.Builder b = FeatureCache.builder().setDataset(data).optPreprocess(preprocess)
        .optBatchSize(batchSize).optSeed(seed).optShuffle(shuffle).optStrict(strict.on())
        .optIntraOpThreads(threads.count()).optPrecision(precision).optWorkers(decodingWorkers());
    if (pretrained != null) {
      b.setWeights(pretrained);
    } else {
      b.setFreshInit();
    }
    try (Progress progress = Progress.items("pool5 features, " + split)) {
      return b.optProgress(progress).build();
    }
  }

  private BatchPipeline pipeline(Dataset data, PreprocessConfig preprocess, Augmentation augmentation,
      boolean shuffle) {
    return BatchPipeline.builder().setDataset(data).optPreprocess(preprocess).optAugmentation(augmentation)
        .optBatchSize(batchSize).optSeed(seed).optShuffle(shuffle).optStrict(strict.on()).optWorkers(decodingWorkers())
        .optEpochs(epochs).build();
  }

  /**
   * {@code --workers}, else every core when a GPU trains (the cores have nothing else to do, and a GPU trains
   * faster than a few threads decode, BENCHMARKS.md) and {@link BatchPipeline#defaultWorkers} on the CPU.
   */
  private int decodingWorkers() {
    if (workers == null) {
      workers = trainsOnGpu() ? Runtime.getRuntime().availableProcessors() : BatchPipeline.defaultWorkers();
    }
    return workers;
  }

  private boolean trainsOnGpu() {
    return !device.placement().runsOnCpu();
  }

  private static void reportSkipped(PrintWriter err, String split, int epoch, BatchSource.Skipped skipped,
      AtomicBoolean unreadable) {
    if (skipped.count() > 0) {
      unreadable.set(true);
      err.println("alexnet finetune: epoch " + epoch + ": " + skipped.count() + " unreadable " + split
          + " images skipped, first: " + String.join(", ", skipped.first()));
      err.flush();
    }
  }

  private void save(Trainer trainer, AlexNetWeights pretrained, List<String> classes, PrintWriter log)
      throws IOException {
    Map<String, WeightArray> arrays = new LinkedHashMap<>();
    for (String layer : AlexNetSpec.LAYER_NAMES) {
      for (String name : List.of(layer + "/weights", layer + "/biases")) {
        // a pool5 trainer holds fc6-fc8 only; its frozen conv layers are the ones the cache was computed with
        boolean inTrainer = trainer.input() == Trainer.Input.IMAGES || Trainer.CLASSIFIER_LAYERS.contains(layer);
        arrays.put(name, inTrainer ? trainer.parameter(name)
            : FreshInit.initialValue(name, pretrained, classes.size(), seed));
      }
    }
    NpzWriter.write(out, arrays);
    Path labels = Labels.classesFile(out);   // where predict, evaluate and AlexNet.load look for them
    PartialWrite.writeLines(labels, classes);
    log.println("saved " + out + " and " + labels);
  }
}
