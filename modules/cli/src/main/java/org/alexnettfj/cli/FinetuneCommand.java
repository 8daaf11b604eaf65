package org.alexnettfj.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.alexnettfj.data.PreprocessConfig;
import org.alexnettfj.data.train.Augmentation;
import org.alexnettfj.data.train.BatchPipeline;
import org.alexnettfj.data.train.Dataset;
import org.alexnettfj.train.Trainer;
import org.alexnettfj.weights.AlexNetSpec;
import org.alexnettfj.weights.AlexNetWeights;
import org.alexnettfj.weights.NpzWriter;
import org.alexnettfj.weights.WeightArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code alexnet finetune}: the classic finetune.py as a command. Loads the pretrained weights with the trained
 * layers skipped (initialised fresh, as finetune.py's {@code skip_layer = train_layers}), trains those layers with
 * SGD and momentum, and reports validation accuracy after every epoch.
 *
 * <p>Both splits are resized to 256x256; training takes random 227 crops, flips and PCA lighting
 * ({@link Augmentation#PAPER}, off with {@code --no-augment}), validation the centre crop. Without a weight file
 * every layer is freshly initialised and the frozen ones stay random: a smoke test of the loop, not transfer.
 */
@Command(name = "finetune", mixinStandardHelpOptions = true,
    description = "Fine-tune AlexNet's last layers on a folder (or list file, or archive) of labelled images.")
final class FinetuneCommand implements Callable<Integer> {

  private static final PreprocessConfig PREPROCESS = PreprocessConfig.builder()
      .geometry(PreprocessConfig.Geometry.RESIZE_SQUARE_THEN_CENTER_CROP).build();

  @Spec
  CommandSpec spec;

  @Option(names = "--train", required = true, paramLabel = "DIR|LIST|ARCHIVE",
      description = "Training images: class folders, a list file (path label per line), or a zip/tar(.gz) of either.")
  Path train;

  @Option(names = "--val", paramLabel = "DIR|LIST|ARCHIVE",
      description = "Validation images, with the same classes as --train. Default: --val-split of --train.")
  Path val;

  @Option(names = "--val-split", paramLabel = "FRACTION",
      description = "Without --val: hold out this fraction of each class of --train (default 0.2).")
  Double valSplit;

  @Option(names = "--weights", paramLabel = "FILE", defaultValue = "weights/bvlc_alexnet.npy",
      description = "Pretrained weights (any form `inspect` reads). If missing, every layer starts fresh. "
          + "Default: ${DEFAULT-VALUE}")
  Path weights;

  @Option(names = "--train-layers", paramLabel = "LAYERS", split = ",", defaultValue = "fc8",
      description = "Layers to train, fresh from initialisation; the rest are loaded and frozen. Default: fc8.")
  List<String> trainLayers;

  @Option(names = "--epochs", paramLabel = "N", defaultValue = "10", description = "Default: ${DEFAULT-VALUE}.")
  int epochs;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "128", description = "Default: ${DEFAULT-VALUE}.")
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

  @Option(names = "--strict", description = "Stop at the first unreadable image instead of reporting and skipping it.")
  boolean strict;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
      description = "TensorFlow intra-op threads (default: all cores).")
  int threads;

  @Option(names = "--device", paramLabel = "DEVICE",
      description = "Train on this TensorFlow device, e.g. /GPU:0 or /CPU:0 (default: TensorFlow picks).")
  String device;

  @Option(names = "--out", paramLabel = "MODEL.npz",
      description = "Save every layer's weights as .npz, and the class names beside it as MODEL.classes.txt.")
  Path out;

  @Option(names = "--json", description = "Epoch lines go to stderr; stdout gets one JSON object at the end.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    checkOptions();
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter log = json ? err : stdout;
    try (Dataset all = open("--train", train); Dataset given = val == null ? null : open("--val", val)) {
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
      try (Trainer trainer = trainer(layers, classes.size(), err);
          BatchPipeline trainBatches = pipeline(trainSet, noAugment ? Augmentation.NONE : Augmentation.PAPER, true);
          BatchPipeline valBatches = pipeline(valSet, Augmentation.NONE, false)) {
        log.printf(Locale.ROOT, "fine-tuning %s on %d images of %d classes, validating on %d%n",
            String.join(",", trainer.trainLayers().stream().sorted(
                (a, b) -> AlexNetSpec.LAYER_NAMES.indexOf(a) - AlexNetSpec.LAYER_NAMES.indexOf(b)).toList()),
            trainSet.size(), classes.size(), valSet.size());
        log.flush();
        double[] accuracy = {Double.NaN, Double.NaN};
        double loss = Double.NaN;
        long trainImages = 0;
        long trainNanos = 0;
        int skipped = 0;
        for (int epoch = 0; epoch < epochs; epoch++) {
          long start = System.nanoTime();
          double lossSum = 0;
          int seen = 0;
          BatchPipeline.EpochReport report;
          try (BatchPipeline.Epoch batches = trainBatches.epoch(epoch)) {
            while (batches.hasNext()) {
              BatchPipeline.Batch b = batches.next();
              if (b.size() > 0) {
                lossSum += (double) trainer.step(b.images(), b.labels(), b.size()) * b.size();
                seen += b.size();
              }
            }
            report = batches.report();
          }
          long nanos = System.nanoTime() - start;
          trainNanos += nanos;
          trainImages += seen;
          skipped += reportSkipped(err, "training", epoch, report);
          loss = seen > 0 ? lossSum / seen : Double.NaN;
          accuracy = evaluate(trainer, valBatches, epoch, err);
          log.printf(Locale.ROOT, "epoch %d/%d  train loss %.4f  val top-1 %.3f%s  %.1f images/s%n", epoch + 1,
              epochs, loss, accuracy[0], classes.size() >= 5 ? String.format(Locale.ROOT, "  top-5 %.3f",
                  accuracy[1]) : "", seen / (nanos / 1e9));
          log.flush();
        }
        if (out != null) {
          save(trainer, classes, log);
        }
        if (json) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("epochs", epochs);
          m.put("classes", classes);
          m.put("trainLayers", trainer.trainedVariables().stream()
              .map(v -> v.substring(0, v.indexOf('/'))).distinct().toList());
          m.put("trainImages", trainSet.size());
          m.put("valImages", valSet.size());
          m.put("trainLoss", loss);
          m.put("valTop1", accuracy[0]);
          if (classes.size() >= 5) {
            m.put("valTop5", accuracy[1]);
          }
          m.put("imagesPerSecond", trainNanos > 0 ? trainImages / (trainNanos / 1e9) : 0);
          m.put("skipped", skipped);
          stdout.println(new ObjectMapper().writeValueAsString(m));
          stdout.flush();
        }
      }
    }
    return 0;
  }

  private void checkOptions() {
    if (epochs < 1 || batchSize < 1) {
      throw new IllegalArgumentException("--epochs and --batch-size must be at least 1");
    }
    if (val != null && valSplit != null) {
      throw new IllegalArgumentException("give --val or --val-split, not both");
    }
    if (valSplit != null && !(valSplit > 0 && valSplit < 1)) {
      throw new IllegalArgumentException("--val-split must be between 0 and 1, was " + valSplit);
    }
    if (!AlexNetSpec.LAYER_NAMES.containsAll(trainLayers)) {
      throw new IllegalArgumentException("--train-layers " + String.join(",", trainLayers)
          + ": layers are " + String.join(",", AlexNetSpec.LAYER_NAMES));
    }
    if (!trainLayers.contains("fc8")) {
      throw new IllegalArgumentException("--train-layers must include fc8: its size is the number of classes");
    }
  }

  /** A folder of class folders, an archive (zip, tar, tar.gz), or else a list file. */
  private static Dataset open(String option, Path path) throws IOException {
    if (!Files.exists(path)) {
      throw new FileNotFoundException(option + " " + path + ": no such file or directory");
    }
    if (Files.isDirectory(path)) {
      return Dataset.fromImageFolder(path);
    }
    String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".zip") || name.endsWith(".tar") || name.endsWith(".tar.gz") || name.endsWith(".tgz")) {
      return Dataset.fromArchive(path);
    }
    return Dataset.fromListFile(path);
  }

  private Trainer trainer(Set<String> layers, int numClasses, PrintWriter err) throws IOException {
    Trainer.Builder b = Trainer.builder().optTrainLayers(layers).optLearningRate(learningRate).optKeepProb(keepProb)
        .optSeed(seed).optIntraOpThreads(threads);
    if (device != null) {
      b.optDevice(device);
    }
    if (Files.exists(weights)) {
      b.setWeights(AlexNetWeights.load(weights, layers, numClasses));
    } else {
      boolean frozen = layers.size() < AlexNetSpec.LAYER_NAMES.size();
      err.println("alexnet finetune: no weights at " + weights + "; every layer starts fresh"
          + (frozen ? " and the frozen ones stay random" : ""));
      err.flush();
      b.setFreshInit().optNumClasses(numClasses);
    }
    return b.build();
  }

  private BatchPipeline pipeline(Dataset data, Augmentation augmentation, boolean shuffle) {
    return BatchPipeline.builder().setDataset(data).optPreprocess(PREPROCESS).optAugmentation(augmentation)
        .optBatchSize(batchSize).optSeed(seed).optShuffle(shuffle).optStrict(strict).build();
  }

  /** Top-1 and top-5 accuracy over the validation set, centre crops, no dropout. */
  private static double[] evaluate(Trainer trainer, BatchPipeline batches, int epoch, PrintWriter err) {
    int n = 0;
    int top1 = 0;
    int top5 = 0;
    try (BatchPipeline.Epoch e = batches.epoch(epoch)) {
      while (e.hasNext()) {
        BatchPipeline.Batch b = e.next();
        if (b.size() == 0) {
          continue;
        }
        float[][] scores = trainer.logits(b.images(), b.size());
        for (int i = 0; i < b.size(); i++) {
          float target = scores[i][b.labels()[i]];
          int above = 0;
          for (float s : scores[i]) {
            if (s > target) {
              above++;
            }
          }
          top1 += above < 1 ? 1 : 0;
          top5 += above < 5 ? 1 : 0;
          n++;
        }
      }
      if (epoch == 0) {
        reportSkipped(err, "validation", epoch, e.report());
      }
    }
    return new double[] {n == 0 ? Double.NaN : (double) top1 / n, n == 0 ? Double.NaN : (double) top5 / n};
  }

  private static int reportSkipped(PrintWriter err, String split, int epoch, BatchPipeline.EpochReport report) {
    if (report.skippedCount() > 0) {
      List<String> first = new ArrayList<>();
      report.firstSkipped().forEach(s -> first.add(s.source() + " (" + s.reason() + ")"));
      err.println("alexnet finetune: epoch " + (epoch + 1) + ": " + report.skippedCount() + " unreadable " + split
          + " images skipped, first: " + String.join(", ", first));
      err.flush();
    }
    return report.skippedCount();
  }

  private void save(Trainer trainer, List<String> classes, PrintWriter log) throws IOException {
    Map<String, WeightArray> arrays = new LinkedHashMap<>();
    for (String layer : AlexNetSpec.LAYER_NAMES) {
      arrays.put(layer + "/weights", trainer.parameter(layer + "/weights"));
      arrays.put(layer + "/biases", trainer.parameter(layer + "/biases"));
    }
    NpzWriter.write(out, arrays);
    String name = out.getFileName().toString();
    Path labels = out.resolveSibling((name.endsWith(".npz") ? name.substring(0, name.length() - 4) : name)
        + ".classes.txt");
    Files.write(labels, classes);
    log.println("saved " + out + " and " + labels);
  }
}
