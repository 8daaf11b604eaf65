package org.alexnettfj.graph;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.alexnettfj.data.ImageDecodeException;
import org.alexnettfj.data.PreprocessConfig;
import org.alexnettfj.data.Preprocessor;

/**
 * Images in, classes or features out: {@link Preprocessor} (decode, resize, BGR, mean) in front of an
 * {@link AlexNetModel}. Every preprocessing step is the explicit {@link PreprocessConfig}, by default the classic
 * notebook's ({@code cv2.resize} to 227x227 in float32, BGR, minus [104, 117, 124]).
 *
 * <p>Thread-safe: share one predictor between threads. Images are decoded on a small pool while the model runs.
 *
 * <pre>{@code
 * try (AlexNetPredictor p = AlexNetPredictor.builder().setWeightsFile(Path.of("weights/bvlc_alexnet.npy")).build()) {
 *   Prediction top5 = p.predict(Path.of("zebra.jpeg"), 5);
 *   float[][] fc7 = p.features(List.of(Path.of("llama.jpeg")), "fc7");
 * }
 * }</pre>
 */
public final class AlexNetPredictor implements AutoCloseable {

  /**
   * What became of one input of {@link #run}: its output row, or why it could not be read.
   *
   * @param index the input's position in the list given to {@link #run}
   * @param path the input image
   * @param output the layer's output for it, flattened (averaged over the crops when oversampling); null on error
   * @param error why the image could not be read or decoded; null when {@code output} is there
   */
  public record Outcome(int index, Path path, float[] output, ImageDecodeException error) {
    /**
     * Whether the image was read and run.
     *
     * @return true when {@link #output()} holds its row, false when {@link #error()} says why not
     */
    public boolean ok() {
      return error == null;
    }
  }

  /** Receives the outcomes of {@link #run} in input order, and progress after each batch, on the caller's thread. */
  public interface Sink {
    /**
     * Takes one input's outcome.
     *
     * @param outcome the next input's, in input order
     * @throws IOException to stop the run; {@link #run} passes it on
     */
    void accept(Outcome outcome) throws IOException;

    /**
     * Told after each batch; does nothing unless overridden.
     *
     * @param done inputs handed to {@link #accept} so far
     * @param total inputs in the run
     */
    default void progress(int done, int total) { }
  }

  private final AlexNetModel model;
  private final boolean ownsModel;
  private final Preprocessor preprocessor;
  private final Labels labels;
  private final boolean oversample;
  private final ExecutorService decoders;

