package org.alexnettfj.graph;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.alexnettfj.weights.AlexNetSpec;
import org.alexnettfj.weights.WeightArray;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Builds AlexNet's ops in a TensorFlow {@code Graph} and names its layers, placeholders and variables, for
 * inference, feature extraction and training. Its layers read as the classic TensorFlow {@code create()}: one line
 * per layer, a header comment per block, thin helpers ({@code conv}, {@code lrn}, {@code maxPool}, {@code fc},
 * {@code dropout}); those lines are the whole of {@code AlexNetCreate.java}, to read beside {@code alexnet.py}.
 * How each layer is laid out for the kernels that run it, and on which devices, is chosen by
 * {@link GraphOptions}.
 *
 * <p>Input is NHWC float32 {@code [N, 227, 227, 3]}, BGR and mean-subtracted (preprocessing is not done here). Every
 * layer's output is an op of the layer's name — {@code conv1}, {@code norm1}, {@code pool1}, …, {@code pool5},
 * {@code fc6}, {@code fc7}, {@code fc8} (logits, no ReLU) and {@code prob} (softmax) — and every parameter a variable
 * {@code <layer>/weights} or {@code <layer>/biases} with the shapes of {@link AlexNetSpec}. Dropout's keep
 * probability is the placeholder {@code keepProb}, 1.0 unless fed, so inference feeds nothing and training feeds 0.5.
 *
 * <p>The feature extractor (conv1 … pool5) and the classifier (flatten … fc8) are built by separate methods, so a
 * graph can hold either half alone: {@link #createFeatures} to compute and cache pool5 features,
 * {@link #createClassifier} to train fc6 … fc8 on cached pool5 features.
 *
 * <p>Variables are created uninitialised; each has a {@link Parameter#value() value} placeholder and an
 * {@link Parameter#assign() assign} op, so that pretrained or fresh values are fed once from Java (see
 * {@link AlexNetModel}) instead of being baked into the graph as constants. Where the fc weights are held
 * transposed ({@link FcLayout#TRANSPOSED}), everything outside the graph still sees AlexNet's layout
 * {@code [in, out]}: the value placeholder, {@link Parameter#read()}, {@link Parameter#shape()} and checkpoints
 * written through {@link TfCheckpoint#addSaver}.
 *
 * <pre>{@code
 * try (Graph g = new Graph()) {
 *   AlexNetGraph net = AlexNetGraph.create(Ops.create(g), 1000, GraphOptions.fastest(Placement.DEFAULT));
 *   Operand<TFloat32> fc7 = net.layer("fc7");
 * }
 * }</pre>
 *
 * <p>Names are absolute ({@code conv1}, not {@code scope/conv1}): build on the graph's root {@code Ops}, once per
 * graph.
 *
 * <p><b>Devices.</b> With a {@link Placement} every op asks for a device ({@code Ops.withDevice}). On the paper's
 * two towers ({@link Placement#towers}) the graph is rebuilt so that each tower works on its own half and the
 * towers meet only where the network needs all channels or neurons: norm1, norm2, conv3's input, fc6's and fc7's
 * inputs, and fc8 and prob on tower 0. Each split layer's output ({@code conv2}, …, {@code pool5}, {@code fc6},
 * {@code fc7}) is the halves joined on tower 0. Its variables {@code <layer>/weights} and {@code <layer>/biases}
 * stay whole, on the host CPU, where they are set and read; each tower keeps its half in
 * {@code <layer>/tower<g>/weights} and {@code …/biases} on its device, written by the same
 * {@link Parameter#assign() assign} run. The computation is that of one device, op for op, except that conv3,
 * fc6 and fc7 are computed as two halves, which may round differently in the last bit. A towers graph is for
 * inference: its forward pass reads the tower copies, so gradients of the whole variables would be zero.
 */
public final class AlexNetGraph {

  /** Every layer output, in forward order. */
  public static final List<String> LAYER_OUTPUTS = List.of(
      "conv1", "norm1", "pool1", "conv2", "norm2", "pool2", "conv3", "conv4", "conv5", "pool5",
      "fc6", "fc7", "fc8", "prob");
  /** The image placeholder, {@code [N, 227, 227, 3]}. */
  public static final String INPUT = "input";
  /** Dropout's keep probability: a scalar placeholder defaulting to 1.0. */
  public static final String KEEP_PROB = "keepProb";
  /** The key of dropout's random masks: two int64, a placeholder defaulting to {@code (seed, 0)}. */
  public static final String DROPOUT_SEED = "dropoutSeed";

  static final String VALID = "VALID";
  static final String SAME = "SAME";

  enum Activation { RELU, LINEAR }

  private final Ops tf;
  private final int numClasses;
  private final GraphOptions options;
  private final Placement placement;
  private final Parameters parameters;
  private final Layers layers;
  private final TwoTowers towers;
  private Placeholder<TFloat32> input;
  private Operand<TFloat32> keepProb;
  private Operand<TInt64> dropoutSeed;

  private AlexNetGraph(Ops tf, int numClasses, GraphOptions options) {
    if (numClasses < 1) {
      throw new IllegalArgumentException("numClasses must be at least 1, was " + numClasses);
    }
    this.tf = options.placement().scope(tf);
    this.numClasses = numClasses;
    this.options = options;
    this.placement = options.placement();
    this.parameters = new Parameters(numClasses);
    this.layers = new Layers(this.tf, options, parameters);
    this.towers = new TwoTowers(layers);
  }

  /** The layer lines of the classic {@code create()}, over this graph's placeholders. */
  private AlexNetCreate layerLines() {
    return new AlexNetCreate(tf, numClasses, options, layers, towers, keepProb, dropoutSeed);
  }

  /**
   * The whole network: {@code input} → conv1 … pool5 → fc6 … fc8 → {@code prob}, laid out and placed as
   * {@code options} say.
   *
   * <pre>{@code
   * AlexNetGraph net = AlexNetGraph.create(Ops.create(g), 1000, GraphOptions.fastest(Placement.DEFAULT));
   * }</pre>
   *
   * @param tf the graph's root {@code Ops}; AlexNet's op names are absolute, so build once per graph
   * @param numClasses the outputs of fc8 and prob, at least 1 (1000 for ImageNet)
   * @param options the layouts, devices and dropout's default key
   * @return the network, its variables not yet set (see {@link AlexNetModel})
   * @throws IllegalArgumentException if {@code numClasses} is below 1
   * @throws IllegalStateException if {@code tf} is not the root {@code Ops} or the graph already holds AlexNet
   */
  public static AlexNetGraph create(Ops tf, int numClasses, GraphOptions options) {
    AlexNetGraph net = new AlexNetGraph(tf, numClasses, options);
    net.input = net.layers.placeholder(INPUT, AlexNetSpec.IMAGE_SIZE, AlexNetSpec.IMAGE_SIZE, 3);
    net.keepProb = net.layers.keepProbPlaceholder();
    net.dropoutSeed = net.layers.dropoutSeedPlaceholder();
    AlexNetCreate create = net.layerLines();
    create.classifier(net.placement.isTowers() ? net.towers.features(net.input) : create.features(net.input));
    return net;
  }

  /**
   * The feature extractor alone: {@code input} → conv1 … pool5, laid out and placed as {@code options} say (their
   * fc layout and seed do not matter). Its parameters are conv1 … conv5.
   *
   * @param tf the graph's root {@code Ops}
   * @param options the layouts and devices
   * @return the feature extractor, its variables not yet set; its {@link #keepProb()} and {@link #dropoutSeed()}
   *     are null
   */
  public static AlexNetGraph createFeatures(Ops tf, GraphOptions options) {
    AlexNetGraph net = new AlexNetGraph(tf, AlexNetSpec.IMAGENET_CLASSES, options);
    net.input = net.layers.placeholder(INPUT, AlexNetSpec.IMAGE_SIZE, AlexNetSpec.IMAGE_SIZE, 3);
    net.layerLines().features(net.input);
    return net;
  }

  /**
   * The classifier alone, fed pool5 features {@code [N, 6, 6, 256]} through a placeholder named {@code pool5}:
   * pool5 → fc6 … fc8 → {@code prob}, its fc weights held and its ops placed as {@code options} say (their LRN and
   * convolutions do not matter). Its parameters are fc6 … fc8.
   *
   * @param tf the graph's root {@code Ops}
   * @param numClasses the outputs of fc8 and prob, at least 1
   * @param options the fc layout, devices and dropout's default key
   * @return the classifier, its variables not yet set
   * @throws IllegalArgumentException if {@code numClasses} is below 1
   */
  public static AlexNetGraph createClassifier(Ops tf, int numClasses, GraphOptions options) {
    AlexNetGraph net = new AlexNetGraph(tf, numClasses, options);
    net.input = net.layers.placeholder("pool5", 6, 6, 256);
    net.layers.outputs().put("pool5", net.input);
    net.keepProb = net.layers.keepProbPlaceholder();
    net.dropoutSeed = net.layers.dropoutSeedPlaceholder();
    net.layerLines().classifier(net.input);
    return net;
  }

  /**
   * The number of classes the graph was built for.
   *
   * @return the outputs of fc8 and prob
   */
  public int numClasses() {
    return numClasses;
  }

  /**
   * The devices this graph's ops were built for.
   *
   * @return the options' placement, {@link Placement#DEFAULT} unless one was chosen
   */
  public Placement placement() {
    return placement;
  }

  /**
   * The layouts, devices and dropout's default key this graph was built with.
   *
   * @return the options given to {@code create}, or those a shorthand {@code create} chose
   */
  public GraphOptions options() {
    return options;
  }

  /**
   * The placeholder to feed.
   *
   * @return the image placeholder {@code input}, {@code [N, 227, 227, 3]}, or in {@link #createClassifier} the
   *     pool5 placeholder, {@code [N, 6, 6, 256]}
   */
  public Placeholder<TFloat32> input() {
    return input;
  }

  /**
   * Dropout's keep probability, to feed 0.5 while training.
   *
   * @return the scalar {@code keepProb} placeholder-with-default (1.0); null in {@link #createFeatures}, which has
   *     no dropout
   */
  public Operand<TFloat32> keepProb() {
    return keepProb;
  }

  /**
   * The key of dropout's masks, {@code dropoutSeed}: int64 {@code [2]}, by default {@code (seed, 0)}; feed a new
   * key per training step for new masks.
   *
   * @return the placeholder-with-default; null in {@link #createFeatures}, which has no dropout
   */
  public Operand<TInt64> dropoutSeed() {
    return dropoutSeed;
  }

  /**
   * The output of one layer, to fetch.
   *
   * @param name one of {@link #LAYER_OUTPUTS} this graph has, e.g. {@code fc7}
   * @return the layer's output, NHWC for conv1 … pool5, {@code [N, units]} for fc6 … prob
   * @throws IllegalArgumentException if this graph has no such layer
   */
  public Operand<TFloat32> layer(String name) {
    Operand<TFloat32> out = layers.outputs().get(name);
    if (out == null) {
      throw new IllegalArgumentException("no layer '" + name + "' in this graph (it has " + layers.outputs().keySet()
          + ")");
    }
    return out;
  }

  /**
   * Every layer output this graph has.
   *
   * @return an unmodifiable view, by name, in forward order
   */
  public Map<String, Operand<TFloat32>> layers() {
    return Collections.unmodifiableMap(layers.outputs());
  }

  /**
   * The unscaled class scores, {@code fc8}, for a loss or a custom softmax.
   *
   * @return {@code fc8}, {@code [N, numClasses]}
   */
  public Operand<TFloat32> logits() {
    return layer("fc8");
  }

  /**
   * Every parameter this graph has, to set, read or differentiate.
   *
   * @return an unmodifiable view by variable name ({@code conv1/weights}, {@code conv1/biases}, …), in layer order
   */
  public Map<String, Parameter> parameters() {
    return parameters.byName();
  }

  /**
   * Op names of the variables held transposed (the fc weights), for {@link TfCheckpoint#addSaver}: a graph that is
   * saved or restored gets that saver, so its checkpoints hold AlexNet's layout.
   *
   * @return a fresh set of op names, e.g. {@code fc6/weights}; empty for {@link FcLayout#CLASSIC}
   */
  public Set<String> transposedVariables() {
    return parameters.transposedVariables();
  }

  /**
   * Sets variables by name ({@code conv1/weights}, ...) in {@code session}, in one run: feeds each array to its
   * parameter's placeholder and runs the assign ops, closing every tensor after. Names and shapes are checked
   * first. Callers that set the whole network pass one layer at a time, so at most one layer's values sit in
   * native memory twice.
   *
   * @param session a session on this graph; not closed
   * @param values arrays in AlexNet's layout by variable name; not retained
   * @throws IllegalArgumentException if a name is not a parameter of this graph or an array's shape is not its
   */
  public void assign(Session session, Map<String, WeightArray> values) {
    parameters.assign(session, values);
  }

  /**
   * One variable and the ops that set it: feed {@code value} and run {@code assign}.
   *
   * @param name e.g. {@code conv2/weights}
   * @param variable the variable as held: for fc weights transposed, {@code [out, in]} (see {@code transposed})
   * @param value placeholder of a value in AlexNet's layout, {@link #shape()}
   * @param assign sets {@code variable} from {@code value}
   * @param read the variable's value in AlexNet's layout
   * @param transposed whether {@code variable} holds the transpose of AlexNet's layout (fc weights)
   */
  public record Parameter(String name, Variable<TFloat32> variable, Placeholder<TFloat32> value,
      Assign<TFloat32> assign, Operand<TFloat32> read, boolean transposed) {

    /**
     * The layer it belongs to.
     *
     * @return the layer's name, e.g. {@code conv2}
     */
    public String layer() {
      return name.substring(0, name.lastIndexOf('/'));
    }

    /**
     * AlexNet's shape of it, as {@link AlexNetSpec} and the weight files have it, whatever the layout held.
     *
     * @return a fresh array, e.g. {@code [9216, 4096]} for fc6's weights
     */
    public int[] shape() {
      return Arrays.stream(value.shape().asArray()).mapToInt(Math::toIntExact).toArray();
    }

    /**
     * {@code x} turned from the variable's layout into AlexNet's, or back (for a transposed parameter a
     * transpose, its own inverse; else {@code x}): for values shaped like the variable, such as its gradient.
     *
     * @param tf where the transpose op is added
     * @param x a value in either layout, e.g. the variable's gradient
     * @return {@code x} in the other layout, or {@code x} itself if this parameter is not transposed
     */
    public Operand<TFloat32> relayout(Ops tf, Operand<TFloat32> x) {
      return transposed ? Parameters.transpose(tf, x) : x;
    }
  }

  // The layouts GraphOptions chooses from. Each gives the same values (to float32 rounding); which is fastest where
  // is GraphOptions' to say.

  /** How norm1 and norm2 are computed: the same values, different gradients. */
  public enum Lrn {
    /** TensorFlow's fused {@code LRN} op: the faster with TensorFlow's default kernels. */
    FUSED,
    /**
     * Square, a sum over each channel's window plus the bias ({@link LrnWindow}), rsqrt and sqrt (pow for a beta
     * other than 0.75) and a product, for training: the C++ gradient that {@code Graph.addGradients} uses for the
     * fused op builds {@code LRNGrad} without the op's attributes, i.e.&nbsp;with TensorFlow's defaults (radius 5,
     * alpha 1, beta 0.5, bias 1), not AlexNet's (the train module's tests measure this); these basic ops have
     * correct gradients. With oneDNN's kernels also the faster: the window sum runs on oneDNN, the fused op (which
     * has no oneDNN kernel) does not.
     */
    BASIC_OPS;

    /**
     * The faster of the two where no gradient passes through it, on the CPU: {@link #BASIC_OPS} when TensorFlow's
     * oneDNN kernels are on ({@link OneDnn#enabled()}), else {@link #FUSED}.
     *
     * @return the mode for a graph that is not differentiated
     */
    public static Lrn fastest() {
      return fastest(System.getenv(OneDnn.VARIABLE));
    }

    /**
     * The fastest mode on {@code placement}.
     *
     * @param placement the devices the graph will run on
     * @return {@code GraphOptions.fastest(placement).lrn()}
     * @deprecated {@link GraphOptions#fastest(Placement)} makes every such choice, in one place
     */
    @Deprecated
    public static Lrn fastestOn(Placement placement) {
      return GraphOptions.fastestLrn(placement);
    }

    /** {@link #fastest()} for a value of {@code TF_ENABLE_ONEDNN_OPTS}, read as TensorFlow reads it. */
    static Lrn fastest(String onednnSetting) {
      return OneDnn.enabled(onednnSetting) ? BASIC_OPS : FUSED;
    }
  }

  /** How the convolutions are laid out: the same values, different speed and CPU gradients. */
  public enum Convolutions {
    /**
     * As the classic code: conv2, conv4 and conv5 split the input and the weights, convolve each half and
     * concatenate; conv3 is one {@code Conv2D}. Runs everywhere and has CPU gradients: for training.
     */
    CLASSIC,
    /**
     * For graphs that are not differentiated, on the CPU with oneDNN's kernels: conv2, conv4 and conv5 are one
     * grouped {@code Conv2D} each (a filter of half the input's depth; no per-call split of the weights), and
     * conv3 is two {@code Conv2D}s of 192 kernels, concatenated (oneDNN runs 192 output channels at a higher rate
     * than 384) — for two images and more; a single image takes one {@code Conv2D}, faster there (a {@code Switch}
     * on the batch size, {@code Merge} after). TensorFlow has no CPU gradient for the grouped {@code Conv2D}, and
     * its default fused convolution kernel does not do groups.
     */
    ONEDNN_FORWARD;

    /**
     * The fastest layout on {@code placement}.
     *
     * @param placement the devices the graph will run on
     * @return {@code GraphOptions.fastest(placement).convolutions()}
     * @deprecated {@link GraphOptions#fastest(Placement)} makes every such choice, in one place
     */
    @Deprecated
    public static Convolutions fastestOn(Placement placement) {
      return GraphOptions.fastestConvolutions(placement);
    }
  }

  /**
   * How the graph holds the fc layers' weights. Only the variables differ: the value placeholders,
   * {@link Parameter#read()}, {@link Parameter#shape()} and checkpoints written through {@link TfCheckpoint#addSaver}
   * have AlexNet's layout {@code [in, out]} either way.
   */
  public enum FcLayout {
    /** {@code [in, out]}, as the weight files: {@code x · W}. Runs well everywhere. */
    CLASSIC,
    /**
     * {@code [out, in]}, multiplied with {@code MatMul(transpose_b)}: on AVX2 cores oneDNN's product reads the
     * weights row by row, faster; on AVX-512 cores it is the slower layout, and TensorFlow's default kernels run it
     * several times slower (fc6 timings in BENCHMARKS.md).
     */
    TRANSPOSED;

    /**
     * The fastest layout on {@code placement}.
     *
     * @param placement the devices the graph will run on
     * @return {@code GraphOptions.fastest(placement).fcLayout()}
     * @deprecated {@link GraphOptions#fastest(Placement)} makes every such choice, in one place
     */
    @Deprecated
    public static FcLayout fastestOn(Placement placement) {
      return GraphOptions.fastestFcLayout(placement);
    }
  }

  /**
   * How {@link Lrn#BASIC_OPS} sums the squares over each channel's window of {@code 2 * radius + 1}. Both give the
   * same values and have correct gradients; they differ in speed, so {@link GraphOptions#lrnWindow} takes the
   * faster.
   */
  public enum LrnWindow {
    /** A product with a constant banded {@code [C, C]} matrix: C multiply-adds a value; every kernel set runs it. */
    BANDED_PRODUCT,
    /**
     * A 1 x 3 convolution over blocks of {@value #BLOCK} channels (the activations seen as {@code [1, N*H*W, C/8,
     * 8]}, each block summing from itself and its two neighbours): 24 multiply-adds a value instead of C (96 for
     * norm1, 256 for norm2). Faster with oneDNN's kernels, no faster with TensorFlow's default ones
     * (BENCHMARKS.md). Needs C a multiple of 8 and a radius of at most 8; otherwise the banded product is used.
     */
    BLOCK_CONVOLUTION;

    /** Channels per block of {@link #BLOCK_CONVOLUTION}: the fastest of 4, 8, 12, 16, 24 for both norms. */
    static final int BLOCK = 8;

    /**
     * The fastest window sum on {@code placement}, for norm2.
     *
     * @param placement the devices the graph will run on
     * @return {@code GraphOptions.fastest(placement).lrnWindow(256)}
     * @deprecated {@link GraphOptions#lrnWindow(int)} decides it for each norm
     */
    @Deprecated
    public static LrnWindow fastestOn(Placement placement) {
      return GraphOptions.fastestLrnWindow(placement);
    }

    /**
     * The fastest window sum on {@code placement} for a norm over {@code channels}.
     *
     * @param placement the devices the graph will run on
     * @param channels the depth of the activations normalised (96 for norm1, 256 for norm2)
     * @return {@code GraphOptions.fastest(placement).lrnWindow(channels)}
     * @deprecated {@link GraphOptions#lrnWindow(int)} decides it for each norm
     */
    @Deprecated
    public static LrnWindow fastestOn(Placement placement, int channels) {
      return GraphOptions.fastestLrnWindow(placement, channels);
    }
  }

  // Shorthands, and the positional overloads of before GraphOptions.

  /**
   * The whole network for inference: {@link #create(Ops, int, GraphOptions)} with
   * {@link GraphOptions#fastest GraphOptions.fastest(Placement.DEFAULT)} and {@code seed}.
   *
   * @param tf the graph's root {@code Ops}; AlexNet's op names are absolute, so build once per graph
   * @param numClasses the outputs of fc8 and prob, at least 1 (1000 for ImageNet)
   * @param seed the default key of dropout's masks (all ones while {@code keepProb} is 1)
   * @return the network, its variables not yet set (see {@link AlexNetModel})
   * @throws IllegalArgumentException if {@code numClasses} is below 1
   * @throws IllegalStateException if {@code tf} is not the root {@code Ops} or the graph already holds AlexNet
   */
  public static AlexNetGraph create(Ops tf, int numClasses, long seed) {
    return create(tf, numClasses, GraphOptions.fastest(Placement.DEFAULT).withSeed(seed));
  }

  /**
   * The whole network with norm1 and norm2 as {@code lrn} says, classic convolutions and the fc weights as fastest
   * on the default placement.
   *
   * @param tf the graph's root {@code Ops}; AlexNet's op names are absolute, so build once per graph
   * @param numClasses the outputs of fc8 and prob, at least 1
   * @param seed the default key of dropout's masks
   * @param lrn how norm1 and norm2 are computed
   * @return the network, its variables not yet set
   * @throws IllegalArgumentException if {@code numClasses} is below 1
   * @deprecated {@link #create(Ops, int, GraphOptions)}, which names every choice
   */
  @Deprecated
  public static AlexNetGraph create(Ops tf, int numClasses, long seed, Lrn lrn) {
    return create(tf, numClasses, seed, lrn, Placement.DEFAULT);
  }

  /**
   * The whole network with norm1 and norm2 as {@code lrn} says, classic convolutions and the fc weights as fastest
   * on {@code placement}, on its devices.
   *
   * @param tf the graph's root {@code Ops}; AlexNet's op names are absolute, so build once per graph
   * @param numClasses the outputs of fc8 and prob, at least 1
   * @param seed the default key of dropout's masks
   * @param lrn how norm1 and norm2 are computed
   * @param placement the devices the ops ask for
   * @return the network, its variables not yet set
   * @throws IllegalArgumentException if {@code numClasses} is below 1
   * @deprecated {@link #create(Ops, int, GraphOptions)}, which names every choice
   */
  @Deprecated
  public static AlexNetGraph create(Ops tf, int numClasses, long seed, Lrn lrn, Placement placement) {
    return create(tf, numClasses, seed, lrn, Convolutions.CLASSIC, placement);
  }

  /**
   * The whole network with norm1 and norm2 as {@code lrn} says, the convolutions as {@code convolutions} says and
   * the fc weights as fastest on {@code placement}, on its devices.
   *
   * @param tf the graph's root {@code Ops}; AlexNet's op names are absolute, so build once per graph
   * @param numClasses the outputs of fc8 and prob, at least 1
   * @param seed the default key of dropout's masks
   * @param lrn how norm1 and norm2 are computed
   * @param convolutions how the convolutions are laid out
   * @param placement the devices the ops ask for
   * @return the network, its variables not yet set
   * @throws IllegalArgumentException if {@code numClasses} is below 1, or {@code convolutions} is
   *     {@link Convolutions#ONEDNN_FORWARD} on the CPU without oneDNN's kernels
   * @deprecated {@link #create(Ops, int, GraphOptions)}, which names every choice
   */
  @Deprecated
  public static AlexNetGraph create(Ops tf, int numClasses, long seed, Lrn lrn, Convolutions convolutions,
      Placement placement) {
    return create(tf, numClasses, seed, lrn, convolutions, GraphOptions.fastestFcLayout(placement), placement);
  }

  /**
   * {@link #create(Ops, int, GraphOptions)} with {@code new GraphOptions(lrn, convolutions, fcLayout, placement,
   * seed)}.
   *
   * @param tf the graph's root {@code Ops}; AlexNet's op names are absolute, so build once per graph
   * @param numClasses the outputs of fc8 and prob, at least 1
   * @param seed the default key of dropout's masks
   * @param lrn how norm1 and norm2 are computed
   * @param convolutions how the convolutions are laid out
   * @param fcLayout how the fc weights are held
   * @param placement the devices the ops ask for
   * @return the network, its variables not yet set
   * @throws IllegalArgumentException if {@code numClasses} is below 1, or {@code convolutions} is
   *     {@link Convolutions#ONEDNN_FORWARD} on the CPU without oneDNN's kernels
   * @deprecated {@link #create(Ops, int, GraphOptions)}, which names every choice
   */
  @Deprecated
  public static AlexNetGraph create(Ops tf, int numClasses, long seed, Lrn lrn, Convolutions convolutions,
      FcLayout fcLayout, Placement placement) {
    return create(tf, numClasses, new GraphOptions(lrn, convolutions, fcLayout, placement, seed));
  }

  /**
   * The feature extractor alone, not for differentiating: {@link #createFeatures(Ops, GraphOptions)} with
   * {@link GraphOptions#fastest GraphOptions.fastest(Placement.DEFAULT)}.
   *
   * @param tf the graph's root {@code Ops}
   * @return the feature extractor, its variables not yet set; its {@link #keepProb()} and {@link #dropoutSeed()}
   *     are null
   */
  public static AlexNetGraph createFeatures(Ops tf) {
    return createFeatures(tf, GraphOptions.fastest(Placement.DEFAULT));
  }

  /**
   * The classifier alone, with the fc weights as fastest on the default placement:
   * {@link #createClassifier(Ops, int, GraphOptions)}.
   *
   * @param tf the graph's root {@code Ops}
   * @param numClasses the outputs of fc8 and prob, at least 1
   * @param seed the default key of dropout's masks
   * @return the classifier, its variables not yet set
   * @throws IllegalArgumentException if {@code numClasses} is below 1
   */
  public static AlexNetGraph createClassifier(Ops tf, int numClasses, long seed) {
    return createClassifier(tf, numClasses, seed, Placement.DEFAULT);
  }

  /**
   * {@link #createClassifier(Ops, int, long)} with its ops on the devices of {@code placement}.
   *
   * @param tf the graph's root {@code Ops}
   * @param numClasses the outputs of fc8 and prob, at least 1
   * @param seed the default key of dropout's masks
   * @param placement the devices the ops ask for
   * @return the classifier, its variables not yet set
   * @throws IllegalArgumentException if {@code numClasses} is below 1
   * @deprecated {@link #createClassifier(Ops, int, GraphOptions)}, which names every choice
   */
  @Deprecated
  public static AlexNetGraph createClassifier(Ops tf, int numClasses, long seed, Placement placement) {
    return createClassifier(tf, numClasses, new GraphOptions(Lrn.FUSED, Convolutions.CLASSIC,
        GraphOptions.fastestFcLayout(placement), placement, seed));
  }

  /**
   * TensorFlow's LRN, {@code x / (bias + alpha * sum(x^2 over [c - radius, c + radius])) ^ beta}, from ops whose
   * gradients TensorFlow's C++ gradient registry gets right ({@link Lrn#BASIC_OPS}), the window summed by a banded
   * product.
   *
   * @param tf where the ops are added
   * @param x NHWC activations, {@code [N, H, W, C]}, H, W and C known
   * @param radius channels either side of each channel in its window (AlexNet: 2)
   * @param alpha the window sum's scale (AlexNet: 2e-5)
   * @param beta the exponent (AlexNet: 0.75)
   * @param bias added to the scaled sum (AlexNet: 1)
   * @return the normalised activations, shaped as {@code x}
   */
  public static Operand<TFloat32> lrnFromBasicOps(Ops tf, Operand<TFloat32> x, int radius, float alpha, float beta,
      float bias) {
    return lrnFromBasicOps(tf, x, radius, alpha, beta, bias, LrnWindow.BANDED_PRODUCT);
  }

  /**
   * {@link #lrnFromBasicOps(Ops, Operand, int, float, float, float)} with the window summed as {@code window} says.
   *
   * @param tf where the ops are added
   * @param x NHWC activations, {@code [N, H, W, C]}, H, W and C known
   * @param radius channels either side of each channel in its window (AlexNet: 2)
   * @param alpha the window sum's scale (AlexNet: 2e-5)
   * @param beta the exponent (AlexNet: 0.75)
   * @param bias added to the scaled sum (AlexNet: 1)
   * @param window how the window is summed; a block convolution that does not fit C or radius falls back to the
   *     banded product
   * @return the normalised activations, shaped as {@code x}
   */
  public static Operand<TFloat32> lrnFromBasicOps(Ops tf, Operand<TFloat32> x, int radius, float alpha, float beta,
      float bias, LrnWindow window) {
    return LrnFromBasicOps.lrn(tf, x, radius, alpha, beta, bias, window);
  }
}
