package org.alexnettfj.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.alexnettfj.graph.AlexNetGraph;
import org.alexnettfj.graph.FreshInit;
import org.alexnettfj.graph.Placement;
import org.alexnettfj.weights.AlexNetSpec;
import org.alexnettfj.weights.AlexNetWeights;
import org.alexnettfj.weights.WeightArray;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Fine-tunes AlexNet: the loss, the gradients of the trained layers' variables only, and SGD with momentum.
 *
 * <p>TensorFlow Java's optimizers train every variable in the graph; here the gradients are taken
 * ({@code Graph.addGradients}) for the variables of {@link Builder#optTrainLayers trainLayers} alone, and only
 * they get an update, so every other layer stays bit for bit as loaded.
 *
 * <p>Loss: mean softmax cross-entropy of fc8 against the integer labels, plus {@code weightDecay / 2 * sum(w^2)}
 * over the <em>weights</em> of the trained layers ({@code weightDecay * l2Loss(w)}). Biases are not decayed, as in
 * Caffe's reference AlexNet ({@code decay_mult: 0}); the paper decays every parameter. The halving makes one step
 * exactly the paper's rule (section 5):
 * <pre>
 *   v := momentum * v - learningRate * (dL/dw + weightDecay * w)     (no decay term for biases)
 *   w := w + v
 * </pre>
 * with one velocity {@code v}, starting at zero, per trained variable. The learning rate is fed at every step, so
 * a schedule can change it ({@link #setLearningRate}); unlike {@code ApplyMomentum}, whose accumulator holds
 * gradients and multiplies the <em>current</em> rate into all of them, a velocity keeps the rate it was made with.
 *
 * <p>When conv1 or conv2 is trained the graph is built with {@link AlexNetGraph.Lrn#BASIC_OPS}, because
 * TensorFlow's registered gradient of the fused LRN op ignores the op's attributes (otherwise no gradient passes
 * through LRN and the faster fused op is used); grouped convolutions stay split → conv → concat, which has CPU
 * gradients. Training feeds {@code keepProb} (default 0.5) to dropout after fc6 and fc7; {@link #logits} and
 * {@link #loss} run with 1.
 *
 * <p>With {@link Builder#optInput optInput(Input.POOL5)} the graph is only the classifier
 * ({@link AlexNetGraph#createClassifier}): each example is its pool5 features, {@code 6 x 6 x 256} flattened
 * (h, w, c) as pool5 is flattened into fc6, and only fc6, fc7 and fc8 exist to be trained. The loss, decay,
 * dropout and update are the same ops, so a step on an image's cached pool5 (see {@link FeatureCache}) is the
 * step on the image when the conv layers are frozen.
 *
 * <p>Not thread-safe: one training loop per trainer. Every tensor is closed after each call; {@link #close()} frees
 * the session and graph.
 *
 * <pre>{@code
 * AlexNetWeights w = AlexNetWeights.load(Path.of("weights/bvlc_alexnet.npy"), Set.of("fc7", "fc8"), 2);
 * try (Trainer t = Trainer.builder().setWeights(w).optTrainLayers(Set.of("fc7", "fc8")).build()) {
 *   float loss = t.step(images, labels, n);          // images n x 227 x 227 x 3, labels in [0, 2)
 *   float[][] scores = t.logits(testImages, m);
 * }
 * }</pre>
 */
public final class Trainer implements AutoCloseable {

  /** Values per input image: 227 * 227 * 3. */
  public static final int IMAGE_VALUES = AlexNetSpec.IMAGE_SIZE * AlexNetSpec.IMAGE_SIZE * 3;
  /** Values per pool5 example ({@link Input#POOL5}): 6 * 6 * 256. */
  public static final int POOL5_VALUES = 6 * 6 * 256;
  /** The layers a {@link Input#POOL5} trainer has, and so the only ones it can train. */
  public static final List<String> CLASSIFIER_LAYERS = List.of("fc6", "fc7", "fc8");

  /** What {@link #step}, {@link #loss}, {@link #gradients} and {@link #logits} are fed. */
  public enum Input {
    /** Preprocessed images, {@code n x 227 x 227 x 3}: the whole network. */
    IMAGES,
    /**
     * pool5 features, {@code n x 6 x 6 x 256}: the classifier only (fc6 … fc8), for training on features computed
     * once by frozen conv layers ({@link FeatureCache}).
     */
    POOL5
  }

  private final Graph graph;
  private final Session session;
  private final AlexNetGraph net;
  private final Set<String> trainLayers;
  private final List<String> trainedNames;
  private final Map<String, Variable<TFloat32>> velocities;
  private final Map<String, Output<TFloat32>> gradients;
  private final Placeholder<TInt32> labels;
  private final Placeholder<TFloat32> learningRateInput;
  private final Operand<TFloat32> loss;
  private final Operand<TFloat32> accuracy;
  private final Op train;
  private final float keepProb;
  private final Input input;
  private float learningRate;
  private long steps;
  private float lastAccuracy = Float.NaN;
  private boolean closed;

  private Trainer(Builder b, Graph graph, Session session) {
    this.graph = graph;
    this.session = session;
    this.trainLayers = Set.copyOf(b.trainLayers);
    this.keepProb = b.keepProb;
    this.learningRate = b.learningRate;
    this.input = b.input;
    Ops tf = b.placement.scope(Ops.create(graph));
    // The fused LRN op's registered gradient is wrong (see the class comment), but it is faster, and when conv1
    // and conv2 are frozen no gradient passes through norm1 or norm2.
    boolean lrnDifferentiated = trainLayers.contains("conv1") || trainLayers.contains("conv2");
    this.net = input == Input.POOL5 ? AlexNetGraph.createClassifier(tf, b.numClasses(), b.seed, b.placement)
        : AlexNetGraph.create(tf, b.numClasses(), b.seed,
            lrnDifferentiated ? AlexNetGraph.Lrn.BASIC_OPS : AlexNetGraph.Lrn.FUSED, b.placement);

    Ops ops = tf.withSubScope("train");
    labels = ops.withName("labels").placeholder(TInt32.class, Placeholder.shape(Shape.of(Shape.UNKNOWN_SIZE)));
    learningRateInput = ops.withName("learningRate").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    Operand<TFloat32> logits = net.logits();
    // -mean(sum(oneHot(labels) * logSoftmax(logits))): the fused (Sparse)SoftmaxCrossEntropyWithLogits ops have
    // no C++ gradient in TensorFlow 1.1.0's registry; LogSoftmax, Mul, Sum and Mean do.
    Operand<TFloat32> oneHot = ops.oneHot(labels, ops.constant(b.numClasses()), ops.constant(1f), ops.constant(0f));
    Operand<TFloat32> crossEntropy = ops.math.neg(ops.math.mean(ops.reduceSum(
        ops.math.mul(oneHot, ops.nn.logSoftmax(logits)), ops.constant(1)), ops.constant(0)));
    List<String> names = new ArrayList<>();
    List<Operand<TFloat32>> variables = new ArrayList<>();
    Operand<TFloat32> decay = ops.constant(0f);
    for (AlexNetGraph.Parameter p : net.parameters().values()) {
      if (trainLayers.contains(p.layer())) {
        names.add(p.name());
        variables.add(p.variable());
        if (p.name().endsWith("/weights")) {
          decay = ops.math.add(decay, ops.nn.l2Loss(p.variable()));
        }
      }
    }
    this.trainedNames = List.copyOf(names);
    loss = ops.withName("loss").math.add(crossEntropy, ops.math.mul(ops.constant(b.weightDecay), decay));
    accuracy = ops.withName("accuracy").math.mean(ops.dtypes.cast(ops.math.equal(
        ops.math.argMax(logits, ops.constant(1), TInt32.class), labels), TFloat32.class), ops.constant(0));

    Gradients grads = ops.gradients(loss, variables);
    // Every gradient, the loss and the accuracy are computed before any variable changes: the backward pass of
    // one layer reads the weights of the layers above it, and the decay term reads the weights themselves.
    List<Op> computed = new ArrayList<>();
    Map<String, Output<TFloat32>> gradientOutputs = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      Output<TFloat32> g = grads.<TFloat32>dy(i);
      gradientOutputs.put(names.get(i), g);
      computed.add(ops.identity(g));
    }
    computed.add(ops.identity(loss));
    computed.add(ops.identity(accuracy));
    this.gradients = Map.copyOf(gradientOutputs);

    Map<String, Variable<TFloat32>> vs = new LinkedHashMap<>();
    List<Op> updates = new ArrayList<>();
    List<Op> zeroVelocities = new ArrayList<>();
    Ops after = ops.withControlDependencies(computed);
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      AlexNetGraph.Parameter p = net.parameters().get(name);
      Ops scope = ops.withSubScope("velocity").withSubScope(p.layer());
      String param = name.substring(name.lastIndexOf('/') + 1);
      Variable<TFloat32> v = scope.withName(param).variable(p.variable().shape(), TFloat32.class);
      vs.put(name, v);
      zeroVelocities.add(scope.withName(param + "_zero").assign(v,
          scope.zeros(scope.constant(p.variable().shape().asArray()), TFloat32.class)));
      Operand<TFloat32> newVelocity = after.math.sub(
          after.math.mul(after.constant(b.momentum), v),
          after.math.mul(learningRateInput, gradientOutputs.get(name)));
      updates.add(after.assign(v, newVelocity));
      updates.add(after.assignAdd(p.variable(), newVelocity));
    }
    this.velocities = Map.copyOf(vs);
    train = ops.withControlDependencies(updates).withName("step").noOp();

    Map<String, WeightArray> values = new LinkedHashMap<>();
    for (AlexNetGraph.Parameter p : net.parameters().values()) {
      values.put(p.name(), b.initialValue(p.name()));
    }
    setParameters(values);
    if (!zeroVelocities.isEmpty()) {
      Session.Runner runner = session.runner();
      zeroVelocities.forEach(runner::addTarget);
      runner.run().close();
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * One SGD step on a batch, with dropout: computes the loss and the gradients, then updates the trained
   * variables and their velocities.
   *
   * @param images {@code n} preprocessed images, NHWC, {@code n * 227 * 227 * 3} values (with {@link Input#POOL5}:
   *     {@code n} pool5 features, {@code n * 6 * 6 * 256} values)
   * @param labels {@code n} class indices in {@code [0, numClasses)}
   * @return the batch's loss (cross-entropy plus weight decay) before the update
   * @throws ArithmeticException if the loss is NaN or infinite, naming the step; that step's update has been
   *     applied, so the trained variables are no longer usable
   */
  public float step(float[] images, int[] labels, int n) {
    requireOpen();
    checkBatch(images, labels, n);
    long step = steps + 1;
    try (TFloat32 x = images(images, n); TInt32 y = labelTensor(labels, n);
        TFloat32 keep = TFloat32.scalarOf(keepProb); TFloat32 rate = TFloat32.scalarOf(learningRate)) {
      Session.Runner runner = session.runner().feed(net.input(), x).feed(this.labels, y)
          .feed(net.keepProb(), keep).feed(learningRateInput, rate).fetch(loss).fetch(accuracy).addTarget(train);
      float value;
      try (Result r = runner.run()) {
        value = ((TFloat32) r.get(0)).getFloat();
        lastAccuracy = ((TFloat32) r.get(1)).getFloat();
      }
      steps = step;
      if (!Float.isFinite(value)) {
        throw new ArithmeticException("loss is " + value + " at step " + step + " (learning rate " + learningRate
            + "): training diverged; lower the learning rate");
      }
      return value;
    }
  }

  /** The loss of a batch without dropout and without changing anything. */
  public float loss(float[] images, int[] labels, int n) {
    requireOpen();
    checkBatch(images, labels, n);
    try (TFloat32 x = images(images, n); TInt32 y = labelTensor(labels, n);
        Result r = session.runner().feed(net.input(), x).feed(this.labels, y).fetch(loss).run()) {
      return ((TFloat32) r.get(0)).getFloat();
    }
  }

  /**
   * Gradients of {@link #loss} (no dropout) with respect to the trained variables, by variable name, without
   * changing anything: what {@link #step} would use with {@code keepProb} 1.
   */
  public Map<String, float[]> gradients(float[] images, int[] labels, int n) {
    requireOpen();
    checkBatch(images, labels, n);
    Map<String, float[]> out = new LinkedHashMap<>();
    try (TFloat32 x = images(images, n); TInt32 y = labelTensor(labels, n)) {
      Session.Runner runner = session.runner().feed(net.input(), x).feed(this.labels, y);
      trainedNames.forEach(name -> runner.fetch(gradients.get(name)));
      try (Result r = runner.run()) {
        for (int i = 0; i < trainedNames.size(); i++) {
          out.put(trainedNames.get(i), values((TFloat32) r.get(i)));
        }
      }
    }
    return out;
  }

  /** fc8 scores without dropout, {@code n x numClasses}. */
  public float[][] logits(float[] images, int n) {
    requireOpen();
    checkImages(images, n);
    float[][] rows = new float[n][net.numClasses()];
    try (TFloat32 x = images(images, n);
        Result r = session.runner().feed(net.input(), x).fetch(net.logits()).run()) {
      TFloat32 out = (TFloat32) r.get(0);
      for (int i = 0; i < n; i++) {
        out.get(i).copyTo(DataBuffers.of(rows[i], false, false));
      }
    }
    return rows;
  }

  /** Current value of a variable, e.g. {@code fc8/weights}. */
  public WeightArray parameter(String name) {
    AlexNetGraph.Parameter p = net.parameters().get(name);
    if (p == null) {
      throw new IllegalArgumentException("no parameter '" + name + "' (parameters are "
          + net.parameters().keySet() + ")");
    }
    return read(p.variable(), p.shape());
  }

  /** The momentum velocity of a trained variable, e.g. {@code fc8/weights}; zero before the first step. */
  public WeightArray velocity(String name) {
    Variable<TFloat32> v = velocities.get(name);
    if (v == null) {
      throw new IllegalArgumentException("'" + name + "' is not trained (trained: " + trainedNames + ")");
    }
    return read(v, net.parameters().get(name).shape());
  }

  /** Sets variables by name, e.g. to restore a checkpoint or to probe the loss. Velocities are not touched. */
  public void setParameters(Map<String, WeightArray> values) {
    requireOpen();
    net.assign(session, values);
  }

  public void setLearningRate(float learningRate) {
    checkLearningRate(learningRate);
    this.learningRate = learningRate;
  }

  public float learningRate() {
    return learningRate;
  }

  /** Accuracy (fraction of argmax(fc8) equal to the label, with dropout) of the last {@link #step}'s batch. */
  public float lastAccuracy() {
    return lastAccuracy;
  }

  /** Steps taken so far. */
  public long steps() {
    return steps;
  }

  public Set<String> trainLayers() {
    return trainLayers;
  }

  /** Names of the trained variables, in layer order. */
  public List<String> trainedVariables() {
    return trainedNames;
  }

  public int numClasses() {
    return net.numClasses();
  }

  /** What this trainer is fed: images, or pool5 features. */
  public Input input() {
    return input;
  }

  /** Values per example: {@link #IMAGE_VALUES}, or {@link #POOL5_VALUES} with {@link Input#POOL5}. */
  public int inputValues() {
    return input == Input.POOL5 ? POOL5_VALUES : IMAGE_VALUES;
  }

  /** Frees the session and graph. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      session.close();
    } finally {
      graph.close();
    }
  }

  private WeightArray read(Variable<TFloat32> variable, int[] shape) {
    requireOpen();
    try (Result r = session.runner().fetch(variable).run()) {
      return WeightArray.of(shape, values((TFloat32) r.get(0)));
    }
  }

  private static float[] values(TFloat32 t) {
    float[] data = new float[Math.toIntExact(t.shape().size())];
    t.copyTo(DataBuffers.of(data, false, false));
    return data;
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("this Trainer is closed");
    }
  }

  private void checkBatch(float[] images, int[] labels, int n) {
    checkImages(images, n);
    if (labels.length != n) {
      throw new IllegalArgumentException("a batch of " + n + " images needs " + n + " labels, got "
          + labels.length);
    }
    for (int i = 0; i < n; i++) {
      if (labels[i] < 0 || labels[i] >= net.numClasses()) {
        throw new IllegalArgumentException("label " + labels[i] + " of image " + i + " is outside [0, "
            + net.numClasses() + ")");
      }
    }
  }

  private void checkImages(float[] images, int n) {
    if (n < 1 || (long) n * inputValues() != images.length) {
      throw new IllegalArgumentException(input == Input.POOL5
          ? "a batch of " + n + " pool5 features needs " + (long) n * POOL5_VALUES + " values (n x 6 x 6 x 256), got "
              + images.length
          : "a batch of " + n + " images needs " + (long) n * IMAGE_VALUES + " values (n x 227 x 227 x 3), got "
              + images.length);
    }
  }

  private TFloat32 images(float[] images, int n) {
    Shape shape = input == Input.POOL5 ? Shape.of(n, 6, 6, 256)
        : Shape.of(n, AlexNetSpec.IMAGE_SIZE, AlexNetSpec.IMAGE_SIZE, 3);
    return TFloat32.tensorOf(shape, DataBuffers.of(images, true, false));
  }

  private static TInt32 labelTensor(int[] labels, int n) {
    return TInt32.tensorOf(Shape.of(n), DataBuffers.of(labels, true, false));
  }

  private static Shape shape(int[] dims) {
    return Shape.of(Arrays.stream(dims).asLongStream().toArray());
  }

  private static void checkLearningRate(float learningRate) {
    if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
      throw new IllegalArgumentException("learning rate must be positive and finite, was " + learningRate);
    }
  }

  /**
   * Builds a {@link Trainer}. Required: {@link #setWeights} or {@link #setFreshInit}. Optional, with the classic
   * finetune.py's values as defaults: {@code trainLayers} fc8, learning rate 0.01, momentum 0.9, weight decay
   * 5e-4, keepProb 0.5.
   *
   * <pre>{@code
   * Trainer t = Trainer.builder().setFreshInit().optNumClasses(2).optTrainLayers(Set.of("fc6", "fc7", "fc8"))
   *     .optLearningRate(0.001f).optSeed(1).build();
   * }</pre>
   */
  public static final class Builder {

    private AlexNetWeights weights;
    private boolean freshInit;
    private Integer numClasses;
    private Set<String> trainLayers = Set.of("fc8");
    private float learningRate = 0.01f;
    private float momentum = 0.9f;
    private float weightDecay = 5e-4f;
    private float keepProb = 0.5f;
    private long seed;
    private int intraOpThreads;
    private Input input = Input.IMAGES;
    private Placement placement = Placement.DEFAULT;

    private Builder() {
    }

    /** Pretrained weights; their skip layers are initialised fresh and must be among the trained layers. */
    public Builder setWeights(AlexNetWeights weights) {
      this.weights = weights;
      return this;
    }

    /** Every layer fresh ({@link FreshInit}). */
    public Builder setFreshInit() {
      this.freshInit = true;
      return this;
    }

    /** fc8's outputs; with {@link #setWeights} it is the weights' number of classes. */
    public Builder optNumClasses(int numClasses) {
      this.numClasses = numClasses;
      return this;
    }

    /** Layers whose weights and biases are trained, e.g. {@code fc7, fc8}; the rest stay frozen. */
    public Builder optTrainLayers(Set<String> trainLayers) {
      this.trainLayers = Set.copyOf(trainLayers);
      return this;
    }

    public Builder optLearningRate(float learningRate) {
      this.learningRate = learningRate;
      return this;
    }

    public Builder optMomentum(float momentum) {
      this.momentum = momentum;
      return this;
    }

    /** L2 factor on the trained layers' weights (not biases); 0 turns decay off. */
    public Builder optWeightDecay(float weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    /** Dropout's keep probability during {@link #step} (default 0.5); 1 turns dropout off. */
    public Builder optKeepProb(float keepProb) {
      this.keepProb = keepProb;
      return this;
    }

    /** Seed of fresh layers and of dropout's masks. */
    public Builder optSeed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Threads for one op (default 0: TensorFlow picks). */
    public Builder optIntraOpThreads(int threads) {
      this.intraOpThreads = threads;
      return this;
    }

    /**
     * {@link Input#IMAGES} (default), or {@link Input#POOL5} to train fc6 … fc8 on pool5 features; then only
     * those layers may be in {@link #optTrainLayers}, and the weights' conv layers are not used.
     */
    public Builder optInput(Input input) {
      this.input = Objects.requireNonNull(input, "input");
      return this;
    }

    /**
     * The device training runs on, e.g. {@code /GPU:0} or {@code /CPU:0} (default: TensorFlow decides, a GPU if
     * there is one). The gradient ops, which TensorFlow's C API adds without a device, go to TensorFlow's default
     * device: the CPU when {@code device} is a CPU (the GPUs are then hidden), else the first GPU — to train on
     * another GPU, make it the only visible one: {@code CUDA_VISIBLE_DEVICES=1} and {@code /GPU:0}.
     * {@link #build()} fails, listing the devices there are, if it does not exist.
     *
     * @throws IllegalArgumentException if {@code device} is not a device name
     */
    public Builder optDevice(String device) {
      this.placement = Placement.device(device);
      return this;
    }

    private int numClasses() {
      return weights != null ? weights.numClasses()
          : numClasses != null ? numClasses : AlexNetSpec.IMAGENET_CLASSES;
    }

    private WeightArray initialValue(String parameter) {
      return FreshInit.initialValue(parameter, weights, numClasses(), seed);
    }

    /**
     * Checks the settings, builds the training graph and sets every variable.
     *
     * @throws IllegalArgumentException for inconsistent settings, e.g. a fresh (skipped) layer that is not trained
     */
    public Trainer build() {
      if ((weights != null) == freshInit) {
        throw new IllegalArgumentException("set exactly one source of parameters: setWeights or setFreshInit");
      }
      if (weights != null && numClasses != null && numClasses != weights.numClasses()) {
        throw new IllegalArgumentException("optNumClasses " + numClasses + " disagrees with the weights' "
            + weights.numClasses() + " classes");
      }
      if (numClasses() < 1) {
        throw new IllegalArgumentException("numClasses must be at least 1, was " + numClasses());
      }
      if (trainLayers.isEmpty() || !AlexNetSpec.LAYER_NAMES.containsAll(trainLayers)) {
        throw new IllegalArgumentException("trainLayers must be a non-empty subset of " + AlexNetSpec.LAYER_NAMES
            + ", was " + trainLayers);
      }
      List<String> graphLayers = input == Input.POOL5 ? CLASSIFIER_LAYERS : AlexNetSpec.LAYER_NAMES;
      if (!graphLayers.containsAll(trainLayers)) {
        List<String> outside = AlexNetSpec.LAYER_NAMES.stream()
            .filter(l -> trainLayers.contains(l) && !graphLayers.contains(l)).toList();
        throw new IllegalArgumentException("with pool5 input only fc6, fc7 and fc8 can be trained (the conv layers "
            + "are behind the pool5 features, frozen), but trainLayers has " + outside);
      }
      if (weights != null) {
        Set<String> frozenFresh = new LinkedHashSet<>();
        for (String layer : graphLayers) {
          if (!weights.isLoaded(layer) && !trainLayers.contains(layer)) {
            frozenFresh.add(layer);
          }
        }
        if (!frozenFresh.isEmpty()) {
          throw new IllegalArgumentException("layers " + frozenFresh + " are not loaded (skipped) but not trained "
              + "either, so they would stay random; add them to trainLayers");
        }
      }
      checkLearningRate(learningRate);
      if (!(momentum >= 0 && momentum < 1)) {
        throw new IllegalArgumentException("momentum must be in [0, 1), was " + momentum);
      }
      if (!(weightDecay >= 0) || !Float.isFinite(weightDecay)) {
        throw new IllegalArgumentException("weight decay must be >= 0 and finite, was " + weightDecay);
      }
      if (!(keepProb > 0 && keepProb <= 1)) {
        throw new IllegalArgumentException("keepProb must be in (0, 1], was " + keepProb);
      }
      if (intraOpThreads < 0) {
        throw new IllegalArgumentException("intraOpThreads must be >= 0, was " + intraOpThreads);
      }
      ConfigProto config = placement.sessionConfig(
          ConfigProto.newBuilder().setIntraOpParallelismThreads(intraOpThreads).build());
      Graph graph = new Graph();
      try {
        Session session = new Session(graph, config);
        try {
          return new Trainer(this, graph, session);
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
