package org.alexnettfj.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.alexnettfj.data.Mean;
import org.alexnettfj.data.PreprocessConfig;
import org.alexnettfj.data.Preprocessor;
import org.alexnettfj.graph.AlexNetModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models of this JVM: each is loaded once, on first use, and shared by every task the executor runs (an
 * {@link AlexNetModel} is thread-safe), so an executor reads the 244 MB of weights once per application, not once
 * per task or partition. A model serves every layer, so the layer is not part of its {@link Key}.
 *
 * <pre>{@code
 * AlexNetModel model = ExecutorModels.get(new ExecutorModels.Key(weights, 64, 4, 4));   // loads on the first call
 * }</pre>
 */
public final class ExecutorModels {

  private static final Logger LOG = LoggerFactory.getLogger(ExecutorModels.class);

  /** What makes two models different: the weight file as this JVM reads it, the batch size and thread pools. */
  public record Key(Path weights, int maxBatch, int intraOpThreads, int interOpThreads) {
  }

  private static final Map<Key, AlexNetModel> MODELS = new LinkedHashMap<>();
  private static final AtomicInteger LOADS = new AtomicInteger();
  private static final Map<String, Preprocessor> PREPROCESSORS = new LinkedHashMap<>();

  private ExecutorModels() {
  }

  /**
   * The model for {@code key}, loaded from its weight file on the first call in this JVM. Tasks that ask at the same
   * time wait for that one load rather than each loading a copy.
   */
  public static synchronized AlexNetModel get(Key key) throws IOException {
    AlexNetModel model = MODELS.get(key);
    if (model == null) {
      long start = System.nanoTime();
      // As AlexNetPredictor loads a weight file for the CLI: the classes are the file's own fc8's.
      model = AlexNetModel.builder()
          .setWeightsFile(key.weights())
          .optMaxBatch(key.maxBatch())
          .optIntraOpThreads(key.intraOpThreads())
          .optInterOpThreads(key.interOpThreads())
          .build();
      MODELS.put(key, model);
      LOADS.incrementAndGet();
      LOG.info("alexnet: loaded {} in {} ms ({} intra-op, {} inter-op TensorFlow threads)", key.weights(),
          (System.nanoTime() - start) / 1_000_000, key.intraOpThreads(), key.interOpThreads());
    }
    return model;
  }

  /**
   * The classic notebook's preprocessing with Caffe mean image {@code meanImage} (a {@code (3, H, W)} BGR
   * {@code .npy}, as {@code alexnet features --mean-image} takes it), read once per JVM.
   */
  public static synchronized Preprocessor preprocessor(Path meanImage) throws IOException {
    return preprocessor(false, meanImage);
  }

  /** As {@link #preprocessor(Path)}, with finetune's 256 resize and centre crop when {@code centerCrop}. */
  public static synchronized Preprocessor preprocessor(boolean centerCrop, Path meanImage) throws IOException {
    String key = centerCrop + ":" + meanImage;
    Preprocessor p = PREPROCESSORS.get(key);
    if (p == null) {
      PreprocessConfig.Builder b = PreprocessConfig.NOTEBOOK.toBuilder().mean(Mean.caffeMeanImage(meanImage));
      if (centerCrop) {
        b.geometry(PreprocessConfig.Geometry.RESIZE_SQUARE_THEN_CENTER_CROP);
      }
      p = new Preprocessor(b.build());
      PREPROCESSORS.put(key, p);
    }
    return p;
  }

  /** How many models this JVM has loaded so far: one per executor for a job, however many tasks it ran. */
  public static int loads() {
    return LOADS.get();
  }

  /** Closes every model (their native TensorFlow memory); a later {@link #get} loads afresh. */
  public static synchronized void closeAll() {
    MODELS.values().forEach(AlexNetModel::close);
    MODELS.clear();
  }

  /**
   * Where this JVM finds the weight file (or the mean image): {@code file} itself if it is a file here (a local
   * run, or a shared file system), else the file of that name that Spark shipped to it ({@code spark-submit
   * --files}, or {@code SparkContext.addFile}) in {@code shippedFiles}, Spark's {@code SparkFiles} folder.
   *
   * @throws FileNotFoundException naming both places it looked
   */
  public static Path resolveFile(String file, Path shippedFiles) throws FileNotFoundException {
    if (!isUri(file)) {
      Path local = Path.of(file);
      if (Files.isRegularFile(local)) {
        return local.toAbsolutePath();
      }
    }
    String name = fileName(file);
    if (shippedFiles != null && !name.isEmpty()) {
      Path shipped = shippedFiles.resolve(name);
      if (Files.isRegularFile(shipped)) {
        return shipped;
      }
    }
    throw new FileNotFoundException(file + ": no such file on this executor, nor " + name + " among the files "
        + "Spark shipped to it" + (shippedFiles != null ? " (" + shippedFiles + ")" : "")
        + "; give a path every executor can read, or ship the file with spark-submit --files");
  }

  /**
   * The check {@code tools/alexnet predict} makes, with its message: the pretrained file is not bundled (244 MB, and
   * not ours to ship), so say where it goes.
   */
  public static void requireWeightsFile(Path file) throws FileNotFoundException {
    org.alexnettfj.weights.MissingFile.requireWeights(file);
  }

  /** The last segment of a path or URI: the name Spark ships a file under ({@code SparkFiles}). */
  static String fileName(String file) {
    return file.substring(file.lastIndexOf('/') + 1);
  }

  static boolean isUri(String weights) {
    return weights.contains("://");
  }
}
