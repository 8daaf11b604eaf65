package org.alexnettfj.graph;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.alexnettfj.weights.AlexNetSpec;
import org.alexnettfj.weights.AlexNetWeights;
import org.alexnettfj.weights.ProgressListener;
import org.alexnettfj.weights.WeightArray;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;

/**
 * AlexNet ready for inference: the {@link AlexNetGraph} in a TensorFlow session, its variables set from pretrained
 * weights, freshly initialised ({@link FreshInit}), or both (the layers in {@code skipLayers} fresh).
 *
 * <p>Input is a preprocessed batch, NHWC float32 flattened: image {@code i}, row {@code y}, column {@code x},
 * channel {@code c} (BGR, mean subtracted) at {@code ((i * 227 + y) * 227 + x) * 3 + c}. Batches larger than
 * {@code maxBatch} are run in chunks. Results are one row per image; a conv layer's row is its (h, w, c) output
 * flattened, as pool5 is flattened into fc6.
 *
 * <p>Thread-safe: any number of threads may call {@link #logits}, {@link #probabilities} and {@link #features} at
 * once (TensorFlow runs them concurrently in one session). {@link #close()} waits for calls in progress and frees
 * the native graph and session; calls after it fail.
 *
 * <pre>{@code
 * AlexNetWeights w = AlexNetWeights.load(Path.of("weights/bvlc_alexnet.npy"), Set.of("fc8"), 2);
 * try (AlexNetModel model = AlexNetModel.builder().setWeights(w).optSeed(42).build()) {
 *   float[][] fc7 = model.features(batch, n);           // n x 4096
 *   float[][] p = model.probabilities(batch, n);        // n x 2
 * }
 * }</pre>
 */
public final class AlexNetModel implements AutoCloseable {

  /** Values per input image: 227 * 227 * 3. */
  public static final int IMAGE_VALUES = AlexNetSpec.IMAGE_SIZE * AlexNetSpec.IMAGE_SIZE * 3;
  /** The layer {@link #features(float[], int)} returns: fc7, 4096 values an image after ReLU. */
  public static final String DEFAULT_FEATURE_LAYER = "fc7";
  /** Images per session run unless {@link Builder#optMaxBatch} says otherwise. */
  public static final int DEFAULT_MAX_BATCH = 64;
  private static final List<String> FEATURE_OUTPUTS =
      AlexNetGraph.LAYER_OUTPUTS.subList(0, AlexNetGraph.LAYER_OUTPUTS.indexOf("pool5") + 1);

  private final Graph graph;
  private final Session session;
  private final AlexNetGraph net;
  private final int maxBatch;
  private final Set<String> freshLayers;
  private final boolean featuresOnly;
  private final long seed;
  private final Map<String, Integer> featureSizes;
  private final Map<String, int[]> parameterShapes = new LinkedHashMap<>();
  private final Placement placement;
  private final ReadWriteLock closeLock = new ReentrantReadWriteLock();
  /** Input tensors refilled call after call: a full chunk's and a last, smaller one's. */
  private final TensorPool inputs = new TensorPool(2);
  private boolean closed;

  private AlexNetModel(Graph graph, Session session, AlexNetGraph net, int maxBatch, Set<String> freshLayers,
      boolean featuresOnly, long seed) {
    this.graph = graph;
    this.session = session;
    this.net = net;
    this.maxBatch = maxBatch;
    this.freshLayers = Collections.unmodifiableSet(freshLayers);
    this.featuresOnly = featuresOnly;
    this.seed = seed;
    this.placement = net.placement();
    Map<String, Integer> sizes = new LinkedHashMap<>();
    net.layers().forEach((name, out) -> sizes.put(name, valuesPerImage(out.shape())));
    this.featureSizes = Collections.unmodifiableMap(sizes);
    net.parameters().forEach((name, p) -> parameterShapes.put(name, p.shape()));
  }

  /**
   * Starts a model; set one source of parameters, then {@link Builder#build()}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Unscaled class scores (fc8).
   *
   * @param batch {@code n} images, NHWC {@code [n, 227, 227, 3]} flattened, BGR, mean subtracted; not retained
   * @param n the number of images in {@code batch}, 0 or more
   * @return {@code n} rows of {@link #numClasses()} scores
   * @throws IllegalArgumentException if {@code batch} does not hold {@code n} images
   * @throws IllegalStateException if the model is closed
   */
  public float[][] logits(float[] batch, int n) {
    return features(batch, n, "fc8");
  }

