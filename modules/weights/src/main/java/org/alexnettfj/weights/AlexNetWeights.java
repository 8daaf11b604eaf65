package org.alexnettfj.weights;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pretrained AlexNet parameters, checked against {@link AlexNetSpec} before anything uses them.
 *
 * <p>Like a careful loader, it looks at everything first and then reports every problem at once — missing
 * layers, unexpected layers, wrong shapes (expected vs found), NaN/Inf counts — never half a model. Layers named
 * in {@code skipLayers} are left out (they will be freshly initialised and trained), so a file whose fc8 has 1000
 * classes serves a 2-class model when fc8 is skipped.
 *
 * <pre>{@code
 * AlexNetWeights w = AlexNetWeights.load(Path.of("weights/bvlc_alexnet.npy"), Set.of("fc8"), 2);
 * WeightArray conv1 = w.weights("conv1");
 * }</pre>
 */
public final class AlexNetWeights {

  private final String source;
  private final Map<String, WeightArray> arrays;
  private final Set<String> skipLayers;
  private final int numClasses;

  private AlexNetWeights(String source, Map<String, WeightArray> arrays, Set<String> skipLayers, int numClasses) {
    this.source = source;
    this.arrays = Collections.unmodifiableMap(arrays);
    this.skipLayers = Collections.unmodifiableSet(skipLayers);
    this.numClasses = numClasses;
  }

  /**
   * Reads and checks the full ImageNet model (nothing skipped, 1000 classes).
   *
   * @param path a weight file in any form {@link WeightReader} reads
   * @return every layer's weights and biases
   * @throws IOException if the file cannot be read; a {@link WeightFileException} listing every problem if it is
   *     not AlexNet
   */
  public static AlexNetWeights load(Path path) throws IOException {
    return load(path, Set.of(), AlexNetSpec.IMAGENET_CLASSES, ProgressListener.NONE);
  }

  /**
   * Reads and checks a file for a model whose {@code skipLayers} are trained afresh.
   *
   * @param path a weight file in any form {@link WeightReader} reads
   * @param skipLayers layers not taken from the file (they may be missing or misshapen there)
   * @param numClasses fc8's outputs; other than 1000 only when fc8 is skipped
   * @return the weights and biases of every layer not skipped
   * @throws IOException if the file cannot be read; a {@link WeightFileException} listing every problem if it is
   *     not AlexNet
   * @throws IllegalArgumentException if a skipped layer is not an AlexNet layer, or the classes need fc8 skipped
   */
  public static AlexNetWeights load(Path path, Set<String> skipLayers, int numClasses) throws IOException {
    return load(path, skipLayers, numClasses, ProgressListener.NONE);
  }

  /**
   * As {@link #load(Path, Set, int)}, telling {@code progress} how far the read has got.
   *
   * @param path a weight file in any form {@link WeightReader} reads
   * @param skipLayers layers not taken from the file (they may be missing or misshapen there)
   * @param numClasses fc8's outputs; other than 1000 only when fc8 is skipped
   * @param progress told the bytes read so far, on the reading thread
   * @return the weights and biases of every layer not skipped
   * @throws IOException if the file cannot be read; a {@link WeightFileException} listing every problem if it is
   *     not AlexNet
   * @throws IllegalArgumentException if a skipped layer is not an AlexNet layer, or the classes need fc8 skipped
   */
  public static AlexNetWeights load(Path path, Set<String> skipLayers, int numClasses, ProgressListener progress)
      throws IOException {
    checkOptions(skipLayers, numClasses);
    return from(WeightReader.read(path, progress), skipLayers, numClasses);
  }

  /**
   * Reads and checks a file for a model whose {@code skipLayers} are trained afresh, with the classes of the
   * file's own fc8 (1000 for {@code bvlc_alexnet.npy}, N for a fine-tuned model), or 1000 when fc8 is skipped.
   *
   * @param path a weight file in any form {@link WeightReader} reads
   * @param skipLayers layers not taken from the file (they may be missing or misshapen there)
   * @param progress told the bytes read so far, on the reading thread
   * @return the weights and biases of every layer not skipped
   * @throws IOException if the file cannot be read; a {@link WeightFileException} if fc8 is loaded but has no
   *     biases to count the classes from, or listing every problem if it is not AlexNet
   * @throws IllegalArgumentException if a skipped layer is not an AlexNet layer
   */
  public static AlexNetWeights load(Path path, Set<String> skipLayers, ProgressListener progress)
      throws IOException {
    checkOptions(skipLayers, AlexNetSpec.IMAGENET_CLASSES);   // before reading 244 MB
    WeightFile file = WeightReader.read(path, progress);
    return checked(file, skipLayers, skipLayers.contains("fc8") ? AlexNetSpec.IMAGENET_CLASSES : classesOf(file));
  }

