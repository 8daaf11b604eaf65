package org.alexnettfj.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import org.alexnettfj.data.PreprocessConfig;
import org.alexnettfj.data.train.Augmentation;
import org.alexnettfj.data.train.BatchPipeline;
import org.alexnettfj.data.train.Dataset;
import org.alexnettfj.data.train.LabeledImage;
import org.alexnettfj.graph.AlexNetModel;
import org.alexnettfj.graph.FreshInit;
import org.alexnettfj.graph.ParameterSource;
import org.alexnettfj.graph.IntraOpPool;
import org.alexnettfj.graph.Precision;
import org.alexnettfj.weights.AlexNetSpec;
import org.alexnettfj.weights.AlexNetWeights;
import org.alexnettfj.weights.ProgressListener;
import org.alexnettfj.weights.WeightArray;

/**
 * pool5 features of every image of a {@link Dataset}, computed once by frozen conv layers, then served as shuffled
 * batches for a {@link Trainer.Input#POOL5} trainer: when conv1 … conv5 are not trained and augmentation is off,
 * pool5 is a fixed function of each image, so every epoch after the first costs only fc6 … fc8.
 *
 * <ul>
 *   <li><b>Computed</b> in {@link Builder#build()}: a {@link BatchPipeline} decodes and preprocesses the images
 *       (no augmentation, {@link Builder#optPreprocess} — finetune's validation path, the centre crop) on worker
 *       threads while a features-only {@link AlexNetModel} of conv1 … pool5 ({@link
 *       AlexNetModel.Builder#optFeaturesOnly}, with the LRN and convolutions that a {@link Trainer} with conv1 …
 *       conv5 frozen uses too) runs them in batches. Each
 *       image gives {@value #VALUES} floats, pool5's {@code 6 x 6 x 256} flattened (h, w, c) as it is flattened
 *       into fc6. Progress goes to {@link Builder#optProgress}.
 *   <li><b>Unreadable images</b> are reported as {@link BatchPipeline} reports them ({@link #report()}: count and
 *       the first few with reasons) and left out of the cache; with {@link Builder#optStrict} the first one stops
 *       {@code build()} with the pipeline's {@link UncheckedIOException}.
 *   <li><b>Held</b> in memory when they fit in {@link Builder#optMemoryLimit} (default a quarter of the heap:
 *       36 KiB per image, 100,000 images 3.7 GB), else in a temporary file, deleted by {@link #close()}.
 *   <li><b>Served</b> like {@link BatchPipeline#epoch}: epoch {@code e} visits the cached images in
 *       {@link BatchPipeline#order(int) the pipeline's order} for the same dataset and seed, less the images that
 *       could not be read, in batches of {@link Builder#optBatchSize}. With nothing skipped, cached batch {@code b}
 *       of epoch {@code e} holds the same images as the pipeline's batch {@code b}.
 * </ul>
 *
 * <pre>{@code
 * AlexNetWeights w = AlexNetWeights.load(Path.of("weights/bvlc_alexnet.npy"), Set.of("fc7", "fc8"), 2);
 * try (FeatureCache cache = FeatureCache.builder().setDataset(train).setWeights(w).optPreprocess(centreCrop)
 *          .optBatchSize(128).optSeed(0).build();
 *      Trainer t = Trainer.builder().setWeights(w).optTrainLayers(Set.of("fc7", "fc8"))
 *          .optInput(Trainer.Input.POOL5).build()) {
 *   for (int epoch = 0; epoch < 10; epoch++) {
 *     for (Iterator<FeatureCache.Batch> it = cache.epoch(epoch); it.hasNext(); ) {
 *       FeatureCache.Batch b = it.next();
 *       t.step(b.features(), b.labels(), b.size());
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p>Thread-safe for reading once built. {@link #close()} deletes the temporary file.
 */
public final class FeatureCache implements AutoCloseable {

  /** Floats per image: pool5, 6 * 6 * 256. */
  public static final int VALUES = Trainer.POOL5_VALUES;
  /** The conv layers whose output is cached. */
  public static final List<String> CONV_LAYERS = List.of("conv1", "conv2", "conv3", "conv4", "conv5");

  private static final int ROW_BYTES = VALUES * Float.BYTES;

  private final int batchSize;
  private final int[] labels;
  private final List<String> sources;
  private final int[] rowOfItem;
  private final float[][] memory;
  private final Path file;
  private final FileChannel channel;
  private final BatchPipeline orderSource;
  private final BatchPipeline.EpochReport report;
  private volatile boolean closed;

