package org.alexnettfj.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.alexnettfj.command.UsageError;
import org.alexnettfj.data.PreprocessConfig;
import org.alexnettfj.data.train.Augmentation;
import org.alexnettfj.data.train.BatchPipeline;
import org.alexnettfj.data.train.Dataset;
import org.alexnettfj.data.train.LabeledImage;
import org.alexnettfj.graph.AlexNetModel;
import org.alexnettfj.graph.Labels;
import org.alexnettfj.train.ClassMetrics;
import org.alexnettfj.train.Validation;
import org.alexnettfj.weights.AlexNetSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code alexnet evaluate}: top-1 and top-5 accuracy of a model on labelled images, with a per-class summary.
 *
 * <p>Images go through finetune's validation path (256x256 resize, centre 227 crop, BGR minus the mean) and the
 * model's fc8 (an {@link AlexNetModel}, no dropout). An image counts for top-k when its label is among the k
 * highest scores, ties going to the lower class index (so top-1 is the argmax that {@code predict} prints).
 *
 * <p>Classes: class folders are matched to the model's classes by name — the model's names are
 * {@code MODEL.classes.txt} beside the weights (as {@code finetune --out} writes it), {@code --labels}, or the 1000
 * ImageNet classes — and a folder that is not one of them is an error naming both lists. A list file's labels are
 * the model's output indices (for bvlc_alexnet.npy, ImageNet's 0 … 999).
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:every input was read", "1:bad input; nothing (more) was written",
        "2:a usage error (an unknown option, a missing value, a value the option cannot take)",
        "3:some inputs could not be read (each named on stderr); the others were processed and written"},
    description = "Top-1/top-5 accuracy of a model on labelled images (class folders, a list file, or an archive).")
final class EvaluateCommand implements Callable<Integer> {

  /** finetune's validation preprocessing: the centre 227 crop of a 256x256 resize. */
  static final PreprocessConfig PREPROCESS = PreprocessConfig.builder()
      .geometry(PreprocessConfig.Geometry.RESIZE_SQUARE_THEN_CENTER_CROP).build();

  /** Lists longer than this are shortened in error messages (ImageNet has 1000 names). */
  private static final int NAMES_SHOWN = 12;

  @Spec
  CommandSpec spec;

  @Option(names = "--weights", paramLabel = "FILE", defaultValue = "weights/bvlc_alexnet.npy",
      description = SharedOptions.WEIGHTS + " Default: ${DEFAULT-VALUE}")
  Path weights;

  @Option(names = "--data", required = true, paramLabel = "DIR|LIST|ARCHIVE",
      description = "Labelled images: class folders, a list file (path label per line; labels are the model's "
          + "output indices), or a zip/tar(.gz) of class folders.")
  Path data;

  @Option(names = "--labels", paramLabel = "FILE",
      description = SharedOptions.LABELS)
  Path labels;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "64",
      description = SharedOptions.BATCH_SIZE + " Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Mixin
  SharedOptions.Strict strict;

  @Mixin
  SharedOptions.Threads threads;

  @Mixin
  SharedOptions.Device device;

  @Option(names = "--json", description = SharedOptions.JSON + " One object, instead of the text report.")
  boolean json;

  @Option(names = "--report", paramLabel = "REPORT.html",
      description = "Also write one self-contained HTML page: the confusion matrix as a heat map, top-1 per class "
          + "and the worst mistakes as thumbnails.")
  Path report;

  /** Per class of the model that has images: how many, how many top-1 right, and what the wrong ones became. */
  private static final class ClassTally {
    int images;
    int top1;
    final Map<Integer, Integer> mistakenFor = new HashMap<>();
  }