  /**
   * Reads a complete model whose number of classes is its own fc8's, e.g.&nbsp;one written by
   * {@code finetune --out}: every layer loaded, nothing skipped.
   *
   * @param path a weight file in any form {@link WeightReader} reads
   * @param progress told the bytes read so far, on the reading thread
   * @return every layer's weights and biases
   * @throws IOException if the file cannot be read; a {@link WeightFileException} if there is no fc8/biases, or
   *     listing every way the file is not AlexNet
   */
  public static AlexNetWeights complete(Path path, ProgressListener progress) throws IOException {
    return load(path, Set.of(), progress);
  }

  /**
   * As {@link #complete(Path, ProgressListener)}, without progress.
   *
   * @param path a weight file in any form {@link WeightReader} reads
   * @return every layer's weights and biases
   * @throws IOException if the file cannot be read; a {@link WeightFileException} if there is no fc8/biases, or
   *     listing every way the file is not AlexNet
   */
  public static AlexNetWeights complete(Path path) throws IOException {
    return complete(path, ProgressListener.NONE);
  }

  /**
   * A complete model whose number of classes is its own fc8's, e.g. one written by {@code finetune --out}: every
   * layer loaded, nothing skipped. (The pretrained file is the case of 1000 classes.)
   *
   * @param file an already-read weight file
   * @return every layer's weights and biases
   * @throws WeightFileException if there is no fc8/biases, or listing every way the file is not AlexNet
   */
  public static AlexNetWeights complete(WeightFile file) throws WeightFileException {
    return checked(file, Set.of(), classesOf(file));
  }

  /** fc8's outputs as the file has them: the length of its biases. */
  private static int classesOf(WeightFile file) throws WeightFileException {
    WeightArray fc8 = file.array("fc8/biases");
    if (fc8 == null || fc8.rank() != 1 || fc8.size() < 1) {
      throw new WeightFileException(file.source(), "fc8", -1, "no fc8/biases to tell the number of classes from");
    }
    return fc8.size();
  }

  /**
   * Checks an already-read file; throws listing every problem found.
   *
   * @param file an already-read weight file
   * @param skipLayers layers not taken from the file (they may be missing or misshapen there)
   * @param numClasses fc8's outputs; other than 1000 only when fc8 is skipped
   * @return the weights and biases of every layer not skipped
   * @throws WeightFileException listing every way the file is not AlexNet
   * @throws IllegalArgumentException if a skipped layer is not an AlexNet layer, or the classes need fc8 skipped
   */
  public static AlexNetWeights from(WeightFile file, Set<String> skipLayers, int numClasses)
      throws WeightFileException {
    checkOptions(skipLayers, numClasses);
    return checked(file, skipLayers, numClasses);
  }

  /** The arrays of every layer not skipped, once {@link #problems} finds none. */
  private static AlexNetWeights checked(WeightFile file, Set<String> skipLayers, int numClasses)
      throws WeightFileException {
    List<String> problems = problems(file, skipLayers, numClasses);
    if (!problems.isEmpty()) {
      throw new WeightFileException(file.source(), problems);
    }
    Map<String, WeightArray> kept = new LinkedHashMap<>();
    for (AlexNetSpec.Layer layer : AlexNetSpec.layers(numClasses)) {
      if (!skipLayers.contains(layer.name())) {
        kept.put(layer.name() + "/weights", file.array(layer.name() + "/weights"));
        kept.put(layer.name() + "/biases", file.array(layer.name() + "/biases"));
      }
    }
    return new AlexNetWeights(file.source(), kept, new LinkedHashSet<>(skipLayers), numClasses);
  }

  private static void checkOptions(Set<String> skipLayers, int numClasses) {
    for (String s : skipLayers) {
      if (!AlexNetSpec.LAYER_NAMES.contains(s)) {
        throw new IllegalArgumentException("skip layer '" + s + "' is not an AlexNet layer "
            + AlexNetSpec.LAYER_NAMES);
      }
    }
    if (numClasses != AlexNetSpec.IMAGENET_CLASSES && !skipLayers.contains("fc8")) {
      throw new IllegalArgumentException("numClasses is " + numClasses + " but the pretrained fc8 has "
          + AlexNetSpec.IMAGENET_CLASSES + " outputs: add fc8 to skipLayers to train a new one");
    }
  }

