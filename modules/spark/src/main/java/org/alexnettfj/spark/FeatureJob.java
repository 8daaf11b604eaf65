package org.alexnettfj.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.alexnettfj.data.ImageDecodeException;
import org.alexnettfj.data.PreprocessConfig;
import org.alexnettfj.data.Preprocessor;
import org.alexnettfj.graph.AlexNetGraph;
import org.alexnettfj.graph.AlexNetModel;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FilterFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * AlexNet features on Spark: image paths in, one row {@code (path, features, error)} per image out, ready to write
 * as Parquet. Each image goes through the CLI's preprocessing ({@link PreprocessConfig#NOTEBOOK}: decoded as
 * {@code cv2.imread}, resized to 227x227, BGR, minus [104, 117, 124]) and the CLI's model, so a row equals what
 * {@code alexnet features} writes for the same image and weights. Images are batched within each partition and run
 * through the one model of the executor JVM ({@link ExecutorModels}). An image that cannot be read or decoded
 * becomes a row with an {@code error} and null {@code features}; it never fails the job.
 *
 * <pre>{@code
 * Dataset<String> paths = FeatureJob.listImages(spark, "hdfs:///photos", FeatureJob.IMAGE_FILTER);
 * FeatureJob.extract(paths, new FeatureJob.Settings("bvlc_alexnet.npy", "fc7", 64, 0))
 *     .write().parquet("hdfs:///features/photos.parquet");
 * }</pre>
 */
public final class FeatureJob {

  /** The image file names the directory listing keeps: the formats the decoder reads, in either case. */
  public static final String IMAGE_FILTER = "*.{jpg,jpeg,png,gif,bmp,JPG,JPEG,PNG,GIF,BMP}";