  /**
   * Softmax of the logits ({@code prob}).
   *
   * @param batch {@code n} images, NHWC {@code [n, 227, 227, 3]} flattened, BGR, mean subtracted; not retained
   * @param n the number of images in {@code batch}, 0 or more
   * @return {@code n} rows of {@link #numClasses()} probabilities, each summing to 1
   * @throws IllegalArgumentException if {@code batch} does not hold {@code n} images
   * @throws IllegalStateException if the model is closed
   */
  public float[][] probabilities(float[] batch, int n) {
    return features(batch, n, "prob");
  }

  /**
   * fc7 activations (after ReLU): the usual transfer-learning features.
   *
   * @param batch {@code n} images, NHWC {@code [n, 227, 227, 3]} flattened, BGR, mean subtracted; not retained
   * @param n the number of images in {@code batch}, 0 or more
   * @return {@code n} rows of 4096 values
   * @throws IllegalArgumentException if {@code batch} does not hold {@code n} images
   * @throws IllegalStateException if the model is closed
   */
  public float[][] features(float[] batch, int n) {
    return features(batch, n, DEFAULT_FEATURE_LAYER);
  }

  /**
   * The output of {@code layer} for each image, flattened to one row: one of {@link AlexNetGraph#LAYER_OUTPUTS}
   * ({@code conv1} … {@code conv5}, {@code norm1}, {@code norm2}, {@code pool1}, {@code pool2}, {@code pool5},
   * {@code fc6}, {@code fc7}, {@code fc8}, {@code prob}). Only the part of the graph the layer needs is run.
   *
   * @param batch {@code n} images, NHWC {@code [n, 227, 227, 3]} flattened, BGR, mean subtracted; not retained
   * @param n the number of images in {@code batch}, 0 or more; run {@link #maxBatch()} at a time
   * @param layer the layer whose output is returned
   * @return {@code n} rows of {@link #featureSize(String)} values; a conv layer's row is its {@code [h, w, c]}
   *     output flattened
   * @throws IllegalArgumentException if there is no such layer or {@code batch} does not hold {@code n} images
   * @throws IllegalStateException if the model is closed
   */
  public float[][] features(float[] batch, int n, String layer) {
    Operand<TFloat32> output = net.layer(layer);
    if (n < 0 || (long) n * IMAGE_VALUES != batch.length) {
      throw new IllegalArgumentException("a batch of " + n + " images needs " + (long) n * IMAGE_VALUES
          + " values (n x 227 x 227 x 3), got " + batch.length);
    }
    int size = featureSizes.get(layer);
    float[][] rows = new float[n][size];
    FloatDataBuffer images = DataBuffers.of(batch, true, false);
    closeLock.readLock().lock();
    try {
      requireOpen();
      for (int start = 0; start < n; start += maxBatch) {
        int count = Math.min(maxBatch, n - start);
        Shape shape = Shape.of(count, AlexNetSpec.IMAGE_SIZE, AlexNetSpec.IMAGE_SIZE, 3);
        try (TensorPool.Lease input = inputs.lease(shape,
                images.slice((long) start * IMAGE_VALUES, (long) count * IMAGE_VALUES));
            Result result = session.runner().feed(net.input(), input.tensor()).fetch(output).run()) {
          TFloat32 out = (TFloat32) result.get(0);
          for (int i = 0; i < count; i++) {
            out.get(i).copyTo(DataBuffers.of(rows[start + i], false, false));
          }
        }
      }
    } finally {
      closeLock.readLock().unlock();
    }
    return rows;
  }