  /**
   * Every way {@code file} differs from AlexNet with {@code numClasses} outputs, skipped layers excepted; empty
   * when it is a faithful AlexNet. Used by loading and by {@code inspect}.
   *
   * @param file an already-read weight file
   * @param skipLayers layers not checked
   * @param numClasses fc8's outputs
   * @return one line per problem: missing or unexpected layers and parameters, wrong shapes, NaN and infinities
   */
  public static List<String> problems(WeightFile file, Set<String> skipLayers, int numClasses) {
    return problems(file, skipLayers, AlexNetSpec.layers(numClasses));
  }

  /** As {@link #problems(WeightFile, Set, int)}, against any list of layer shapes. */
  static List<String> problems(WeightFile file, Set<String> skipLayers, List<AlexNetSpec.Layer> expected) {
    List<String> problems = new ArrayList<>();
    Set<String> known = new LinkedHashSet<>(AlexNetSpec.LAYER_NAMES);
    for (String layer : file.layerNames()) {
      if (!known.contains(layer)) {
        problems.add("unexpected layer '" + layer + "' (AlexNet layers are " + AlexNetSpec.LAYER_NAMES + ")");
      }
    }
    for (AlexNetSpec.Layer spec : expected) {
      if (skipLayers.contains(spec.name())) {
        continue;
      }
      Map<String, WeightArray> params = file.layer(spec.name());
      if (params.isEmpty()) {
        problems.add("missing layer '" + spec.name() + "'");
        continue;
      }
      checkParam(problems, spec.name(), "weights", params.get("weights"), spec.weightsShape());
      checkParam(problems, spec.name(), "biases", params.get("biases"), spec.biasesShape());
      for (String p : params.keySet()) {
        if (!p.equals("weights") && !p.equals("biases")) {
          problems.add("layer '" + spec.name() + "': unexpected parameter '" + p + "'");
        }
      }
    }
    return problems;
  }

  private static void checkParam(List<String> problems, String layer, String param, WeightArray a, int[] expected) {
    if (a == null) {
      problems.add("layer '" + layer + "': missing " + param);
      return;
    }
    if (!a.hasShape(expected)) {
      problems.add("layer '" + layer + "': " + param + " shape " + a.shapeString() + ", expected "
          + WeightArray.shapeString(expected));
    }
    ArrayStats stats = ArrayStats.of(a.data());
    if (!stats.allFinite()) {
      problems.add("layer '" + layer + "': " + param + " has " + stats.nanCount() + " NaN and "
          + stats.infCount() + " infinite values");
    }
  }

  /**
   * Where the weights came from, for messages.
   *
   * @return the file as the user named it
   */
  public String source() {
    return source;
  }

  /**
   * The layers left for fresh initialisation.
   *
   * @return the skipped layers, unmodifiable
   */
  public Set<String> skipLayers() {
    return skipLayers;
  }

  /**
   * The number of classes the model is built for.
   *
   * @return fc8's outputs
   */
  public int numClasses() {
    return numClasses;
  }

  /**
   * Whether the layer's parameters come from the file.
   *
   * @param layer a layer name such as {@code fc7}
   * @return true when the layer is loaded, false when it is skipped
   */
  public boolean isLoaded(String layer) {
    return arrays.containsKey(layer + "/weights");
  }

  /**
   * A loaded layer's weights.
   *
   * @param layer a layer name such as {@code conv1}
   * @return its {@code <layer>/weights} array
   * @throws IllegalArgumentException if the layer is skipped or unknown
   */
  public WeightArray weights(String layer) {
    return require(layer + "/weights");
  }

  /**
   * A loaded layer's biases.
   *
   * @param layer a layer name such as {@code conv1}
   * @return its {@code <layer>/biases} array
   * @throws IllegalArgumentException if the layer is skipped or unknown
   */
  public WeightArray biases(String layer) {
    return require(layer + "/biases");
  }

  /**
   * Loaded arrays by variable name ({@code conv1/weights}, ...), in layer order.
   *
   * @return the arrays of every layer not skipped, unmodifiable
   */
  public Map<String, WeightArray> arrays() {
    return arrays;
  }

  private WeightArray require(String name) {
    WeightArray a = arrays.get(name);
    if (a == null) {
      throw new IllegalArgumentException(name + " is not loaded"
          + (skipLayers.contains(WeightFile.layerOf(name)) ? " (its layer is skipped)" : ""));
    }
    return a;
  }
}