  private FeatureCache(int batchSize, int[] labels, List<String> sources, int[] rowOfItem, float[][] memory,
      Path file, FileChannel channel, BatchPipeline orderSource, BatchPipeline.EpochReport report) {
    this.batchSize = batchSize;
    this.labels = labels;
    this.sources = sources;
    this.rowOfItem = rowOfItem;
    this.memory = memory;
    this.file = file;
    this.channel = channel;
    this.orderSource = orderSource;
    this.report = report;
  }

  /**
   * Starts configuring a cache.
   *
   * @return a new builder with the defaults
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * pool5 rows computed elsewhere, for {@link Builder#setPrecomputed}: {@link #forEach} hands each item of the
   * dataset its values once.
   */
  @FunctionalInterface
  public interface Pool5Rows {
    /**
     * Calls {@code sink} with each item's index in the dataset and its {@value #VALUES} pool5 values, once per
     * item, in any order; called once, on the thread running {@link Builder#build()}.
     *
     * @param sink takes the rows; it throws {@link IllegalArgumentException} for a row of the wrong length or an
     *     item given twice
     * @throws IOException if the rows cannot be read, or the cache's temporary file cannot be written
     */
    void forEach(Sink sink) throws IOException;

    /** Receives the rows: stores each into the cache as it arrives. */
    @FunctionalInterface
    interface Sink {
      /**
       * Stores one item's row; the array is copied.
       *
       * @param item the item's index in the dataset, in {@code [0, dataset.size())}
       * @param pool5 its {@value FeatureCache#VALUES} pool5 values, flattened (h, w, c)
       * @throws IOException if the cache's temporary file cannot be written
       */
      void accept(int item, float[] pool5) throws IOException;
    }
  }

  /**
   * One batch of cached images: {@code size()} rows of {@value #VALUES} floats, with labels and sources.
   *
   * @param epoch the epoch it belongs to
   * @param index its position in the epoch, from 0
   * @param features {@code size() * }{@value #VALUES} pool5 values, row after row, a new array
   * @param labels each row's class index
   * @param sources each row's image source, unmodifiable
   */
  public record Batch(int epoch, int index, float[] features, int[] labels, List<String> sources) {

    /**
     * The images in this batch: the cache's batch size, or fewer in an epoch's last batch.
     *
     * @return the number of rows
     */
    public int size() {
      return labels.length;
    }
  }

  /**
   * Images cached (the dataset's, less the ones that could not be read).
   *
   * @return the number of rows
   */
  public int size() {
    return labels.length;
  }

  /**
   * Cached image {@code row}'s label; rows are in dataset order.
   *
   * @param row in {@code [0, size())}
   * @return the class index
   */
  public int label(int row) {
    return labels[row];
  }

  /**
   * Where cached image {@code row} came from.
   *
   * @param row in {@code [0, size())}
   * @return the dataset item's source
   */
  public String source(int row) {
    return sources.get(row);
  }

  /**
   * Cached image {@code row}'s pool5 features.
   *
   * @param row in {@code [0, size())}
   * @return a new array of {@value #VALUES} floats, flattened (h, w, c)
   * @throws IndexOutOfBoundsException if {@code row} is out of range
   * @throws IllegalStateException if the cache is closed
   * @throws UncheckedIOException if the temporary file cannot be read
   */
  public float[] features(int row) {
    float[] out = new float[VALUES];
    read(row, out, 0);
    return out;
  }

  /**
   * What computing the cache met.
   *
   * @return images cached and the unreadable ones skipped (count and the first few with reasons)
   */
  public BatchPipeline.EpochReport report() {
    return report;
  }

  /**
   * Where the features are held, as {@link Builder#optMemoryLimit} decided.
   *
   * @return true when in memory, false when in a temporary file
   */
  public boolean inMemory() {
    return memory != null;
  }

  /**
   * The temporary file holding the features, or null when they are in memory. Where the OS allows it the file is
   * unlinked as soon as it is open (only this process can reach it): the path says where the space is taken.
   *
   * @return the file's path, or null
   */
  public Path file() {
    return file;
  }

  /**
   * Batch size of {@link #epoch}.
   *
   * @return images per batch but the last of an epoch
   */
  public int batchSize() {
    return batchSize;
  }