  /**
   * The output of {@code layer} for each of several items — images, each given as one or more preprocessed crops,
   * or null for one that could not be read: the crops of every item there is run as one batch (in chunks of
   * {@link #maxBatch()}), and each item's row is the mean of its crops' rows (the paper's 10-crop when there are
   * ten). What a batch of files with unreadable ones among them needs: pack, run, put each row back in its place.
   *
   * @param items per item its crops, each {@link #IMAGE_VALUES} values as {@link #features(float[], int, String)}
   *     takes them, or null
   * @param layer one of {@link #layerNames()}
   * @return one row per item, in order; null where the item was null
   * @throws IllegalArgumentException if there is no such layer or a crop is not one image
   * @throws IllegalStateException if the model is closed
   */
  public float[][] featuresOfItems(List<float[][]> items, String layer) {
    int crops = 0;
    for (float[][] item : items) {
      crops += item == null ? 0 : item.length;
    }
    float[] batch = new float[Math.multiplyExact(crops, IMAGE_VALUES)];
    int filled = 0;
    for (float[][] item : items) {
      for (float[] crop : item == null ? new float[0][] : item) {
        if (crop.length != IMAGE_VALUES) {
          throw new IllegalArgumentException("a crop has " + crop.length + " values, not one image's "
              + IMAGE_VALUES + " (227 x 227 x 3)");
        }
        System.arraycopy(crop, 0, batch, filled * IMAGE_VALUES, IMAGE_VALUES);
        filled++;
      }
    }
    float[][] rows = crops == 0 ? new float[0][] : features(batch, crops, layer);
    float[][] out = new float[items.size()][];
    int row = 0;
    for (int i = 0; i < items.size(); i++) {
      float[][] item = items.get(i);
      if (item != null) {
        out[i] = mean(rows, row, item.length);
        row += item.length;
      }
    }
    return out;
  }

  /** The mean of {@code count} rows from {@code from}; the row itself when there is one. */
  static float[] mean(float[][] rows, int from, int count) {
    if (count == 1) {
      return rows[from];
    }
    float[] mean = new float[rows[from].length];
    for (int k = 0; k < count; k++) {
      float[] r = rows[from + k];
      for (int j = 0; j < mean.length; j++) {
        mean[j] += r[j];
      }
    }
    for (int j = 0; j < mean.length; j++) {
      mean[j] /= count;
    }
    return mean;
  }

  /**
   * One run of {@code n} images (at most {@link #maxBatch()}) up to {@code layer}, traced: what each op cost and
   * which kernel ran it ({@link StepProfile}), for {@code tools/bench profile}. Tracing adds a little to each op.
   *
   * @param batch {@code n} images, NHWC {@code [n, 227, 227, 3]} flattened, BGR, mean subtracted
   * @param n the number of images, 1 to {@link #maxBatch()}
   * @param layer the layer to run up to, one of {@link #layerNames()}
   * @return the ops' costs and kernels, and the run's wall time
   * @throws IllegalArgumentException if there is no such layer or {@code n} or {@code batch} is out of range
   * @throws IllegalStateException if the model is closed or TensorFlow returned no trace
   */
  public StepProfile profile(float[] batch, int n, String layer) {
    Operand<TFloat32> output = net.layer(layer);
    if (n < 1 || n > maxBatch || (long) n * IMAGE_VALUES != batch.length) {
      throw new IllegalArgumentException("a profiled batch is 1 to " + maxBatch + " images, n x 227 x 227 x 3 "
          + "values; got n = " + n + " and " + batch.length + " values");
    }
    RunOptions options = RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build();
    closeLock.readLock().lock();
    try {
      requireOpen();
      Shape shape = Shape.of(n, AlexNetSpec.IMAGE_SIZE, AlexNetSpec.IMAGE_SIZE, 3);
      try (TFloat32 input = TFloat32.tensorOf(shape, DataBuffers.of(batch, true, false))) {
        long start = System.nanoTime();
        try (Result result = session.runner().feed(net.input(), input).fetch(output).setOptions(options)
            .runAndFetchMetadata()) {
          long wall = (System.nanoTime() - start) / 1000;
          return StepProfile.of(result.getMetadata().orElseThrow(
              () -> new IllegalStateException("TensorFlow returned no run metadata")), wall);
        }
      }
    } finally {
      closeLock.readLock().unlock();
    }
  }

