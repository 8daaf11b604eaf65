package org.alexnettfj.spark;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.alexnettfj.command.UsageError;
import org.alexnettfj.data.Mean;
import org.alexnettfj.graph.AlexNetGraph;
import org.alexnettfj.graph.AlexNetModel;
import org.alexnettfj.weights.PartialWrite;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code alexnet-spark features}: one layer's output for every image, as Parquet rows (path, features, error). */
@Command(name = "features", mixinStandardHelpOptions = true, exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:every image was read", "1:bad input (checked before any task); nothing was written",
        "2:a usage error (an unknown option, a missing value, a value the option cannot take)",
        "3:some images could not be read: each has a row with its error (the first named on stderr), the others "
            + "have their features"},
    description = "Write one layer's output (default fc7) for each image as Parquet rows (path string, features "
        + "array<float>, error string; with --input, label string: the image's class folder below it). An "
        + "unreadable image gets a row with its error and null features; the job goes on. Each executor loads the "
        + "model once and shares it between its tasks.")
final class SparkFeaturesCommand implements Callable<Integer> {

  /** How many error rows are printed at the end; the rest are counted. */
  private static final int ERRORS_SHOWN = 10;

  @Spec
  CommandSpec spec;

  @Option(names = "--weights", paramLabel = "FILE", defaultValue = "weights/bvlc_alexnet.npy",
      description = "Pretrained weights (any form `alexnet inspect` reads): a local file, which Spark ships to the "
          + "executors of a cluster, or an hdfs:// or s3a:// URI. Default: ${DEFAULT-VALUE}")
  String weights;

  @ArgGroup(multiplicity = "1")
  Inputs inputs;

  static final class Inputs {
    @Option(names = "--input", paramLabel = "DIR|GLOB", required = true,
        description = "A folder (searched recursively) or a glob of images, local or on any Hadoop file system "
            + "(hdfs://, s3a://); --filter picks the files.")
    String input;

    @Option(names = "--list", paramLabel = "FILE", required = true,
        description = "A text file of image paths, one per line (relative paths are relative to the list's folder).")
    String list;
  }

  @Option(names = "--out", required = true, paramLabel = "OUT.parquet", description = "Output Parquet folder.")
  String out;

  @Option(names = "--layer", defaultValue = "fc7",
      description = "conv1..conv5, norm1, norm2, pool1, pool2, pool5, fc6, fc7, fc8, prob (default ${DEFAULT-VALUE}).")
  String layer;

  @Option(names = "--mean-image", paramLabel = "MEAN.npy",
      description = "Subtract a per-pixel BGR mean image, (3, H, W) like Caffe's ilsvrc_2012_mean.npy, instead of the "
          + "per-channel mean [104, 117, 124] the classic notebook uses (as alexnet features --mean-image); shipped "
          + "to the executors as the weights are, so its file name must differ from theirs.")
  String meanImage;