  /**
   * The positions of the cached rows in epoch {@code epoch}'s order: the {@link BatchPipeline#order pipeline's}
   * for the same dataset, seed and shuffle, without the skipped items.
   *
   * @param epoch the epoch, from 0
   * @return a new array of {@link #size()} rows
   */
  public int[] order(int epoch) {
    int[] items = orderSource.order(epoch);
    int[] rows = new int[size()];
    int n = 0;
    for (int item : items) {
      if (rowOfItem[item] >= 0) {
        rows[n++] = rowOfItem[item];
      }
    }
    return rows;
  }

  /**
   * The batches of epoch {@code epoch}, read as they are asked for. Each call gives an independent iterator; one
   * iterator is for one thread.
   *
   * @param epoch the epoch, from 0: it picks the order
   * @return the epoch's batches, every cached image once; {@code next()} throws {@link IllegalStateException}
   *     once the cache is closed
   * @throws IllegalStateException if the cache is closed
   */
  public Iterator<Batch> epoch(int epoch) {
    requireOpen();
    int[] order = order(epoch);
    int batches = (order.length + batchSize - 1) / batchSize;
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < batches;
      }

      @Override
      public Batch next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        int b = next++;
        int from = b * batchSize;
        int n = Math.min(order.length, from + batchSize) - from;
        float[] features = new float[n * VALUES];
        int[] batchLabels = new int[n];
        List<String> batchSources = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
          int row = order[from + k];
          read(row, features, k * VALUES);
          batchLabels[k] = labels[row];
          batchSources.add(sources.get(row));
        }
        return new Batch(epoch, b, features, batchLabels, List.copyOf(batchSources));
      }
    };
  }

  private void read(int row, float[] out, int offset) {
    Objects.checkIndex(row, size());
    requireOpen();
    if (memory != null) {
      System.arraycopy(memory[row], 0, out, offset, VALUES);
      return;
    }
    ByteBuffer buffer = ByteBuffer.allocate(ROW_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    long position = (long) row * ROW_BYTES;
    try {
      while (buffer.hasRemaining()) {
        if (channel.read(buffer, position + buffer.position()) < 0) {
          throw new IOException("ends before row " + row);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading cached pool5 features from " + file + ": " + e.getMessage(), e);
    }
    buffer.flip();
    buffer.asFloatBuffer().get(out, offset, VALUES);
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("this FeatureCache is closed");
    }
  }

  /**
   * Deletes the temporary file, if any; the cache can no longer be read. Idempotent.
   *
   * @throws IOException if the file cannot be closed or deleted
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    orderSource.close();
    if (channel != null) {
      try {
        channel.close();
      } finally {
        Files.deleteIfExists(file);
      }
    }
  }

  /**
   * Builds (computes) a {@link FeatureCache}. Required: {@link #setDataset}, and the conv layers' values from one
   * of {@link #setWeights}, {@link #setFreshInit} or {@link #setParameters}. Optional: the rest, defaults as given.
   */
  public static final class Builder {
    private Dataset dataset;
    private AlexNetWeights weights;
    private boolean freshInit;
    private Map<String, WeightArray> parameters;
    private long seed;
    private PreprocessConfig preprocess = PreprocessConfig.NOTEBOOK;
    private int batchSize = 128;
    private boolean shuffle = true;
    private boolean strict;
    private int computeBatch = 64;
    private int workers = BatchPipeline.defaultWorkers();
    private Precision precision = Precision.FP32;
    private int intraOpThreads;
    private long memoryLimit = Runtime.getRuntime().maxMemory() / 4;
    private Path tempDirectory;
    private ProgressListener progress = (done, total) -> { };
    private Pool5Rows precomputed;

    private Builder() {
    }

    /**
     * Takes each item's pool5 from {@code rows} (computed elsewhere, e.g. by {@code alexnet-spark features --layer
     * pool5}) instead of computing it: no conv layers are run, and no source of them is needed. The cache then
     * serves the same batches as one computed from the images of the same dataset.
     *
     * @param rows every dataset item's pool5 values
     * @return this builder
     */
    public Builder setPrecomputed(Pool5Rows rows) {
      this.precomputed = rows;
      return this;
    }

    /**
     * The images to cache, with their labels; required.
     *
     * @param dataset the dataset whose every item gets a row (less unreadable images)
     * @return this builder
     */
    public Builder setDataset(Dataset dataset) {
      this.dataset = dataset;
      return this;
    }

    /**
     * conv1 … conv5 from pretrained weights; a skipped conv layer gets {@link FreshInit}'s values for
     * {@link #optSeed}, as a {@link Trainer} with the same weights and seed has it.
     *
     * @param weights the loaded weights; only conv1 … conv5 are used
     * @return this builder
     */
    public Builder setWeights(AlexNetWeights weights) {
      this.weights = weights;
      return this;
    }

    /**
     * conv1 … conv5 fresh from {@link #optSeed} ({@link FreshInit}), as a fresh {@link Trainer} has them.
     *
     * @return this builder
     */
    public Builder setFreshInit() {
      this.freshInit = true;
      return this;
    }

    /**
     * conv1 … conv5 given by name ({@code conv1/weights}, {@code conv1/biases}, …), e.g. read from a trainer with
     * {@link Trainer#parameter}; other entries are ignored.
     *
     * @param parameters values in AlexNet's layout by variable name; copied
     * @return this builder
     */
    public Builder setParameters(Map<String, WeightArray> parameters) {
      this.parameters = Map.copyOf(parameters);
      return this;
    }

    /**
     * Seeds the order of the epochs (as {@link BatchPipeline}'s) and fresh conv layers.
     *
     * @param seed any value (default 0); the training pipeline's seed gives its order
     * @return this builder
     */
    public Builder optSeed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Decode, resize, crop and mean; use the training run's. No augmentation is applied.
     *
     * @param preprocess a config cropping to 227 (default {@link PreprocessConfig#NOTEBOOK})
     * @return this builder
     */
    public Builder optPreprocess(PreprocessConfig preprocess) {
      this.preprocess = preprocess;
      return this;
    }

    /**
     * Images per served batch.
     *
     * @param batchSize at least 1 (default 128, as the classic finetune.py)
     * @return this builder
     */
    public Builder optBatchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /**
     * Whether each epoch is shuffled.
     *
     * @param shuffle true (default) to shuffle; false serves rows in dataset order (e.g. for validation)
     * @return this builder
     */
    public Builder optShuffle(boolean shuffle) {
      this.shuffle = shuffle;
      return this;
    }

    /**
     * Whether an unreadable image stops {@link #build()} instead of being skipped.
     *
     * @param strict true to stop at the first one (default false: skip and report)
     * @return this builder
     */
    public Builder optStrict(boolean strict) {
      this.strict = strict;
      return this;
    }

    /**
     * Images per run of the conv layers while computing; does not change the values.
     *
     * @param computeBatch at least 1 (default 64)
     * @return this builder
     */
    public Builder optComputeBatch(int computeBatch) {
      this.computeBatch = computeBatch;
      return this;
    }

    /**
     * Threads decoding images while computing.
     *
     * @param workers at least 1 (default {@link BatchPipeline#defaultWorkers()})
     * @return this builder
     */
    public Builder optWorkers(int workers) {
      this.workers = workers;
      return this;
    }

    /**
     * TensorFlow intra-op threads while computing; one pool per process, sized by the first model
     * ({@link IntraOpPool}).
     *
     * @param threads {@code >= 0} (default 0: TensorFlow picks)
     * @return this builder
     */
    public Builder optIntraOpThreads(int threads) {
      this.intraOpThreads = threads;
      return this;
    }

    /**
     * The arithmetic pool5 is computed in; use the trainer's.
     *
     * @param precision {@link Precision#FP32} (default, exact) or bf16; not null
     * @return this builder
     */
    public Builder optPrecision(Precision precision) {
      this.precision = Objects.requireNonNull(precision, "precision");
      return this;
    }

    /**
     * Most bytes of features held in memory; above it they go to a temporary file.
     *
     * @param bytes {@code >= 0}, compared with {@code size * 36 KiB} (default: a quarter of the heap)
     * @return this builder
     */
    public Builder optMemoryLimit(long bytes) {
      this.memoryLimit = bytes;
      return this;
    }

    /**
     * Where the temporary file goes.
     *
     * @param directory an existing directory, or null for {@code java.io.tmpdir} (default)
     * @return this builder
     */
    public Builder optTempDirectory(Path directory) {
      this.tempDirectory = directory;
      return this;
    }

    /**
     * Told {@code (images done, images in all)} after each computed batch, on the building thread.
     *
     * @param progress the listener, not null (default: none)
     * @return this builder
     */
    public Builder optProgress(ProgressListener progress) {
      this.progress = Objects.requireNonNull(progress, "progress");
      return this;
    }

    /**
     * Checks the settings and computes every image's pool5 features.
     *
     * @return the cache, which the caller closes
     * @throws IOException if the temporary file cannot be written
     * @throws UncheckedIOException with {@link #optStrict}, naming the first unreadable image
     * @throws IllegalArgumentException for inconsistent settings, e.g. no or two sources of the conv layers
     */
    public FeatureCache build() throws IOException {
      Objects.requireNonNull(dataset, "setDataset is required");
      Objects.requireNonNull(preprocess, "preprocess");
      int sources = (weights != null ? 1 : 0) + (freshInit ? 1 : 0) + (parameters != null ? 1 : 0);
      if (precomputed != null ? sources != 0 : sources != 1) {
        throw new IllegalArgumentException(precomputed != null ? "setPrecomputed replaces the conv layers: no "
            + "setWeights, setFreshInit or setParameters with it" : "set exactly one source of the conv layers — "
            + "setWeights, setFreshInit or setParameters — not " + sources);
      }
      if (batchSize < 1 || computeBatch < 1 || workers < 1 || intraOpThreads < 0 || memoryLimit < 0) {
        throw new IllegalArgumentException("batchSize, computeBatch and workers must be positive, intraOpThreads "
            + "and memoryLimit >= 0; got " + batchSize + ", " + computeBatch + ", " + workers + ", "
            + intraOpThreads + ", " + memoryLimit);
      }
      if (preprocess.cropSize() != AlexNetSpec.IMAGE_SIZE) {
        throw new IllegalArgumentException("the conv layers take " + AlexNetSpec.IMAGE_SIZE + "x"
            + AlexNetSpec.IMAGE_SIZE + " images, but preprocess crops " + preprocess.cropSize());
      }
      Map<String, WeightArray> conv = precomputed != null ? null : convValues();
      int n = dataset.size();
      boolean toFile = (long) n * ROW_BYTES > memoryLimit;
      // Only order() is used: a pool's threads start with the first task, so this one never starts any.
      BatchPipeline orderSource = BatchPipeline.builder().setDataset(dataset).optSeed(seed).optShuffle(shuffle)
          .optWorkers(1).build();
      Path file = null;
      FileChannel channel = null;
      try {
        if (toFile) {
          Path dir = tempDirectory != null ? tempDirectory : Path.of(System.getProperty("java.io.tmpdir"));
          file = Files.createTempFile(dir, "alexnet-pool5-", ".f32");
          channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
          // Unlinked at once where the OS allows it (the open channel keeps the data): a run killed with kill -9
          // cannot leave gigabytes of features behind. Elsewhere deleted on close, or at exit.
          try {
            Files.delete(file);
          } catch (IOException e) {
            file.toFile().deleteOnExit();
          }
        }
        Computed c = precomputed != null ? take(toFile ? null : new float[n][], channel)
            : compute(conv, toFile ? null : new float[n][], channel);
        return new FeatureCache(batchSize, c.labels, c.sources, c.rowOfItem, c.memory, file, channel, orderSource,
            c.report);
      } catch (IOException | RuntimeException | Error e) {
        orderSource.close();
        if (channel != null) {
          channel.close();
        }
        if (file != null) {
          Files.deleteIfExists(file);
        }
        throw e;
      }
    }

    private Map<String, WeightArray> convValues() {
      Map<String, WeightArray> values = new LinkedHashMap<>();
      List<String> missing = new ArrayList<>();
      ParameterSource source = parameters != null ? null : weights != null ? ParameterSource.of(weights, seed)
          : ParameterSource.fresh(AlexNetSpec.IMAGENET_CLASSES, seed);
      for (String layer : CONV_LAYERS) {
        for (String param : List.of("/weights", "/biases")) {
          String name = layer + param;
          WeightArray value = parameters != null ? parameters.get(name) : source.value(name);
          if (value == null) {
            missing.add(name);
          } else {
            values.put(name, value);
          }
        }
      }
      if (!missing.isEmpty()) {
        throw new IllegalArgumentException("setParameters lacks " + missing + "; the cache needs conv1 … conv5");
      }
      return values;
    }

    private record Computed(int[] labels, List<String> sources, int[] rowOfItem, float[][] memory,
        BatchPipeline.EpochReport report) {
    }

    /** The precomputed rows, stored as they arrive; every item must get exactly one. */
    private Computed take(float[][] memory, FileChannel channel) throws IOException {
      int n = dataset.size();
      int[] rowOfItem = new int[n];
      Arrays.fill(rowOfItem, -1);
      int[] labels = new int[n];
      String[] sources = new String[n];
      int[] rows = {0};
      ByteBuffer bytes = ByteBuffer.allocate(ROW_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      precomputed.forEach((item, pool5) -> {
        Objects.checkIndex(item, n);
        if (pool5.length != VALUES) {
          throw new IllegalArgumentException(dataset.items().get(item).source() + ": " + pool5.length
              + " values, but pool5 has " + VALUES + " (6 x 6 x 256)");
        }
        if (rowOfItem[item] >= 0) {
          throw new IllegalArgumentException(dataset.items().get(item).source() + " has two rows");
        }
        int row = rows[0]++;
        if (memory != null) {
          memory[row] = pool5.clone();
        } else {
          bytes.clear();
          bytes.asFloatBuffer().put(pool5);
          bytes.limit(ROW_BYTES);
          while (bytes.hasRemaining()) {
            channel.write(bytes, (long) row * ROW_BYTES + bytes.position());
          }
        }
        rowOfItem[item] = row;
        labels[row] = dataset.items().get(item).label();
        sources[row] = dataset.items().get(item).source();
        progress.progress(rows[0], n);
      });
      if (rows[0] != n) {
        for (int item = 0; item < n; item++) {
          if (rowOfItem[item] < 0) {
            throw new IllegalArgumentException(dataset.items().get(item).source() + " has no pool5 row");
          }
        }
      }
      if (channel != null) {
        channel.force(false);
      }
      return new Computed(labels, List.of(sources), rowOfItem, memory,
          new BatchPipeline.EpochReport(0, 0, n, 0, List.of()));
    }

    private Computed compute(Map<String, WeightArray> conv, float[][] memory, FileChannel channel)
        throws IOException {
      int n = dataset.size();
      int[] labels = new int[n];
      List<String> sources = new ArrayList<>(n);
      int[] rowOfItem = new int[n];
      Arrays.fill(rowOfItem, -1);
      int rows = 0;
      ByteBuffer bytes = ByteBuffer.allocate(ROW_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      BatchPipeline.EpochReport report;
      try (AlexNetModel model = AlexNetModel.builder().setParameters(conv).optFeaturesOnly()
              .optIntraOpThreads(intraOpThreads).optPrecision(precision).optMaxBatch(computeBatch).build();
          BatchPipeline pipeline = BatchPipeline.builder().setDataset(dataset).optPreprocess(preprocess)
              .optAugmentation(Augmentation.NONE).optBatchSize(computeBatch).optShuffle(false).optStrict(strict)
              .optWorkers(workers).optEpochs(1).build();
          BatchPipeline.Epoch batches = pipeline.epoch(0)) {
        int done = 0;
        while (batches.hasNext()) {
          BatchPipeline.Batch b = batches.next();
          int from = b.index() * computeBatch;
          int to = Math.min(n, from + computeBatch);
          float[][] pool5 = model.features(b.images(), b.size(), "pool5");
          // Batches come in dataset order: match the kept images to the items of the batch's range.
          int k = 0;
          for (int item = from; item < to && k < b.size(); item++) {
            LabeledImage it = dataset.items().get(item);
            if (!it.source().equals(b.sources().get(k)) || it.label() != b.labels()[k]) {
              continue;   // skipped: it is in b.skipped()
            }
            float[] row = pool5[k];
            if (memory != null) {
              memory[rows] = row;
            } else {
              bytes.clear();
              bytes.asFloatBuffer().put(row);
              bytes.limit(ROW_BYTES);
              while (bytes.hasRemaining()) {
                channel.write(bytes, (long) rows * ROW_BYTES + bytes.position());
              }
            }
            labels[rows] = b.labels()[k];
            sources.add(b.sources().get(k));
            rowOfItem[item] = rows;
            rows++;
            k++;
          }
          if (k != b.size()) {
            throw new IllegalStateException("batch " + b.index() + " of " + b.size() + " images matched only " + k
                + " items of positions [" + from + ", " + to + ")");
          }
          done = to;
          progress.progress(done, n);
        }
        report = batches.report();
      }
      if (channel != null) {
        channel.force(false);
      }
      return new Computed(Arrays.copyOf(labels, rows), List.copyOf(sources), rowOfItem,
          memory == null ? null : Arrays.copyOf(memory, rows), report);
    }
  }
}