  /**
   * Where each op runs when {@code layer} is computed: runs one blank image up to {@code layer}, asking TensorFlow
   * for the partition graphs it executed, and reads each op's device from them (see {@link OpPlacement}).
   *
   * <pre>{@code
   * System.err.print(model.opPlacement("prob").format());
   * }</pre>
   *
   * @param layer the layer to run up to, one of {@link #layerNames()}
   * @return the device of each op TensorFlow ran
   * @throws IllegalArgumentException if there is no such layer
   * @throws IllegalStateException if the model is closed or TensorFlow returned no partition graphs
   */
  public OpPlacement opPlacement(String layer) {
    Operand<TFloat32> output = net.layer(layer);
    RunOptions options = RunOptions.newBuilder().setOutputPartitionGraphs(true).build();
    closeLock.readLock().lock();
    try {
      requireOpen();
      Shape shape = Shape.of(1, AlexNetSpec.IMAGE_SIZE, AlexNetSpec.IMAGE_SIZE, 3);
      try (TFloat32 input = TFloat32.tensorOf(shape, DataBuffers.of(new float[IMAGE_VALUES], true, false));
          Result result = session.runner().feed(net.input(), input).fetch(output).setOptions(options)
              .runAndFetchMetadata()) {
        return OpPlacement.of(result.getMetadata().orElseThrow(
            () -> new IllegalStateException("TensorFlow returned no run metadata")));
      }
    } finally {
      closeLock.readLock().unlock();
    }
  }

  /**
   * The devices the graph was built for ({@link Builder#optPlacement}).
   *
   * @return the placement, {@link Placement#DEFAULT} unless one was set
   */
  public Placement placement() {
    return placement;
  }

  /**
   * The length of one row of {@link #features(float[], int, String)}.
   *
   * @param layer one of {@link #layerNames()}
   * @return values per image of its output, e.g. 4096 for fc7, 9216 for pool5, 290,400 for conv1
   * @throws IllegalArgumentException if there is no such layer
   */
  public int featureSize(String layer) {
    net.layer(layer);
    return featureSizes.get(layer);
  }

  /**
   * The current value of a variable, read from the session.
   *
   * @param name a parameter, e.g. {@code conv1/weights} or {@code fc8/biases}
   * @return a copy, in AlexNet's layout ({@code [in, out]} for fc weights, {@code [h, w, in, out]} for conv
   *     weights)
   * @throws IllegalArgumentException if there is no such parameter
   * @throws IllegalStateException if the model is closed
   */
  public WeightArray parameter(String name) {
    AlexNetGraph.Parameter p = net.parameters().get(name);
    if (p == null) {
      throw new IllegalArgumentException("no parameter '" + name + "' (parameters are "
          + net.parameters().keySet() + ")");
    }
    int[] shape = parameterShapes.get(name);
    float[] data = new float[Arrays.stream(shape).reduce(1, Math::multiplyExact)];
    closeLock.readLock().lock();
    try {
      requireOpen();
      try (Result result = session.runner().fetch(p.read()).run()) {
        ((TFloat32) result.get(0)).copyTo(DataBuffers.of(data, false, false));
      }
    } finally {
      closeLock.readLock().unlock();
    }
    return WeightArray.of(shape, data);
  }

  /**
   * The number of classes the model scores.
   *
   * @return fc8's outputs, the length of a {@link #probabilities} row; 0 for a model built
   *     {@link Builder#optFeaturesOnly}, which has no fc8
   */
  public int numClasses() {
    return featuresOnly ? 0 : net.numClasses();
  }

  /**
   * Layers whose parameters were freshly initialised rather than loaded.
   *
   * @return an unmodifiable set of layer names, e.g. {@code fc8}; all the model has for a fresh model
   */
  public Set<String> freshLayers() {
    return freshLayers;
  }

  /**
   * The seed of the fresh layers' values and of dropout.
   *
   * @return the seed of {@link Builder#optSeed}, 0 unless set
   */
  public long seed() {
    return seed;
  }

  /**
   * The most images one session run takes; larger batches are run in chunks of this size.
   *
   * @return {@link Builder#optMaxBatch}'s value, {@value #DEFAULT_MAX_BATCH} unless set
   */
  public int maxBatch() {
    return maxBatch;
  }

  /**
   * The layers whose output can be read.
   *
   * @return the names {@link #features(float[], int, String)} accepts, in forward order: up to {@code prob}, or
   *     to {@code pool5} for a model built {@link Builder#optFeaturesOnly}
   */
  public List<String> layerNames() {
    return featuresOnly ? FEATURE_OUTPUTS : AlexNetGraph.LAYER_OUTPUTS;
  }

