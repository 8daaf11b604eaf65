package org.alexnettfj.graph;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.alexnettfj.data.ImageDecodeException;
import org.alexnettfj.data.ImageDecoder;

/**
 * AlexNet in one object, for the common case: load a weight file, then ask for the top classes of an image or the
 * features of any layer.
 *
 * <pre>{@code
 * try (AlexNet net = AlexNet.load(Path.of("weights/bvlc_alexnet.npy"))) {
 *   Prediction top5 = net.predict(Path.of("zebra.jpeg"), 5);
 *   float[] fc7 = net.features(Path.of("llama.jpeg"), "fc7");
 * }
 * }</pre>
 *
 * <p>Thread-safe: load one and share it between threads (a request thread each, say); TensorFlow runs concurrent
 * calls on the same model. Loading is the costly part (the weights are 244 MB), so keep it for the life of the
 * application, and close it once: its native memory is not the Java heap's.
 *
 * <p>Images are preprocessed as the classic notebook did (227x227, BGR, minus the ImageNet mean). For anything
 * else (10-crop oversampling, another preprocessing, devices, threads) build an {@link AlexNetPredictor}, which
 * this wraps, or use {@link #predictor()}.
 */
public final class AlexNet implements AutoCloseable {

  private final AlexNetPredictor predictor;

  private AlexNet(AlexNetPredictor predictor) {
    this.predictor = predictor;
  }

  /**
   * Loads a complete model: the pretrained {@code bvlc_alexnet.npy} (its 1000 ImageNet classes) or a fine-tuned one
   * (the classes of its fc8, named by {@code MODEL.classes.txt} beside it when there is one, as {@code alexnet
   * finetune} writes it). Any format {@link org.alexnettfj.weights.WeightReader} reads: npy, npz, caffemodel, and
   * their compressed forms.
   *
   * @param weights the weight file
   * @return the model, ready for {@link #predict} and {@link #features}
   * @throws IOException if the file cannot be read, or is not a complete AlexNet (the message names what is
   *     missing or misshapen)
   * @throws IllegalStateException if TensorFlow's native library is not on the classpath (the message names the
   *     dependency to add)
   */
  public static AlexNet load(Path weights) throws IOException {
    return load(weights, null);
  }

  /**
   * Loads a complete model whose class names are {@code labels}, one per output of its fc8, in order.
   *
   * @param weights the weight file
   * @param labels the class names; {@code null} for those {@link #load(Path)} finds
   * @return the model
   * @throws IOException if the file cannot be read or is not a complete AlexNet, or the labels do not match it
   */
  public static AlexNet load(Path weights, Labels labels) throws IOException {
    Objects.requireNonNull(weights, "weights");
    if (!Files.isRegularFile(weights)) {
      throw new java.io.FileNotFoundException(weights + ": no such weight file");
    }
    AlexNetPredictor.Builder b = AlexNetPredictor.builder().setWeightsFile(weights);
    Path beside = Labels.classesFileBeside(weights);
    if (labels == null && beside != null) {
      labels = Labels.fromFile(beside);
    }
    if (labels != null) {
      b.optLabels(labels);
    }
    try {
      return new AlexNet(b.build());
    } catch (IllegalArgumentException e) {
      throw new IOException(weights + ": " + e.getMessage(), e);
    }
  }

  /**
   * The {@code top} most probable classes of an image file.
   *
   * @param image a JPEG, PNG, BMP or GIF file
   * @param top how many classes, at most the model's
   * @return the classes, most probable first
   * @throws ImageDecodeException if the file is not an image this can read (the message says why)
   */
  public Prediction predict(Path image, int top) throws ImageDecodeException {
    return predictor.predict(image, checkTop(top));
  }

  /**
   * The {@code top} most probable classes of an image already in memory.
   *
   * @param image the picture, in any of the JDK's image types
   * @param top how many classes, at most the model's
   * @return the classes, most probable first; its input is named {@code "image"}
   * @throws ImageDecodeException if the image's pixel layout is not one an image file decodes to
   */
  public Prediction predict(BufferedImage image, int top) throws ImageDecodeException {
    float[] probabilities = predictor.model().probabilities(preprocess(image), 1)[0];
    return predictor.topK("image", probabilities, checkTop(top));
  }

  /**
   * The output of {@code layer} for an image file: e.g.&nbsp;{@code fc7}'s 4096 values, the classic transfer-learning
   * features, or {@code pool5}'s 9216.
   *
   * @param image a JPEG, PNG, BMP or GIF file
   * @param layer a layer name from {@link #layers()}
   * @return the layer's values, flattened
   * @throws ImageDecodeException if the file is not an image this can read
   */
  public float[] features(Path image, String layer) throws ImageDecodeException {
    return predictor.features(List.of(image), layer)[0];
  }

  /**
   * The output of {@code layer} for each image, run in batches.
   *
   * @param images image files
   * @param layer a layer name from {@link #layers()}
   * @return one row per image, in order
   * @throws ImageDecodeException on the first file that is not an image this can read
   */
  public float[][] features(List<Path> images, String layer) throws ImageDecodeException {
    return predictor.features(images, layer);
  }

  /**
   * The output of {@code layer} for an image already in memory.
   *
   * @param image the picture, in any of the JDK's image types
   * @param layer a layer name from {@link #layers()}
   * @return the layer's values, flattened
   * @throws ImageDecodeException if the image's pixel layout is not one an image file decodes to
   */
  public float[] features(BufferedImage image, String layer) throws ImageDecodeException {
    return predictor.model().features(preprocess(image), 1, layer)[0];
  }

  /**
   * The layers whose output {@link #features} gives, in graph order ({@code conv1} … {@code fc8}, {@code prob}).
   *
   * @return the layer names
   */
  public List<String> layers() {
    return predictor.model().layerNames();
  }

  /**
   * The model's class names, one per output of fc8.
   *
   * @return the labels
   */
  public Labels labels() {
    return predictor.labels();
  }

  /**
   * The predictor underneath, for what this class leaves out (10-crop, per-input errors, tensors in).
   *
   * @return the predictor, closed with this object
   */
  public AlexNetPredictor predictor() {
    return predictor;
  }

  /**
   * This library's version, as the build wrote it ({@code version.properties}).
   *
   * @return e.g. {@code 0.1.0}, or {@code "unknown"} if the resource is missing
   */
  public static String version() {
    try (java.io.InputStream in = AlexNet.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "unknown";
      }
      java.util.Properties p = new java.util.Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Frees the model's native memory; the object cannot be used afterwards. */
  @Override
  public void close() {
    predictor.close();
  }

  private float[] preprocess(BufferedImage image) throws ImageDecodeException {
    Objects.requireNonNull(image, "image");
    return predictor.preprocessor().apply(ImageDecoder.fromBufferedImage(image, "image"));
  }

  private int checkTop(int top) {
    if (top < 1 || top > predictor.model().numClasses()) {
      throw new IllegalArgumentException("top must be between 1 and " + predictor.model().numClasses()
          + " (the model's classes), not " + top);
    }
    return top;
  }
}