  @Option(names = "--master", paramLabel = "URL",
      description = "Spark master, e.g. local[4] (default: spark-submit's --master, else local[*]).")
  String master;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "" + AlexNetModel.DEFAULT_MAX_BATCH,
      description = "Images per run of the model, within a partition (default ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
      description = "TensorFlow intra-op threads per executor (default: the executor's cores).")
  int threads;

  @Option(names = "--partitions", paramLabel = "N", defaultValue = "0",
      description = "Spread the images over N partitions (default: as Spark lists them).")
  int partitions;

  @Option(names = "--filter", paramLabel = "GLOB", defaultValue = FeatureJob.IMAGE_FILTER,
      description = "File names --input keeps (default ${DEFAULT-VALUE}).")
  String filter;

  @Option(names = "--force", description = "Overwrite an existing output.")
  boolean force;

  @Option(names = "--center-crop",
      description = "Resize to 256x256 and take the centre 227 crop, as alexnet finetune and evaluate do: for pool5 "
          + "rows that finetune --features trains from. Default: resize to 227, as alexnet features does.")
  boolean centerCrop;

  @Override
  public Integer call() throws Exception {
    checkOptions();
    FeatureJob.Settings settings = new FeatureJob.Settings(driverWeights(), layer, batchSize, threads,
        driverMeanImage(), centerCrop);
    String weightsName = ExecutorModels.fileName(settings.weights());
    if (settings.meanImage() != null && weightsName.equals(ExecutorModels.fileName(settings.meanImage()))) {
      // Executors find shipped files by name (SparkFiles): one of the two would be read as the other.
      throw new IllegalArgumentException("--weights " + weights + " and --mean-image " + meanImage + " have the same "
          + "file name, " + weightsName + ", and Spark ships files to its executors by name: rename or copy one of "
          + "them");
    }
    if (!force && !ExecutorModels.isUri(out) && Files.exists(Path.of(out))) {
      throw new IllegalArgumentException(out + " exists; add --force to overwrite");
    }
    if (!ExecutorModels.isUri(out)) {
      Path folder = Path.of(out).toAbsolutePath().getParent();
      if (Files.isDirectory(folder) && !Files.isWritable(folder)) {
        throw new IllegalArgumentException(out + ": cannot write in " + folder + " (not writable)");
      }
    }
    PrintWriter err = spec.commandLine().getErr();
    long failed;
    scala.Option<SparkSession> running = SparkSession.getDefaultSession();
    SparkSession spark = running.isDefined() ? running.get() : start();
    try {
      ship(spark, settings.weights());
      if (settings.meanImage() != null) {
        ship(spark, settings.meanImage());
      }
      Dataset<String> paths;
      if (inputs.input != null) {
        FeatureJob.Listing listing = FeatureJob.list(spark, inputs.input, filter);
        if (listing.paths().isEmpty()) {
          throw new IllegalArgumentException("no images in " + inputs.input + " (names matching " + filter + ")");
        }
        if (listing.leftOut() > 0) {
          err.println("alexnet-spark features: " + listing.leftOut() + " of the " + (listing.leftOut()
              + listing.paths().size()) + " files in " + inputs.input + " left out: not matching --filter " + filter
              + ", or hidden (a name starting with . or _)");
          err.flush();
        }
        paths = spark.createDataset(listing.paths(), org.apache.spark.sql.Encoders.STRING());
      } else {
        paths = FeatureJob.readList(spark, inputs.list);
      }
      if (partitions > 0) {
        paths = paths.repartition(partitions);
      }
      Dataset<Row> rows = FeatureJob.extract(paths, settings);
      if (inputs.input != null) {
        rows = FeatureJob.withClassLabels(rows, inputs.input);   // class folders: what finetune --features reads
      }
      if (ExecutorModels.isUri(out)) {
        rows.write().mode(force ? SaveMode.Overwrite : SaveMode.ErrorIfExists).parquet(out);
      } else {
        // a local folder: written beside it as .OUT.partial/ (a killed job's leftover is replaced by the next run)
        // and renamed into place only once the job has succeeded
        try (PartialWrite partial = PartialWrite.folder(Path.of(out))) {
          Path data = partial.path().resolve("data");
          rows.write().mode(SaveMode.ErrorIfExists).parquet(data.toString());
          partial.commitFolder(data);
        }
      }
      failed = report(spark, err);
    } finally {
      if (!running.isDefined()) {
        spark.stop();
      }
    }
    return failed > 0 ? AlexNetSpark.EXIT_SOME_INPUTS_FAILED : 0;
  }

  /** The option values the command cannot take: usage errors (exit 2), before any file is read. */
  private void checkOptions() {
    if (!AlexNetGraph.LAYER_OUTPUTS.contains(layer)) {
      throw new UsageError("--layer " + layer + ": no such layer in AlexNet; choose one of "
          + AlexNetGraph.LAYER_OUTPUTS);
    }
    if (batchSize < 1) {
      throw new UsageError("--batch-size must be at least 1, was " + batchSize);
    }
    if (threads < 0) {
      throw new UsageError("--threads must be >= 0 (0: the executor's cores), was " + threads);
    }
    if (partitions < 0) {
      throw new UsageError("--partitions must be >= 0, was " + partitions);
    }
  }

  /**
   * The weights as the executors are told them. A local file is read and checked here first (every array's shape,
   * NaN and infinity, as {@code alexnet} checks them), so that bad weights stop the run with one message before
   * any task, rather than fail in every task.
   */
  private String driverWeights() throws java.io.IOException {
    if (ExecutorModels.isUri(weights)) {
      return weights;
    }
    Path file = Path.of(weights);
    ExecutorModels.requireWeightsFile(file);
    org.alexnettfj.weights.AlexNetWeights.complete(file);
    return file.toAbsolutePath().toString();
  }

  /** The mean image as the executors are told it; a local one is read here first, so a bad file stops the run. */
  private String driverMeanImage() throws java.io.IOException {
    if (meanImage == null || ExecutorModels.isUri(meanImage)) {
      return meanImage;
    }
    Path file = Path.of(meanImage);
    if (!Files.isRegularFile(file)) {
      throw new java.io.FileNotFoundException(file + ": no such mean image (--mean-image)");
    }
    Mean.caffeMeanImage(file);
    return file.toAbsolutePath().toString();
  }

  private SparkSession start() {
    SparkConf conf = new SparkConf(); // spark-submit's settings, from the spark.* system properties
    SparkSession.Builder b = SparkSession.builder().appName("alexnet-spark features");
    if (master != null) {
      b.master(master);
    } else if (!conf.contains("spark.master")) {
      b.master("local[*]");
    }
    if (!conf.contains("spark.ui.showConsoleProgress")) {
      b.config("spark.ui.showConsoleProgress", "true"); // stage progress on stderr for a long run
    }
    // Spark 4 isolates each session's artifacts: without this the files SparkContext.addFile ships (the weights)
    // do not reach the tasks of this session's queries, and an executor that cannot see the driver's path has no
    // weights (tools/spark-cluster-check runs such executors).
    b.config("spark.sql.artifact.isolation.enabled", "false");
    return b.getOrCreate();
  }

  /**
   * A driver-local file (weights, mean image) is sent to each executor of a cluster (as {@code spark-submit --files}
   * would), and a URI fetched by each; in a local run the executor is this JVM and reads the file in place.
   */
  private static void ship(SparkSession spark, String file) {
    if (ExecutorModels.isUri(file) || !spark.sparkContext().isLocal()) {
      spark.sparkContext().addFile(file);
    }
  }

  /** The summary on stderr; returns the count of error rows. */
  private long report(SparkSession spark, PrintWriter err) {
    Dataset<Row> written = spark.read().parquet(out);
    long rows = written.count();
    List<Row> errors = written.filter("error IS NOT NULL").select("error").limit(ERRORS_SHOWN).collectAsList();
    long failed = errors.size() < ERRORS_SHOWN ? errors.size() : written.filter("error IS NOT NULL").count();
    for (Row e : errors) {
      err.println("alexnet-spark features: unreadable " + e.getString(0));
    }
    if (failed > errors.size()) {
      err.println("alexnet-spark features: ... and " + (failed - errors.size()) + " more unreadable images");
    }
    err.printf("alexnet-spark features: wrote %s: %d rows of %s%s%n", out, rows, layer,
        failed > 0 ? " (" + failed + " unreadable images: their rows have an error and no features)" : "");
    err.flush();
    return failed;
  }
}