  /** Call with the read lock held. */
  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("this AlexNetModel is closed");
    }
  }

  /** Waits for calls in progress, then frees the session and graph. Idempotent. */
  @Override
  public void close() {
    closeLock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try (inputs; graph) {
        session.close();
      }
    } finally {
      closeLock.writeLock().unlock();
    }
  }

  /** Sets every variable, one layer per run so that at most one layer's values are in native memory twice. */
  private static void assignParameters(Session session, AlexNetGraph net, ParameterSource source) {
    Map<String, Map<String, WeightArray>> byLayer = new LinkedHashMap<>();
    for (AlexNetGraph.Parameter p : net.parameters().values()) {
      byLayer.computeIfAbsent(p.layer(), k -> new LinkedHashMap<>()).put(p.name(), source.value(p.name()));
    }
    byLayer.values().forEach(values -> net.assign(session, values));
  }

  /** The product of all but the batch dimension, which is unknown in the graph. */
  private static int valuesPerImage(Shape shape) {
    long size = 1;
    for (int i = 1; i < shape.numDimensions(); i++) {
      size *= shape.get(i);
    }
    return Math.toIntExact(size);
  }

  /**
   * Configures and builds an {@link AlexNetModel}: where its parameters come from, and how many classes, threads
   * and images per run it has. Not thread-safe. Required: one source of parameters — {@link #setWeights},
   * {@link #setWeightsFile}, {@link #setFreshInit} or {@link #setParameters}. Optional: {@code opt*}, checked in
   * {@link #build()}.
   *
   * <pre>{@code
   * AlexNetModel m = AlexNetModel.builder()
   *     .setWeightsFile(Path.of("weights/bvlc_alexnet.npy")).optSkipLayers(Set.of("fc7", "fc8")).optNumClasses(5)
   *     .optSeed(7).optIntraOpThreads(4).optMaxBatch(32)
   *     .build();
   * }</pre>
   */
  public static final class Builder {

    private AlexNetWeights weights;
    private Path weightsFile;
    private boolean freshInit;
    private Map<String, WeightArray> parameters;
    private boolean featuresOnly;
    private Set<String> skipLayers;
    private Integer numClasses;
    private long seed;
    private int intraOpThreads;
    private int interOpThreads;
    private Precision precision = Precision.FP32;
    private int maxBatch = DEFAULT_MAX_BATCH;
    private Placement placement = Placement.DEFAULT;
    private ProgressListener progress = ProgressListener.NONE;

    private Builder() {
    }

    /**
     * Already-read weights; they carry their own skip layers and number of classes.
     *
     * @param weights the parameters to load; exclusive with the other sources
     * @return this builder
     */
    public Builder setWeights(AlexNetWeights weights) {
      this.weights = weights;
      return this;
    }

    /**
     * A weight file, read once in {@link #build()} with {@link #optSkipLayers} and {@link #optNumClasses}
     * (default: nothing skipped, and the classes of the file's own fc8 — 1000 for {@code bvlc_alexnet.npy}, N
     * for a model {@code finetune --out} wrote).
     *
     * @param file an AlexNet weight file, e.g. {@code weights/bvlc_alexnet.npy}; exclusive with the other sources
     * @return this builder
     */
    public Builder setWeightsFile(Path file) {
      this.weightsFile = file;
      return this;
    }

    /**
     * Values given as they are, e.g.&nbsp;a trainer's current ones: every parameter of the graph built — conv1 …
     * fc8, or conv1 … conv5 with {@link #optFeaturesOnly} — in AlexNet's layout. The classes are fc8's.
     *
     * @param parameters by name, e.g.&nbsp;{@code conv1/weights}; copied (the arrays are not); exclusive with the
     *     other sources
     * @return this builder
     */
    public Builder setParameters(Map<String, WeightArray> parameters) {
      this.parameters = Map.copyOf(parameters);
      return this;
    }

    /**
     * Builds conv1 … pool5 only, for pool5 features: no fully-connected layers in the graph or in memory (fc6's
     * weights alone are 151 MB). {@link AlexNetModel#numClasses()} is then 0 and {@link AlexNetModel#layerNames()}
     * ends at pool5.
     *
     * @return this builder
     */
    public Builder optFeaturesOnly() {
      this.featuresOnly = true;
      return this;
    }

    /**
     * Told how far {@link #build()} has read the {@link #setWeightsFile} file (default: nobody).
     *
     * @param progress told the bytes read so far, on the building thread
     * @return this builder
     */
    public Builder optProgress(ProgressListener progress) {
      this.progress = Objects.requireNonNull(progress, "progress");
      return this;
    }

    /**
     * No weight file: every layer fresh ({@link FreshInit}); {@link #optNumClasses} may be anything ≥ 1.
     *
     * @return this builder
     */
    public Builder setFreshInit() {
      this.freshInit = true;
      return this;
    }

    /**
     * With {@link #setWeightsFile}: layers to initialise fresh instead of loading, e.g.&nbsp;{@code fc8}.
     *
     * @param skipLayers layer names, copied
     * @return this builder
     */
    public Builder optSkipLayers(Set<String> skipLayers) {
      this.skipLayers = Set.copyOf(skipLayers);
      return this;
    }

    /**
     * fc8's outputs (default 1000; with {@link #setWeightsFile} and fc8 loaded, the file's own). Set with a
     * weight file, it means a new fc8: other than 1000 needs fc8 in the skip layers, checked before the file is
     * read. To load a fine-tuned model with its own classes, leave it unset.
     *
     * @param numClasses at least 1, checked in {@link #build()}
     * @return this builder
     */
    public Builder optNumClasses(int numClasses) {
      this.numClasses = numClasses;
      return this;
    }

    /**
     * Seed of fresh layers and dropout (default 0): the same seed gives the same model, bit for bit.
     *
     * @param seed any value
     * @return this builder
     */
    public Builder optSeed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Threads for one op, e.g.&nbsp;a convolution (default 0: TensorFlow picks, usually the core count). TensorFlow
     * keeps one such pool per process, sized by the first model built ({@link IntraOpPool}).
     *
     * @param threads 0 or more, checked in {@link #build()}
     * @return this builder
     */
    public Builder optIntraOpThreads(int threads) {
      this.intraOpThreads = threads;
      return this;
    }

    /**
     * Ops run side by side (default 0: TensorFlow's pool shared by the process, sized by its first session). A
     * count above 0 gives the model a pool of its own of that many threads: TensorFlow sizes its shared pool once,
     * so a count asked of it by any later session would be ignored.
     *
     * @param threads 0 or more, checked in {@link #build()}
     * @return this builder
     */
    public Builder optInterOpThreads(int threads) {
      this.interOpThreads = threads;
      return this;
    }

    /**
     * {@link Precision#BF16} for faster, approximate inference on cores with bfloat16 instructions; default
     * {@link Precision#FP32}, exact. {@link #build()} refuses bf16 where it would be emulated or cannot run.
     *
     * @param precision the arithmetic
     * @return this builder
     * @throws NullPointerException if {@code precision} is null
     */
    public Builder optPrecision(Precision precision) {
      this.precision = Objects.requireNonNull(precision, "precision");
      return this;
    }

    /**
     * Images per session run (default {@value AlexNetModel#DEFAULT_MAX_BATCH}); larger batches are split. Bounds
     * the native memory of one run.
     *
     * @param maxBatch at least 1, checked in {@link #build()}
     * @return this builder
     */
    public Builder optMaxBatch(int maxBatch) {
      this.maxBatch = maxBatch;
      return this;
    }

    /**
     * Which devices run the graph (default {@link Placement#DEFAULT}: TensorFlow decides): one device, e.g.&nbsp;
     * {@code Placement.device("/GPU:0")}, or the paper's two towers, {@code Placement.towers("/GPU:0", "/GPU:1")}.
     * {@link #build()} fails, listing the devices there are, if a device does not exist.
     *
     * @param placement the devices
     * @return this builder
     * @throws NullPointerException if {@code placement} is null
     */
    public Builder optPlacement(Placement placement) {
      this.placement = Objects.requireNonNull(placement, "placement");
      return this;
    }

    /**
     * Checks the settings, reads the weight file if one was given, builds the graph and sets every variable.
     *
     * @return a model that owns its native graph and session; the caller closes it
     * @throws IllegalArgumentException for inconsistent settings, e.g. {@code numClasses != 1000} without fc8 in
     *     the skip layers, or a device of the placement that does not exist
     * @throws IOException if the weight file cannot be read or is not a valid AlexNet
     */
    public AlexNetModel build() throws IOException {
      int sources = (weights != null ? 1 : 0) + (weightsFile != null ? 1 : 0) + (freshInit ? 1 : 0)
          + (parameters != null ? 1 : 0);
      if (sources != 1) {
        throw new IllegalArgumentException("set exactly one source of parameters — setWeights, setWeightsFile, "
            + "setFreshInit or setParameters — not " + sources);
      }
      if (intraOpThreads < 0 || interOpThreads < 0) {
        throw new IllegalArgumentException("thread counts must be >= 0 (0: TensorFlow decides), were intra "
            + intraOpThreads + ", inter " + interOpThreads);
      }
      if (maxBatch < 1) {
        throw new IllegalArgumentException("maxBatch must be at least 1, was " + maxBatch);
      }
      if (numClasses != null && numClasses < 1) {
        throw new IllegalArgumentException("numClasses must be at least 1, was " + numClasses);
      }
      NativeLibrary.require();
      IntraOpPool.request(intraOpThreads);   // before the device check's session sizes TensorFlow's pool
      // devices are checked before a weight file is read: a missing GPU should not wait for 244 MB
      precision.check(placement);
      ConfigProto config = precision.apply(placement.sessionConfig(ConfigProto.newBuilder()
          .setIntraOpParallelismThreads(intraOpThreads)
          .setInterOpParallelismThreads(interOpThreads)
          .setUsePerSessionThreads(interOpThreads > 0)
          .build()));
      ParameterSource source;
      if (weights != null) {
        if (skipLayers != null || numClasses != null) {
          throw new IllegalArgumentException("optSkipLayers and optNumClasses go with setWeightsFile; "
              + "AlexNetWeights already has skip layers " + weights.skipLayers() + " and " + weights.numClasses()
              + " classes");
        }
        source = ParameterSource.of(weights, seed);
      } else if (weightsFile != null) {
        Set<String> skip = skipLayers != null ? skipLayers : Set.of();
        source = ParameterSource.of(numClasses != null ? AlexNetWeights.load(weightsFile, skip, numClasses, progress)
            : AlexNetWeights.load(weightsFile, skip, progress), seed);
      } else if (parameters != null) {
        if (skipLayers != null || numClasses != null) {
          throw new IllegalArgumentException("optSkipLayers and optNumClasses go with setWeightsFile; with "
              + "setParameters every value is given and the classes are fc8's");
        }
        WeightArray fc8 = parameters.get("fc8/biases");
        source = ParameterSource.given(parameters, featuresOnly || fc8 == null ? AlexNetSpec.IMAGENET_CLASSES
            : fc8.size());
      } else {
        if (skipLayers != null) {
          throw new IllegalArgumentException("optSkipLayers needs a weight file; with setFreshInit every layer "
              + "is fresh");
        }
        source = ParameterSource.fresh(numClasses != null ? numClasses : AlexNetSpec.IMAGENET_CLASSES, seed);
      }
      int classes = source.numClasses();

      Graph graph = new Graph();
      try {
        GraphOptions options = GraphOptions.fastest(placement).withSeed(seed);
        AlexNetGraph net = featuresOnly ? AlexNetGraph.createFeatures(Ops.create(graph), options)
            : AlexNetGraph.create(Ops.create(graph), classes, options);
        Session session = new Session(graph, config);
        try {
          assignParameters(session, net, source);
          Set<String> fresh = new LinkedHashSet<>();   // of the layers this graph has
          net.parameters().values().forEach(p -> {
            if (source.isFresh(p.layer())) {
              fresh.add(p.layer());
            }
          });
          return new AlexNetModel(graph, session, net, maxBatch, fresh, featuresOnly, seed);
        } catch (RuntimeException | Error e) {
          session.close();
          throw e;
        }
      } catch (RuntimeException | Error e) {
        graph.close();
        throw e;
      }
    }
  }
}
