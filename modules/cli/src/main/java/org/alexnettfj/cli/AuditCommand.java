package org.alexnettfj.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.alexnettfj.command.UsageError;
import org.alexnettfj.data.BgrImage;
import org.alexnettfj.data.ImageDecodeException;
import org.alexnettfj.data.ImageDecoder;
import org.alexnettfj.data.train.Dataset;
import org.alexnettfj.data.train.LabeledImage;
import org.alexnettfj.graph.AlexNetPredictor;
import org.alexnettfj.search.FeatureIndex;
import org.alexnettfj.search.NearestNeighbours;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code alexnet audit}: what to know about a dataset before fine-tuning on it — classes and their balance, images
 * that cannot be read or are not what they seem (grayscale, CMYK, tiny), a validation split smaller than a batch,
 * and validation images that are near-copies of training images (fc7 cosine similarity at or above a threshold),
 * which would make validation accuracy a measure of memory.
 */
@Command(name = "audit", mixinStandardHelpOptions = true, exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:the audit ran (whatever it found)", "1:bad input",
        "2:a usage error (an unknown option, a missing value, a value the option cannot take)"},
    description = "Audit a dataset before fine-tuning: per-class counts and imbalance, unreadable, grayscale, CMYK "
        + "and tiny images by path, a validation split smaller than one batch, and validation images that are "
        + "near-copies of training images by fc7 cosine similarity.")