  private AlexNetPredictor(Builder b) {
    this.model = b.model;
    this.ownsModel = b.ownsModel;
    this.preprocessor = new Preprocessor(b.preprocess);
    this.oversample = b.oversample;
    this.labels = b.labels != null ? b.labels
        : model.numClasses() == 1000 ? Labels.imagenet() : Labels.numbered(model.numClasses());
    if (labels.size() != model.numClasses()) {
      throw new IllegalArgumentException("the model has " + model.numClasses() + " classes but the labels name "
          + labels.size());
    }
    this.decoders = Executors.newFixedThreadPool(b.decodeThreads, r -> {
      Thread t = new Thread(r, "alexnet-decode");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Starts a predictor; set a model or a weight file, then {@link Builder#build()}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The model the predictor runs, owned by the predictor when it came from {@link Builder#setWeightsFile}.
   *
   * @return the model; do not close it while the predictor is in use
   */
  public AlexNetModel model() {
    return model;
  }

  /**
   * The class names of the predictions.
   *
   * @return the labels, one per class of the model
   */
  public Labels labels() {
    return labels;
  }

  /**
   * The preprocessing done to each image before the model sees it.
   *
   * @return the preprocessor built from {@link Builder#optPreprocess}
   */
  public Preprocessor preprocessor() {
    return preprocessor;
  }

  /**
   * The most probable classes of one image.
   *
   * @param image an image file the preprocessor can decode
   * @param topK how many classes to return; more than the model has gives all of them
   * @return the classes, most probable first
   * @throws ImageDecodeException if the image cannot be read or decoded
   */
  public Prediction predict(Path image, int topK) throws ImageDecodeException {
    return predict(List.of(image), topK).get(0);
  }

  /**
   * The most probable classes of each image, run in batches; fails on the first unreadable one.
   *
   * @param images image files the preprocessor can decode
   * @param topK how many classes to return per image; more than the model has gives all of them
   * @return one prediction per image, in input order
   * @throws ImageDecodeException if an image cannot be read or decoded
   */
  public List<Prediction> predict(List<Path> images, int topK) throws ImageDecodeException {
    float[][] probs = outputs(images, "prob");
    List<Prediction> out = new ArrayList<>(images.size());
    for (int i = 0; i < probs.length; i++) {
      out.add(Prediction.topK(images.get(i).toString(), probs[i], topK, labels));
    }
    return out;
  }

  /**
   * The most probable classes of an already preprocessed batch.
   *
   * @param batch {@code n} images, NHWC {@code [n, 227, 227, 3]} flattened, BGR, mean subtracted
   * @param n the number of images in {@code batch}
   * @param topK how many classes to return per image
   * @param name the inputs' name: image {@code i} is called {@code name[i]} in its prediction
   * @return one prediction per image, in batch order
   * @throws IllegalArgumentException if {@code batch} does not hold {@code n} images, or the predictor
   *     oversamples (which needs the images themselves)
   */
  public List<Prediction> predictTensor(float[] batch, int n, int topK, String name) {
    float[][] probs = tensorOutputs(batch, n, "prob");
    List<Prediction> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(Prediction.topK(name + "[" + i + "]", probs[i], topK, labels));
    }
    return out;
  }

  /**
   * The output of one layer for each image, flattened to one row each; fails on the first unreadable image.
   *
   * @param images image files the preprocessor can decode
   * @param layer one of {@link AlexNetGraph#LAYER_OUTPUTS}, e.g. {@code fc7}
   * @return one row per image, in input order, {@link AlexNetModel#featureSize} values each
   * @throws ImageDecodeException if an image cannot be read or decoded
   * @throws IllegalArgumentException if there is no such layer
   */
  public float[][] features(List<Path> images, String layer) throws ImageDecodeException {
    return outputs(images, layer);
  }

  /**
   * The output of one layer for an already preprocessed batch.
   *
   * @param batch {@code n} images, NHWC {@code [n, 227, 227, 3]} flattened, BGR, mean subtracted
   * @param n the number of images in {@code batch}
   * @param layer one of {@link AlexNetGraph#LAYER_OUTPUTS}, e.g. {@code fc7}
   * @return one row per image, in batch order
   * @throws IllegalArgumentException if {@code batch} does not hold {@code n} images, there is no such layer, or
   *     the predictor oversamples
   */
  public float[][] featuresTensor(float[] batch, int n, String layer) {
    return tensorOutputs(batch, n, layer);
  }

  /**
   * Turns a probability row, e.g.&nbsp;one of {@link #featuresTensor} for {@code prob}, into named top classes.
   *
   * @param input what the row is of, kept in the prediction
   * @param probabilities one value per class of the model
   * @param k how many classes to return
   * @return the {@code k} most probable, named by {@link #labels()}; ties keep the lower index first
   */
  public Prediction topK(String input, float[] probabilities, int k) {
    return Prediction.topK(input, probabilities, k, labels);
  }

  private float[][] outputs(List<Path> images, String layer) throws ImageDecodeException {
    float[][] rows = new float[images.size()][];
    try {
      run(images, layer, true, new Sink() {
        @Override
        public void accept(Outcome o) {
          rows[o.index()] = o.output();
        }
      });
    } catch (ImageDecodeException e) {
      throw e;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return rows;
  }

  private float[][] tensorOutputs(float[] batch, int n, String layer) {
    if (!oversample) {
      return model.features(batch, n, layer);
    }
    throw new IllegalArgumentException("oversampling needs images (it crops them); a preprocessed tensor cannot be");
  }

  /**
   * Runs every image through the model in batches, handing each outcome to {@code sink} in input order. With
   * {@code strict} the first unreadable image stops the run with its error; otherwise it becomes an outcome
   * with an error and the run goes on. Images are decoded on the predictor's pool; {@code sink} is called on the
   * calling thread.
   *
   * @param images image files the preprocessor can decode
   * @param layer one of {@link AlexNetGraph#LAYER_OUTPUTS}, e.g. {@code fc7}
   * @param strict whether an unreadable image stops the run
   * @param sink receives each outcome and the progress
   * @throws IOException what {@code sink} throws, or with {@code strict} the first image's
   *     {@link ImageDecodeException}
   * @throws IllegalArgumentException if there is no such layer
   */
  public void run(List<Path> images, String layer, boolean strict, Sink sink) throws IOException {
    model.featureSize(layer); // fails fast on an unknown layer name
    int perImage = oversample ? Preprocessor.OVERSAMPLE_COUNT : 1;
    int chunk = Math.max(1, model.maxBatch() / perImage);
    for (int start = 0; start < images.size(); start += chunk) {
      int count = Math.min(chunk, images.size() - start);
      List<Future<float[][]>> decoded = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        Path p = images.get(start + i);
        decoded.add(decoders.submit(() -> oversample ? preprocessor.oversample(p) : new float[][] {
            preprocessor.apply(p)}));
      }
      ImageDecodeException[] errors = new ImageDecodeException[count];
      List<float[][]> items = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        try {
          items.add(get(decoded.get(i)));
        } catch (ImageDecodeException e) {
          if (strict) {
            throw e;
          }
          errors[i] = e;
          items.add(null);
        }
      }
      float[][] rows = model.featuresOfItems(items, layer);
      for (int i = 0; i < count; i++) {
        sink.accept(new Outcome(start + i, images.get(start + i), rows[i], errors[i]));
      }
      sink.progress(start + count, images.size());
    }
  }

  /**
   * The mean of the crops' output rows: the paper's 10-crop (probabilities for predict), or the one row.
   *
   * @param crops at least one row, all of one length
   * @return a new row of the means, or {@code crops[0]} itself when there is one crop
   */
  public static float[] average(float[][] crops) {
    return AlexNetModel.mean(crops, 0, crops.length);
  }

  private static float[][] get(Future<float[][]> f) throws ImageDecodeException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while decoding images", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ImageDecodeException d) {
        throw d;
      }
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  @Override
  public void close() {
    decoders.shutdownNow();
    if (ownsModel) {
      model.close();
    }
  }

  /**
   * Configures and builds an {@link AlexNetPredictor}: {@code setModel} or {@code setWeightsFile} is required; the
   * rest is optional. Not thread-safe.
   */
  public static final class Builder {
    private AlexNetModel model;
    private boolean ownsModel;
    private Path weightsFile;
    private PreprocessConfig preprocess = PreprocessConfig.NOTEBOOK;
    private Labels labels;
    private boolean oversample;
    private int decodeThreads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    private int intraOpThreads;
    private Placement placement;
    private Precision precision = Precision.FP32;
    private int batchSize = AlexNetModel.DEFAULT_MAX_BATCH;

    /**
     * Uses a model the caller owns and closes (after the predictor); exclusive with {@link #setWeightsFile}.
     *
     * @param model an open model
     * @return this builder
     */
    public Builder setModel(AlexNetModel model) {
      this.model = model;
      return this;
    }

    /**
     * Loads a complete model from a weight file — the pretrained one (1000 ImageNet classes) or a fine-tuned one
     * (its fc8's classes; give its names with {@link #optLabels}); closed with the predictor. Exclusive with
     * {@link #setModel}.
     *
     * @param file a complete AlexNet weight file, read in {@link #build()}
     * @return this builder
     */
    public Builder setWeightsFile(Path file) {
      this.weightsFile = file;
      return this;
    }

    /**
     * How images are decoded, resized and normalised (default {@link PreprocessConfig#NOTEBOOK}).
     *
     * @param config the preprocessing, which must match the one the weights were trained with
     * @return this builder
     */
    public Builder optPreprocess(PreprocessConfig config) {
      this.preprocess = config;
      return this;
    }

    /**
     * The class names (default: ImageNet's for 1000 classes, else {@code class 0}, {@code class 1}, …).
     *
     * @param labels one name per class of the model, checked in {@link #build()}
     * @return this builder
     */
    public Builder optLabels(Labels labels) {
      this.labels = labels;
      return this;
    }

    /**
     * The paper's test-time 10-crop: corners and centre of a 256x256 resize, and their mirrors, averaged. Ten
     * forward passes per image; preprocessed tensors cannot be oversampled.
     *
     * @param oversample whether to (default false)
     * @return this builder
     */
    public Builder optOversample(boolean oversample) {
      this.oversample = oversample;
      return this;
    }

    /**
     * Threads that decode and preprocess images while the model runs (default: the core count, at most 4).
     *
     * @param threads at least 1, checked in {@link #build()}
     * @return this builder
     */
    public Builder optDecodeThreads(int threads) {
      this.decodeThreads = threads;
      return this;
    }

    /**
     * TensorFlow intra-op threads for a model loaded by {@link #setWeightsFile}; see
     * {@link AlexNetModel.Builder#optIntraOpThreads}.
     *
     * @param threads threads per op; 0 (the default) lets TensorFlow use all cores
     * @return this builder
     */
    public Builder optIntraOpThreads(int threads) {
      this.intraOpThreads = threads;
      return this;
    }

    /**
     * Devices for a model loaded by {@link #setWeightsFile}: see {@link AlexNetModel.Builder#optPlacement}.
     *
     * @param placement the devices; checked to exist in {@link #build()}, before the weight file is read
     * @return this builder
     */
    public Builder optPlacement(Placement placement) {
      this.placement = placement;
      return this;
    }

    /**
     * Arithmetic of a model loaded by {@link #setWeightsFile}: see {@link AlexNetModel.Builder#optPrecision}.
     *
     * @param precision the arithmetic, default {@link Precision#FP32}
     * @return this builder
     * @throws NullPointerException if {@code precision} is null
     */
    public Builder optPrecision(Precision precision) {
      this.precision = java.util.Objects.requireNonNull(precision, "precision");
      return this;
    }

    /**
     * Images per forward pass of a model loaded by {@link #setWeightsFile} (default
     * {@value AlexNetModel#DEFAULT_MAX_BATCH}): see {@link AlexNetModel.Builder#optMaxBatch}.
     *
     * @param batchSize at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code batchSize} is below 1
     */
    public Builder optBatchSize(int batchSize) {
      if (batchSize < 1) {
        throw new IllegalArgumentException("batch size must be at least 1, was " + batchSize);
      }
      this.batchSize = batchSize;
      return this;
    }

    /**
     * Checks the settings, loads the model if a weight file was given, and starts the decoding threads.
     *
     * @return a predictor to close when done; it closes the model only if it loaded it
     * @throws IOException if the weight file cannot be read or is not a complete AlexNet
     * @throws IllegalStateException if not exactly one of a model and a weight file was set, or a model option
     *     was set with {@link #setModel}
     * @throws IllegalArgumentException for fewer than one decode thread, labels that do not match the model's
     *     classes, or a device of the placement that does not exist
     */
    public AlexNetPredictor build() throws IOException {
      if ((model == null) == (weightsFile == null)) {
        throw new IllegalStateException("set exactly one of setModel or setWeightsFile");
      }
      if (decodeThreads < 1) {
        throw new IllegalArgumentException("decodeThreads must be at least 1");
      }
      if (precision != Precision.FP32 && model != null) {
        throw new IllegalStateException("optPrecision goes with setWeightsFile; a model given by setModel has its "
            + "own (AlexNetModel.Builder.optPrecision)");
      }
      if (batchSize != AlexNetModel.DEFAULT_MAX_BATCH && model != null) {
        throw new IllegalStateException("optBatchSize goes with setWeightsFile; a model given by setModel has its "
            + "own (AlexNetModel.Builder.optMaxBatch)");
      }
      if (placement != null && model != null) {
        throw new IllegalStateException("optPlacement goes with setWeightsFile; a model given by setModel "
            + "already has its placement (" + model.placement() + ")");
      }
      IntraOpPool.request(intraOpThreads);   // before the device check's session sizes TensorFlow's pool
      if (weightsFile != null) {
        // the number of classes is the file's own: 1000 for bvlc_alexnet.npy, N for a fine-tuned model; the
        // model's builder checks the devices before it reads the file
        AlexNetModel.Builder mb = AlexNetModel.builder().setWeightsFile(weightsFile);
        if (intraOpThreads > 0) {
          mb.optIntraOpThreads(intraOpThreads);
        }
        if (placement != null) {
          mb.optPlacement(placement);
        }
        model = mb.optPrecision(precision).optMaxBatch(batchSize).build();
        ownsModel = true;
      }
      try {
        return new AlexNetPredictor(this);
      } catch (RuntimeException e) {
        if (ownsModel) {
          model.close();
        }
        throw e;
      }
    }
  }
}
