package org.alexnettfj.graph;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.alexnettfj.weights.AlexNetSpec;
import org.alexnettfj.weights.AlexNetWeights;
import org.alexnettfj.weights.WeightArray;
import org.alexnettfj.weights.WeightFile;
import org.alexnettfj.weights.WeightFileException;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * AlexNet as a TensorFlow SavedModel, for TensorFlow Serving, Python's {@code tf.saved_model.load} or
 * {@link SavedModelBundle#load}. It holds the inference graph of {@link AlexNetGraph} with the weights in
 * {@code variables/}, tag {@code serve}, and one signature, {@code serving_default}:
 *
 * <ul>
 *   <li>input {@code images}: float32 {@code [N, 227, 227, 3]}, BGR and mean-subtracted, as the graph expects
 *       (preprocessing is not part of the model);
 *   <li>outputs {@code probabilities} {@code [N, numClasses]} (softmax), {@code logits} {@code [N, numClasses]}
 *       (fc8) and {@code fc7} {@code [N, 4096]} (after ReLU, the usual transfer-learning features).
 * </ul>
 *
 * <pre>{@code
 * AlexNetSavedModel.export(WeightReader.read(npy), Path.of("out/alexnet_saved_model"), false);
 * try (SavedModelBundle b = SavedModelBundle.load("out/alexnet_saved_model", "serve");
 *     Result r = b.function("serving_default").call(Map.of("images", images))) {
 *   TFloat32 probabilities = (TFloat32) r.get("probabilities").orElseThrow();
 * }
 * }</pre>
 *
 * <p>Dropout stays in the graph with its {@code keepProb} defaulting to 1, so the signature computes inference.
 */
public final class AlexNetSavedModel {

  /** The tag to load the export with: {@code serve}. */
  public static final String TAG = SavedModelBundle.DEFAULT_TAG;
  /** The one signature's key: {@code serving_default}. */
  public static final String SIGNATURE = Signature.DEFAULT_KEY;
  /** The signature's input: float32 {@code [N, 227, 227, 3]}, BGR, mean subtracted. */
  public static final String IMAGES = "images";
  /** The signature's softmax output, {@code [N, numClasses]}. */
  public static final String PROBABILITIES = "probabilities";
  /** The signature's fc8 output, unscaled class scores, {@code [N, numClasses]}. */
  public static final String LOGITS = "logits";
  /** The signature's fc7 output (after ReLU), {@code [N, 4096]}. */
  public static final String FC7 = "fc7";

  private AlexNetSavedModel() {
  }

  /**
   * Exports a complete AlexNet (every layer, fc8's outputs taken from the file) to folder {@code dir}. Written in a
   * temporary folder beside {@code dir} and renamed into place.
   *
   * @param weights a complete AlexNet, e.g. {@code WeightReader.read(npy)}
   * @param dir the SavedModel folder to create
   * @param overwrite whether an existing {@code dir} is replaced
   * @throws IOException if the folder cannot be written
   * @throws WeightFileException if the weights are not a complete AlexNet; lists every problem
   * @throws FileAlreadyExistsException if {@code dir} exists and not {@code overwrite}
   */
  public static void export(WeightFile weights, Path dir, boolean overwrite) throws IOException {
    int numClasses = numClasses(weights);
    List<String> problems = AlexNetWeights.problems(weights, Set.of(), numClasses);
    if (!problems.isEmpty()) {
      throw new WeightFileException(weights.source(), problems);
    }
    Path abs = dir.toAbsolutePath();
    if (Files.exists(abs) && !overwrite) {
      throw new FileAlreadyExistsException(dir.toString(), null, "exists; add --force to overwrite it");
    }
    try (org.alexnettfj.weights.PartialWrite partial = org.alexnettfj.weights.PartialWrite.folder(abs)) {
      Path temp = partial.path();
      if (temp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
      try (Graph g = new Graph()) {
        // the export is for any runtime: no grouped Conv2D (oneDNN on the CPU only), no transposed fc weights
        AlexNetGraph net = AlexNetGraph.create(Ops.create(g), numClasses, GraphOptions.portable());
        try (Session s = new Session(g)) {
          assign(s, net, weights);
          Signature signature = Signature.builder()
              .key(SIGNATURE)
              .methodName("tensorflow/serving/predict")
              .input(IMAGES, net.input())
              .output(PROBABILITIES, net.layer("prob"))
              .output(LOGITS, net.layer("fc8"))
              .output(FC7, net.layer("fc7"))
              .build();
          SavedModelBundle.exporter(temp.toString()).withTags(TAG).withSession(s).withSignature(signature).export();
        }
      }
      partial.commitFolder();
    }
  }

  /** fc8's outputs as the file has them; 1000 when it has no fc8 (then {@code problems} says it is missing). */
  static int numClasses(WeightFile weights) {
    WeightArray fc8 = weights.array("fc8/biases");
    return fc8 != null && fc8.rank() == 1 && fc8.size() > 0 ? fc8.size() : AlexNetSpec.IMAGENET_CLASSES;
  }

  /** Sets every variable, one layer per run, so at most one layer is held twice in native memory. */
  private static void assign(Session session, AlexNetGraph net, WeightFile weights) {
    Map<String, List<AlexNetGraph.Parameter>> byLayer = new LinkedHashMap<>();
    for (AlexNetGraph.Parameter p : net.parameters().values()) {
      byLayer.computeIfAbsent(p.layer(), k -> new ArrayList<>()).add(p);
    }
    for (List<AlexNetGraph.Parameter> params : byLayer.values()) {
      Session.Runner runner = session.runner();
      List<TFloat32> tensors = new ArrayList<>();
      try {
        for (AlexNetGraph.Parameter p : params) {
          WeightArray a = weights.array(p.name());
          long[] shape = java.util.Arrays.stream(a.shape()).asLongStream().toArray();
          TFloat32 t = TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(a.data(), true, false));
          tensors.add(t);
          runner.feed(p.value(), t).addTarget(p.assign());
        }
        runner.run().close();
      } finally {
        tensors.forEach(TFloat32::close);
      }
    }
  }
}