final class AuditCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DATA", description = "Training images: class folders, a list file, or an "
      + "archive, as finetune --train takes them.")
  Path train;

  @Option(names = "--val", paramLabel = "DIR|LIST|ARCHIVE", description = "Validation images (default: --val-split).")
  Path val;

  @Option(names = "--val-split", paramLabel = "FRACTION", defaultValue = "0.2",
      description = "Without --val, the split finetune would make. Default: ${DEFAULT-VALUE}.")
  double valSplit;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "The split's seed, as finetune's.")
  long seed;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "128",
      description = SharedOptions.BATCH_SIZE + " The batch size finetune will use. Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(names = "--min-side", paramLabel = "PIXELS", defaultValue = "64",
      description = "Images with a shorter side are tiny (AlexNet enlarges them to 256). Default: ${DEFAULT-VALUE}.")
  int minSide;

  @Option(names = "--weights", paramLabel = "FILE", defaultValue = "weights/bvlc_alexnet.npy",
      description = SharedOptions.WEIGHTS + " Their fc7 finds near-copies. Default: ${DEFAULT-VALUE}")
  Path weights;

  @Option(names = "--duplicate-cosine", paramLabel = "C", defaultValue = "0.98",
      description = "fc7 cosine similarity at or above which a validation image is a near-copy of a training one. "
          + "Default: ${DEFAULT-VALUE}.")
  double duplicateCosine;

  @Option(names = "--no-duplicates", description = "Skip the near-copy search (it computes fc7 of every image).")
  boolean noDuplicates;

  @Mixin
  SharedOptions.Threads threads;

  @Option(names = "--json", description = SharedOptions.JSON + " One object, instead of the text report.")
  boolean json;

  /** One image's trouble: its path and what is wrong. */
  record Finding(String source, String what) {
  }

  @Override
  public Integer call() throws Exception {
    if (batchSize < 1 || minSide < 1 || !(duplicateCosine > 0 && duplicateCosine <= 1)) {
      throw new UsageError("--batch-size and --min-side must be positive, --duplicate-cosine in (0, 1]");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (Dataset all = Datasets.open("DATA", train); Dataset given = val == null ? null : Datasets.open("--val", val)) {
      Dataset trainSet = all;
      Dataset valSet = given;
      if (given == null) {
        Dataset.Split split = all.split(valSplit, seed);
        trainSet = split.train();
        valSet = split.validation();
      }
      List<String> classes = all.classNames();
      long[] trainCounts = counts(trainSet, classes.size());
      long[] valCounts = counts(valSet, classes.size());
      List<Finding> unreadable = new ArrayList<>();
      List<Finding> grayscale = new ArrayList<>();
      List<Finding> cmyk = new ArrayList<>();
      List<Finding> tiny = new ArrayList<>();
      List<String> readable = new ArrayList<>();
      try (Progress progress = Progress.items("Auditing")) {
        int done = 0;
        for (Dataset d : List.of(trainSet, valSet)) {
          for (LabeledImage item : d.items()) {
            byte[] bytes;
            try {
              bytes = d.read(item);
            } catch (java.io.IOException e) {
              unreadable.add(new Finding(item.source(), "cannot read: " + e.getMessage()));
              continue;
            }
            if (jpegComponents(bytes) == 4) {
              cmyk.add(new Finding(item.source(), "CMYK (or YCCK) JPEG: decoded with OpenCV's conversion, "
                  + "colours may differ from a viewer's"));
            }
            BgrImage image;
            try {
              image = ImageDecoder.DEFAULT.decode(bytes, item.source());
            } catch (ImageDecodeException e) {
              unreadable.add(new Finding(item.source(), e.getMessage()));
              continue;
            } finally {
              progress.progress(++done, trainSet.size() + valSet.size());
            }
            readable.add(item.source());
            if (Math.min(image.width(), image.height()) < minSide) {
              tiny.add(new Finding(item.source(), image.width() + "x" + image.height()));
            }
            if (isGray(image)) {
              grayscale.add(new Finding(item.source(), "grayscale (three equal channels)"));
            }
          }
        }
      }
      List<Map<String, Object>> duplicates = noDuplicates || valSet.size() == 0 ? List.of()
          : nearCopies(trainSet, valSet, readable, err);
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("classes", classes);
      report.put("trainCounts", trainCounts);
      report.put("valCounts", valCounts);
      long max = java.util.Arrays.stream(trainCounts).max().orElse(0);
      long min = java.util.Arrays.stream(trainCounts).min().orElse(0);
      report.put("imbalance", min == 0 ? null : (double) max / min);
      report.put("valSmallerThanBatch", valSet.size() < batchSize);
      report.put("unreadable", unreadable);
      report.put("grayscale", grayscale);
      report.put("cmyk", cmyk);
      report.put("tiny", tiny);
      report.put("nearCopies", noDuplicates ? null : duplicates);
      if (json) {
        out.println(Json.of(report));
      } else {
        printText(out, classes, trainCounts, valCounts, valSet.size(), unreadable, grayscale, cmyk, tiny,
            duplicates);
      }
      out.flush();
    }
    return 0;
  }

  private static long[] counts(Dataset d, int classes) {
    long[] c = new long[classes];
    d.items().forEach(item -> c[item.label()]++);
    return c;
  }

  /** Every pixel's three channels equal: a gray image in colour's clothes (or a gray file). */
  static boolean isGray(BgrImage image) {
    byte[] p = image.pixels();
    for (int i = 0; i < p.length; i += 3) {
      if (p[i] != p[i + 1] || p[i] != p[i + 2]) {
        return false;
      }
    }
    return true;
  }

  /** The component count of a JPEG's frame (SOF) header, or 0 if it is not a JPEG or has none. */
  static int jpegComponents(byte[] b) {
    if (b.length < 4 || (b[0] & 0xff) != 0xff || (b[1] & 0xff) != 0xd8) {
      return 0;
    }
    int at = 2;
    while (at + 4 <= b.length) {
      if ((b[at] & 0xff) != 0xff) {
        return 0;
      }
      int marker = b[at + 1] & 0xff;
      int length = ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
      boolean sof = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
      if (sof) {
        return at + 9 < b.length ? b[at + 9] & 0xff : 0;
      }
      if (marker == 0xda || length < 2) {
        return 0;
      }
      at += 2 + length;
    }
    return 0;
  }

  /** Validation images whose fc7 is within the cosine threshold of a training image's, with the closest one. */
  private List<Map<String, Object>> nearCopies(Dataset trainSet, Dataset valSet, List<String> readable,
      PrintWriter err) throws Exception {
    java.util.Set<String> ok = new java.util.HashSet<>(readable);
    List<Path> trainPaths = trainSet.items().stream().map(LabeledImage::source).filter(ok::contains).map(Path::of)
        .toList();
    List<Path> valPaths = valSet.items().stream().map(LabeledImage::source).filter(ok::contains).map(Path::of)
        .toList();
    if (trainPaths.isEmpty() || valPaths.isEmpty()) {
      return List.of();
    }
    if (!Files.isRegularFile(trainPaths.get(0)) || !Files.isRegularFile(valPaths.get(0))) {
      err.println("alexnet audit: near-copies are searched among image files; extract the archive first");
      err.flush();
      return List.of();
    }
    if (!Files.exists(weights)) {
      err.println("alexnet audit: no weights at " + weights + ": near-copies are found with a freshly initialised "
          + "network's fc7, less its mean over the training images (--weights bvlc_alexnet.npy for real ones)");
      err.flush();
    }
    // Without trained weights, fc7 of a random network points the same way for every image (cosine ~0.9999):
    // its mean is taken out first, which leaves what tells images apart.
    boolean centre = !Files.exists(weights);
    Path tmp = Files.createTempDirectory("alexnet-audit");
    try {
      Path raw = tmp.resolve("raw.index");
      List<float[]> queries = new ArrayList<>();
      try (AlexNetPredictor predictor = predictor()) {
        try (FeatureIndex.Writer w = FeatureIndex.writer(raw, predictor.model().featureSize("fc7"), false,
            Map.of("layer", "fc7"))) {
          predictor.run(trainPaths, "fc7", false, o -> {
            if (o.ok()) {
              w.add(o.output(), o.path().toString());
            }
          });
          w.commit();
        }
        predictor.run(valPaths, "fc7", false, o -> queries.add(o.ok() ? o.output() : null));
      }
      Path index = raw;
      if (centre) {
        index = tmp.resolve("centred.index");
        try (FeatureIndex r = FeatureIndex.open(raw)) {
          double[] mean = new double[r.dims()];
          for (int i = 0; i < r.size(); i++) {
            float[] row = r.row(i);
            for (int j = 0; j < row.length; j++) {
              mean[j] += row[j] / (double) r.size();
            }
          }
          try (FeatureIndex.Writer w = FeatureIndex.writer(index, r.dims(), false, Map.of("layer", "fc7"))) {
            for (int i = 0; i < r.size(); i++) {
              w.add(minus(r.row(i), mean), r.path(i));
            }
            w.commit();
          }
          for (int i = 0; i < queries.size(); i++) {
            if (queries.get(i) != null) {
              queries.set(i, minus(queries.get(i), mean));
            }
          }
        }
      }
      List<Map<String, Object>> found = new ArrayList<>();
      try (FeatureIndex idx = FeatureIndex.open(index)) {
        List<float[]> present = queries.stream().filter(java.util.Objects::nonNull).toList();
        List<List<NearestNeighbours.Neighbour>> nearest = NearestNeighbours.search(idx, present, 1,
            NearestNeighbours.Metric.COSINE, threads.orAllCores());
        int q = 0;
        for (int i = 0; i < queries.size(); i++) {
          if (queries.get(i) == null) {
            continue;
          }
          NearestNeighbours.Neighbour n = nearest.get(q++).get(0);
          double cosine = 1 - n.distance();
          if (cosine >= duplicateCosine) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("val", valPaths.get(i).toString());
            row.put("train", n.path());
            row.put("cosine", cosine);
            found.add(row);
          }
        }
      }
      return found;
    } finally {
      org.alexnettfj.weights.PartialWrite.deleteTree(tmp);
    }
  }

  private static float[] minus(float[] v, double[] mean) {
    float[] out = new float[v.length];
    for (int j = 0; j < v.length; j++) {
      out[j] = (float) (v[j] - mean[j]);
    }
    return out;
  }

  private AlexNetPredictor predictor() throws java.io.IOException {
    AlexNetPredictor.Builder b = AlexNetPredictor.builder().optIntraOpThreads(threads.count())
        .optPreprocess(EvaluateCommand.PREPROCESS);
    if (Files.exists(weights)) {
      return b.setWeightsFile(weights).build();
    }
    return b.setModel(org.alexnettfj.graph.AlexNetModel.builder().setFreshInit().optIntraOpThreads(threads.count())
        .build()).build();
  }

  private void printText(PrintWriter out, List<String> classes, long[] trainCounts, long[] valCounts, int valSize,
      List<Finding> unreadable, List<Finding> grayscale, List<Finding> cmyk, List<Finding> tiny,
      List<Map<String, Object>> duplicates) {
    int width = Math.max(5, classes.stream().mapToInt(String::length).max().orElse(5));
    out.printf(Locale.ROOT, "%-" + width + "s  %7s  %7s%n", "class", "train", "val");
    for (int c = 0; c < classes.size(); c++) {
      out.printf(Locale.ROOT, "%-" + width + "s  %7d  %7d%n", classes.get(c), trainCounts[c], valCounts[c]);
    }
    long max = java.util.Arrays.stream(trainCounts).max().orElse(0);
    long min = java.util.Arrays.stream(trainCounts).min().orElse(0);
    out.println(min == 0 ? "imbalance: a class has no training images"
        : String.format(Locale.ROOT, "imbalance: %.1f (largest class / smallest)%s", (double) max / min,
            (double) max / min >= 3 ? "; consider finetune --class-weights auto" : ""));
    if (valSize < batchSize) {
      out.printf(Locale.ROOT, "validation: %d images, fewer than one batch of %d (validation accuracy moves in steps "
          + "of %.3f)%n", valSize, batchSize, valSize == 0 ? 1.0 : 1.0 / valSize);
    }
    section(out, "unreadable", unreadable);
    section(out, "grayscale", grayscale);
    section(out, "CMYK", cmyk);
    section(out, "tiny (shorter side < " + minSide + ")", tiny);
    if (noDuplicates) {
      out.println("near-copies: not searched (--no-duplicates)");
    } else {
      out.printf(Locale.ROOT, "near-copies (fc7 cosine >= %.2f): %d%n", duplicateCosine, duplicates.size());
      for (Map<String, Object> d : duplicates) {
        out.printf(Locale.ROOT, "  %s ~ %s (%.4f)%n", d.get("val"), d.get("train"), (Double) d.get("cosine"));
      }
    }
  }

  private static void section(PrintWriter out, String name, List<Finding> findings) {
    out.println(name + ": " + findings.size());
    for (int i = 0; i < Math.min(20, findings.size()); i++) {
      out.println("  " + findings.get(i).source() + ": " + findings.get(i).what());
    }
    if (findings.size() > 20) {
      out.println("  ... and " + (findings.size() - 20) + " more");
    }
  }
}