  @Override
  public Integer call() throws Exception {
    if (batchSize < 1) {
      throw new UsageError("--batch-size must be at least 1");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Inputs.requireWeightsFile(weights);
    try (Dataset dataset = Datasets.open("--data", data)) {
      if (dataset.size() == 0) {
        throw new IllegalArgumentException("--data " + data + ": no images");
      }
      if (!dataset.ignored().isEmpty()) {
        err.println("alexnet evaluate: " + dataset.ignored().size() + " files that are not images by name left out, "
            + "first: " + String.join(", ", dataset.ignored().subList(0, Math.min(5, dataset.ignored().size()))));
      }
      long start;
      int[] toModel;
      List<String> names;
      Map<Integer, ClassTally> tallies = new TreeMap<>();
      int evaluated = 0;
      int top1 = 0;
      int top5 = 0;
      BatchPipeline.EpochReport skipped;
      long[][] confusion;
      Validation.WorstMistakes mistakes = new Validation.WorstMistakes();
      try (AlexNetModel model = loadModel()) {
        names = modelClassNames(model.numClasses());
        toModel = labelsToModel(dataset, names, model.numClasses());
        confusion = new long[names.size()][names.size()];
        start = System.nanoTime();
        try (BatchPipeline pipeline = BatchPipeline.builder().setDataset(dataset).optPreprocess(PREPROCESS)
                .optAugmentation(Augmentation.NONE).optBatchSize(batchSize).optShuffle(false).optStrict(strict.on())
                .optEpochs(1).build();
            BatchPipeline.Epoch batches = pipeline.epoch(0);
            Progress progress = Progress.items("Evaluating")) {
          int done = 0;
          while (batches.hasNext()) {
            BatchPipeline.Batch b = batches.next();
            done += b.size() + b.skipped().size();
            if (b.size() > 0) {
              float[][] scores = model.logits(b.images(), b.size());
              for (int i = 0; i < b.size(); i++) {
                int target = toModel[b.labels()[i]];
                int rank = rank(scores[i], target);
                int predicted = argmax(scores[i]);
                confusion[target][predicted]++;
                if (rank > 0) {
                  mistakes.offer(new Validation.Mistake(b.sources().get(i), target, predicted,
                      Validation.softmax(scores[i], predicted)));
                }
                ClassTally t = tallies.computeIfAbsent(target, k -> new ClassTally());
                t.images++;
                if (rank == 0) {
                  t.top1++;
                  top1++;
                } else {
                  t.mistakenFor.merge(predicted, 1, Integer::sum);
                }
                top5 += rank < 5 ? 1 : 0;
                evaluated++;
              }
            }
            progress.progress(done, dataset.size());
          }
          skipped = batches.report();
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      if (skipped.skippedCount() > 0) {
        List<String> first = new ArrayList<>();
        skipped.firstSkipped().forEach(s -> first.add(s.source() + " (" + s.reason() + ")"));
        err.println("alexnet evaluate: " + skipped.skippedCount() + " unreadable images skipped, first: "
            + String.join(", ", first));
      }
      err.flush();
      if (evaluated == 0) {
        throw new IllegalArgumentException("--data " + data + ": none of its " + dataset.size()
            + " images could be read");
      }
      boolean withTop5 = names.size() >= 5;
      double imagesPerSecond = evaluated / seconds;
      if (json) {
        printJson(out, names, tallies, evaluated, skipped, top1, top5, withTop5, imagesPerSecond,
            ClassMetrics.of(confusion));
      } else {
        printText(out, names, tallies, evaluated, skipped.skippedCount(), top1, top5, withTop5, imagesPerSecond,
            ClassMetrics.of(confusion));
      }
      out.flush();
      if (report != null) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("weights", weights.toString());
        settings.put("data", data.toString());
        settings.put("skipped", Integer.toString(skipped.skippedCount()));
        Reports.write(report, "Evaluation of " + weights.getFileName(), names, List.of(), confusion,
            mistakes.list(), settings, dataset);
        err.println("alexnet evaluate: wrote " + report);
        err.flush();
      }
      if (skipped.skippedCount() > 0) {
        return AlexNetCli.EXIT_SOME_INPUTS_FAILED;
      }
    }
    return 0;
  }

  private AlexNetModel loadModel() throws IOException {
    try (Progress progress = new Progress("Reading " + weights.getFileName())) {
      // the number of classes is the file's own: 1000 for bvlc_alexnet.npy, N for a fine-tuned model
      AlexNetModel.Builder b = AlexNetModel.builder().setWeightsFile(weights).optProgress(progress)
          .optIntraOpThreads(threads.count()).optMaxBatch(batchSize);
      if (device.name() != null) {
        b.optPlacement(device.placement());
      }
      return b.build();
    }
  }

  /** --labels, else MODEL.classes.txt, else ImageNet's for 1000 classes, else "0" … "n-1". */
  private List<String> modelClassNames(int numClasses) throws IOException {
    return classNames(labels, weights, numClasses);
  }

  /** A model's class names: {@code labels}, else {@code MODEL.classes.txt}, else ImageNet's, else numbers. */
  static List<String> classNames(Path labels, Path weights, int numClasses) throws IOException {
    Path file = labels != null ? labels : Labels.classesFileBeside(weights);
    List<String> names;
    if (file != null) {
      names = Labels.fromFile(file).names();
      if (names.size() != numClasses) {
        throw new IllegalArgumentException(file + " names " + names.size() + " classes but the model " + weights
            + " has " + numClasses);
      }
    } else if (numClasses == AlexNetSpec.IMAGENET_CLASSES) {
      names = Labels.imagenet().names();
    } else {
      names = new ArrayList<>();
      for (int i = 0; i < numClasses; i++) {
        names.add(Integer.toString(i));
      }
    }
    return names;
  }

  /** For each of the data's labels, the model's output index it stands for. */
  private int[] labelsToModel(Dataset dataset, List<String> modelNames, int numClasses) {
    List<String> dataNames = dataset.classNames();
    int[] map = new int[dataNames.size()];
    if (Datasets.isListFile(data)) {
      int max = dataset.items().stream().mapToInt(LabeledImage::label).max().orElse(0);
      if (max >= numClasses) {
        LabeledImage first = dataset.items().stream().filter(it -> it.label() == max).findFirst().orElseThrow();
        throw new IllegalArgumentException("--data " + data + ": label " + max + " (" + first.source()
            + ") is not a class of the model, which has " + numClasses + " (labels 0 to " + (numClasses - 1) + ")");
      }
      for (int i = 0; i < map.length; i++) {
        map[i] = i;
      }
      return map;
    }
    List<String> unknown = new ArrayList<>();
    for (int i = 0; i < dataNames.size(); i++) {
      map[i] = modelNames.indexOf(dataNames.get(i));
      if (map[i] < 0) {
        unknown.add(dataNames.get(i));
      }
    }
    if (!unknown.isEmpty()) {
      Path file = labels != null ? labels : Labels.classesFileBeside(weights);
      String source = file != null ? "from " + file
          : numClasses == AlexNetSpec.IMAGENET_CLASSES ? "ImageNet's; no " + classesFileName() + " beside it"
          : "numbered; no " + classesFileName() + " beside it";
      throw new IllegalArgumentException("--data " + data + " has classes " + shortList(dataNames) + " but the model "
          + weights + " has " + shortList(modelNames) + " (" + source + "); not in the model: " + shortList(unknown));
    }
    return map;
  }

  private String classesFileName() {
    return Labels.classesFile(weights).getFileName().toString();
  }

  private static String shortList(List<String> names) {
    if (names.size() <= NAMES_SHOWN) {
      return names.toString();
    }
    return "[" + String.join(", ", names.subList(0, NAMES_SHOWN - 2)) + ", … (" + names.size() + " in all)]";
  }

  /** Classes ranked above {@code target}: higher scores, and equal scores of a lower index. */
  static int rank(float[] scores, int target) {
    float s = scores[target];
    int rank = 0;
    for (int i = 0; i < scores.length; i++) {
      if (scores[i] > s || (scores[i] == s && i < target)) {
        rank++;
      }
    }
    return rank;
  }

  /** The top class, the lower index on a tie. */
  static int argmax(float[] scores) {
    int best = 0;
    for (int i = 1; i < scores.length; i++) {
      if (scores[i] > scores[best]) {
        best = i;
      }
    }
    return best;
  }

  /** The class most often predicted for {@code t}'s images when wrong (lower index on a tie), or -1. */
  private static int mostConfused(ClassTally t) {
    int best = -1;
    for (Map.Entry<Integer, Integer> e : new TreeMap<>(t.mistakenFor).entrySet()) {
      if (best < 0 || e.getValue() > t.mistakenFor.get(best)) {
        best = e.getKey();
      }
    }
    return best;
  }

  private void printText(PrintWriter out, List<String> names, Map<Integer, ClassTally> tallies, int evaluated,
      int skipped, int top1, int top5, boolean withTop5, double imagesPerSecond, ClassMetrics metrics) {
    out.printf(Locale.ROOT, "evaluated %s on %s: %d images of %d classes, %d skipped%n", weights, data, evaluated,
        tallies.size(), skipped);
    out.printf(Locale.ROOT, "top-1 %.4f%s  %.1f images/s%n", (double) top1 / evaluated,
        withTop5 ? String.format(Locale.ROOT, "  top-5 %.4f", (double) top5 / evaluated) : "", imagesPerSecond);
    int width = Math.max(5, Math.min(40, tallies.keySet().stream().mapToInt(c -> names.get(c).length()).max()
        .orElse(5)));
    out.printf(Locale.ROOT, "macro precision %.4f  recall %.4f  F1 %.4f (over the %d classes with images)%n",
        metrics.macroPrecision(), metrics.macroRecall(), metrics.macroF1(), tallies.size());
    out.printf(Locale.ROOT, "%-" + width + "s  %7s  %6s  %9s  %6s  %6s  %s%n", "class", "images", "top-1",
        "precision", "recall", "F1", "most confused with");
    for (Map.Entry<Integer, ClassTally> e : tallies.entrySet()) {
      ClassTally t = e.getValue();
      int c = mostConfused(t);
      ClassMetrics.Row mr = metrics.perClass().get(e.getKey());
      out.printf(Locale.ROOT, "%-" + width + "s  %7d  %6.3f  %9.3f  %6.3f  %6.3f  %s%n", names.get(e.getKey()),
          t.images, (double) t.top1 / t.images, mr.precision(), mr.recall(), mr.f1(),
          c < 0 ? "-" : names.get(c) + " (" + t.mistakenFor.get(c) + ")");
    }
  }

  private void printJson(PrintWriter out, List<String> names, Map<Integer, ClassTally> tallies, int evaluated,
      BatchPipeline.EpochReport report, int top1, int top5, boolean withTop5, double imagesPerSecond,
      ClassMetrics metrics) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("weights", weights.toString());
    m.put("data", data.toString());
    m.put("images", evaluated);
    m.put("skipped", report.skippedCount());
    m.put("top1", (double) top1 / evaluated);
    if (withTop5) {
      m.put("top5", (double) top5 / evaluated);
    }
    m.put("imagesPerSecond", imagesPerSecond);
    m.put("macroPrecision", metrics.macroPrecision());
    m.put("macroRecall", metrics.macroRecall());
    m.put("macroF1", metrics.macroF1());
    List<Map<String, Object>> perClass = new ArrayList<>();
    for (Map.Entry<Integer, ClassTally> e : tallies.entrySet()) {
      ClassTally t = e.getValue();
      int c = mostConfused(t);
      perClass.add(Json.classRow(e.getKey(), names.get(e.getKey()), t.images, (double) t.top1 / t.images,
          metrics.perClass().get(e.getKey()), c < 0 ? null : names.get(c), c < 0 ? 0 : t.mistakenFor.get(c)));
    }
    m.put("perClass", perClass);
    List<Map<String, String>> first = new ArrayList<>();
    report.firstSkipped().forEach(s -> first.add(Map.of("source", s.source(), "reason", s.reason())));
    m.put("firstSkipped", first);
    out.println(Json.of(m));
  }
}