  /** The output rows: the image's path, its layer output (null on error), why it could not be read (else null). */
  public static final StructType SCHEMA = new StructType()
      .add("path", DataTypes.StringType, false)
      .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), true)
      .add("error", DataTypes.StringType, true);

  /** A byte array holds at most this much; a larger file is an error row, not a failed task. */
  private static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;

  private static final Preprocessor PREPROCESSOR = new Preprocessor(PreprocessConfig.NOTEBOOK);
  private static final Preprocessor CENTER_CROP = new Preprocessor(PreprocessConfig.NOTEBOOK.toBuilder()
      .geometry(PreprocessConfig.Geometry.RESIZE_SQUARE_THEN_CENTER_CROP).build());

  private FeatureJob() {
  }

  /**
   * What each executor does, shipped with the tasks.
   *
   * @param weights the weight file: a path every executor can read, or the name of a file Spark shipped to them
   *     ({@code --files}); see {@link ExecutorModels#resolveFile}
   * @param layer the layer whose output is written: {@code conv1} … {@code pool5}, {@code fc6}, {@code fc7},
   *     {@code fc8}, {@code prob}
   * @param batchSize images per run of the model
   * @param threads TensorFlow intra-op threads per executor; 0 = the executor's cores ({@link ExecutorThreads})
   * @param meanImage a Caffe mean image ({@code (3, H, W)} BGR {@code .npy}) to subtract instead of the notebook's
   *     per-channel mean, found as {@code weights} is; null for the per-channel mean
   * @param centerCrop resize to 256 x 256 and take the centre 227 crop, as {@code alexnet finetune} and
   *     {@code evaluate} do (pool5 rows for {@code finetune --features}); else resize to 227 as the classic notebook
   *     and {@code alexnet features} do
   */
  public record Settings(String weights, String layer, int batchSize, int threads, String meanImage,
      boolean centerCrop) implements Serializable {
    /** With the classic notebook's per-channel mean. */
    public Settings(String weights, String layer, int batchSize, int threads) {
      this(weights, layer, batchSize, threads, null, false);
    }

    /** The classic notebook's geometry (resize to 227). */
    public Settings(String weights, String layer, int batchSize, int threads, String meanImage) {
      this(weights, layer, batchSize, threads, meanImage, false);
    }

    public Settings {
      if (!AlexNetGraph.LAYER_OUTPUTS.contains(layer)) {
        throw new IllegalArgumentException("no layer '" + layer + "' in AlexNet; choose one of "
            + AlexNetGraph.LAYER_OUTPUTS);
      }
      if (batchSize < 1) {
        throw new IllegalArgumentException("batch size must be at least 1, was " + batchSize);
      }
      if (threads < 0) {
        throw new IllegalArgumentException("threads must be >= 0 (0: the executor's cores), was " + threads);
      }
    }
  }

  /**
   * The images under {@code input} — a directory (searched recursively) or a glob such as
   * {@code /photos/2024-*}{@code /*.jpg} — whose file names match {@code filter}: every such file, empty ones
   * included (Spark's own {@code binaryFile} listing drops 0-byte files, which would then have no row). Only the
   * paths are listed here, on the driver; the bytes are read by the task that extracts them.
   */
  public static Dataset<String> listImages(SparkSession spark, String input, String filter) {
    try {
      return spark.createDataset(list(spark, input, filter).paths(), Encoders.STRING());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("listing " + input + ": " + e.getMessage(), e);
    }
  }

  /** What a listing found: the image paths, and how many other files it left out (by name, or hidden). */
  public record Listing(List<String> paths, long leftOut) {
  }

  /**
   * The listing behind {@link #listImages}: files whose names match {@code filter} (a Hadoop glob, as Spark's
   * {@code pathGlobFilter}); names starting with '.' or '_' (in the file or a folder below {@code input}) are
   * hidden, as Spark treats them, and counted in {@link Listing#leftOut()} with the files the filter rejects.
   */
  public static Listing list(SparkSession spark, String input, String filter) throws IOException {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    org.apache.hadoop.fs.Path pattern = new org.apache.hadoop.fs.Path(input);
    FileSystem fs = pattern.getFileSystem(conf);
    org.apache.hadoop.fs.GlobFilter names = new org.apache.hadoop.fs.GlobFilter(filter);
    FileStatus[] roots = fs.globStatus(pattern);
    List<String> paths = new ArrayList<>();
    long leftOut = 0;
    if (roots == null) {
      throw new FileNotFoundException(input + ": no such file or folder");
    }
    for (FileStatus root : roots) {
      if (!root.isDirectory()) {
        if (names.accept(root.getPath())) {
          paths.add(root.getPath().toString());
        } else {
          leftOut++;
        }
        continue;
      }
      String rootPath = root.getPath().toString();
      org.apache.hadoop.fs.RemoteIterator<org.apache.hadoop.fs.LocatedFileStatus> files =
          fs.listFiles(root.getPath(), true);
      while (files.hasNext()) {
        org.apache.hadoop.fs.Path file = files.next().getPath();
        String below = file.toString().substring(Math.min(rootPath.length(), file.toString().length()));
        boolean hidden = false;
        for (String part : below.split("/")) {
          hidden |= part.startsWith(".") || part.startsWith("_");
        }
        if (!hidden && names.accept(file)) {
          paths.add(file.toString());
        } else {
          leftOut++;
        }
      }
    }
    Collections.sort(paths);
    return new Listing(paths, leftOut);
  }

  /**
   * The image paths in a text file, one per line (blank lines skipped); a relative path is relative to the list's
   * folder, as for {@code alexnet features --list}.
   */
  public static Dataset<String> readList(SparkSession spark, String listFile) throws IOException {
    org.apache.hadoop.fs.Path list = new org.apache.hadoop.fs.Path(listFile);
    String folder = list.getFileSystem(spark.sparkContext().hadoopConfiguration()).makeQualified(list).getParent()
        .toString();
    return spark.read().textFile(listFile)
        .map((MapFunction<String, String>) String::strip, Encoders.STRING())
        .filter((FilterFunction<String>) line -> !line.isEmpty())
        .map((MapFunction<String, String>) line -> resolve(folder, line), Encoders.STRING());
  }

  /** {@code line} against the list's folder, unless it is absolute; left as written if it is no Hadoop path. */
  static String resolve(String folder, String line) {
    try {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(line);
      return p.isAbsolute() || p.toUri().getScheme() != null ? line
          : new org.apache.hadoop.fs.Path(folder, p).toString();
    } catch (IllegalArgumentException e) {
      return line; // its read fails, and it becomes an error row naming it
    }
  }

  /**
   * {@code rows} with a {@code label} column: the name of the class folder each image is in below {@code root}
   * ({@code root/<class>/.../image.jpg}), null for an image directly in {@code root} — the labels {@code alexnet
   * finetune --features} trains from, as {@code finetune --train root} would take them from the folders.
   */
  public static Dataset<Row> withClassLabels(Dataset<Row> rows, String root) {
    SparkSession spark = rows.sparkSession();
    org.apache.hadoop.fs.Path r = new org.apache.hadoop.fs.Path(root);
    String prefix;
    try {
      prefix = r.getFileSystem(spark.sparkContext().hadoopConfiguration()).makeQualified(r).toString();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    String under = prefix.endsWith("/") ? prefix : prefix + "/";
    org.apache.spark.sql.expressions.UserDefinedFunction label = org.apache.spark.sql.functions.udf(
        (org.apache.spark.sql.api.java.UDF1<String, String>) path -> classOf(path, under), DataTypes.StringType);
    return rows.withColumn("label", label.apply(org.apache.spark.sql.functions.col("path")));
  }

  /** The first folder of {@code path} below {@code under} (ending in '/'), if the path is deeper than that. */
  static String classOf(String path, String under) {
    if (!path.startsWith(under)) {
      return null;
    }
    int slash = path.indexOf('/', under.length());
    return slash > under.length() ? path.substring(under.length(), slash) : null;
  }

  /** One row per path, in {@link #SCHEMA}: features of {@code settings.layer()}, or the reason there are none. */
  public static Dataset<Row> extract(Dataset<String> paths, Settings settings) {
    SparkSession spark = paths.sparkSession();
    Broadcast<HadoopConf> conf = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .broadcast(new HadoopConf(spark.sparkContext().hadoopConfiguration()));
    return paths.mapPartitions(new ExtractPartition(settings, conf), Encoders.row(SCHEMA));
  }

  /** One partition's work, on an executor: the executor's model, then the paths in batches. */
  private static final class ExtractPartition implements MapPartitionsFunction<String, Row> {
    private final Settings settings;
    private final Broadcast<HadoopConf> conf;

    ExtractPartition(Settings settings, Broadcast<HadoopConf> conf) {
      this.settings = settings;
      this.conf = conf;
    }

    @Override
    public Iterator<Row> call(Iterator<String> paths) throws IOException {
      if (!paths.hasNext()) {
        return Collections.emptyIterator(); // an empty partition loads no model
      }
      ExecutorThreads threads = ExecutorThreads.of(SparkEnv.get().conf(), Runtime.getRuntime().availableProcessors());
      Path weights = ExecutorModels.resolveFile(settings.weights(), Path.of(SparkFiles.getRootDirectory()));
      AlexNetModel model = ExecutorModels.get(new ExecutorModels.Key(weights, settings.batchSize(),
          settings.threads() > 0 ? settings.threads() : threads.intraOp(), threads.interOp()));
      Preprocessor preprocessor = settings.meanImage() == null ? (settings.centerCrop() ? CENTER_CROP : PREPROCESSOR)
          : ExecutorModels.preprocessor(settings.centerCrop(), ExecutorModels.resolveFile(settings.meanImage(),
              Path.of(SparkFiles.getRootDirectory())));
      return new Batches(paths, model, preprocessor, settings, conf.value().get());
    }
  }

  /** The rows of a partition, made a batch at a time as Spark pulls them, so a partition is never all in memory. */
  private static final class Batches implements Iterator<Row> {
    private final Iterator<String> paths;
    private final AlexNetModel model;
    private final Preprocessor preprocessor;
    private final Settings settings;
    private final Configuration conf;
    private final ArrayDeque<Row> ready = new ArrayDeque<>();

    Batches(Iterator<String> paths, AlexNetModel model, Preprocessor preprocessor, Settings settings,
        Configuration conf) {
      this.paths = paths;
      this.model = model;
      this.preprocessor = preprocessor;
      this.settings = settings;
      this.conf = conf;
    }

    @Override
    public boolean hasNext() {
      if (ready.isEmpty() && paths.hasNext()) {
        nextBatch();
      }
      return !ready.isEmpty();
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return ready.poll();
    }

    private void nextBatch() {
      List<String> names = new ArrayList<>(settings.batchSize());
      List<String> errors = new ArrayList<>(settings.batchSize());
      List<float[][]> inputs = new ArrayList<>(settings.batchSize());
      while (names.size() < settings.batchSize() && paths.hasNext()) {
        String path = paths.next();
        names.add(path);
        try {
          inputs.add(new float[][] {preprocessor.apply(preprocessor.config().decoder().decode(read(path, conf),
              path))});
          errors.add(null);
        } catch (IOException | RuntimeException e) {
          // one file's problem, whatever the decoder threw: its row says so and the job goes on
          inputs.add(null);
          errors.add(errorMessage(path, e));
        }
      }
      float[][] rows = model.featuresOfItems(inputs, settings.layer());
      for (int i = 0; i < names.size(); i++) {
        ready.add(RowFactory.create(names.get(i), rows[i], errors.get(i)));
      }
    }
  }

  /** Why {@code path} has no features, naming it (an ImageDecodeException's message already does). */
  static String errorMessage(String path, Exception e) {
    if (e instanceof ImageDecodeException) {
      return e.getMessage();
    }
    return path + ": " + (e.getMessage() != null ? e.getMessage() : e.toString());
  }

  /** The whole file, through Hadoop's file systems (local, HDFS, S3, ...). */
  static byte[] read(String path, Configuration conf) throws IOException {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
    FileSystem fs = p.getFileSystem(conf);
    FileStatus status;
    try {
      status = fs.getFileStatus(p);
    } catch (FileNotFoundException e) {
      throw new ImageDecodeException(path, "no such file", e);
    }
    if (!status.isFile()) {
      throw new ImageDecodeException(path, "not a regular file", null);
    }
    if (status.getLen() > MAX_FILE_BYTES) {
      throw new ImageDecodeException(path, "file of " + status.getLen() + " bytes, more than the 2 GB an image "
          + "may have here", null);
    }
    try (FSDataInputStream in = fs.open(p)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new ImageDecodeException(path, "cannot read: " + e.getMessage(), e);
    }
  }

  /**
   * The driver's Hadoop configuration (file system settings, credentials set with {@code spark.hadoop.*}) for the
   * executors' reads. Hadoop's {@code Configuration} is Writable but not Serializable.
   */
  private static final class HadoopConf implements Serializable {
    private transient Configuration conf;

    HadoopConf(Configuration conf) {
      this.conf = conf;
    }

    Configuration get() {
      return conf;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
      out.defaultWriteObject();
      conf.write(out);
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      in.defaultReadObject();
      conf = new Configuration(false);
      conf.readFields(in);
    }
  }
}
