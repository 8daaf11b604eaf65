package org.alexnettfj.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.alexnettfj.graph.AlexNetGraph;
import org.alexnettfj.graph.GraphOptions;
import org.alexnettfj.graph.ParameterSource;
import org.alexnettfj.graph.IntraOpPool;
import org.alexnettfj.graph.Placement;
import org.alexnettfj.graph.Precision;
import org.alexnettfj.graph.StepProfile;
import org.alexnettfj.graph.TensorPool;
import org.alexnettfj.graph.TfCheckpoint;
import org.alexnettfj.weights.AlexNetSpec;
import org.alexnettfj.weights.AlexNetWeights;
import org.alexnettfj.weights.WeightArray;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Fine-tunes AlexNet: the loss, the gradients of the trained layers' variables only, and SGD with momentum.
 *
 * <p>TensorFlow Java's optimizers train every variable in the graph; here the gradients are taken
 * ({@code Graph.addGradients}) for the variables of {@link Builder#optTrainLayers trainLayers} alone, and only
 * they get an update, so every other layer stays bit for bit as loaded.
 *
 * <p>Objective: mean softmax cross-entropy of fc8 against the integer labels, plus
 * {@code weightDecay / 2 * sum(w^2)} over the <em>weights</em> of the trained layers ({@code weightDecay *
 * l2Loss(w)}); {@link #step} reports the cross-entropy alone (the data loss, as Caffe prints it: the decay is in
 * the update, and adding it to a printed number would take a pass over every trained weight), {@link #loss} the
 * whole objective. Biases are not decayed, as in Caffe's reference AlexNet ({@code decay_mult: 0}); the paper decays
 * every parameter. The halving makes one step exactly the paper's rule (section 5):
 * <pre>
 *   v := momentum * v - learningRate * (dL/dw + weightDecay * w)     (no decay term for biases)
 *   w := w + v
 * </pre>
 * with one velocity {@code v}, starting at zero, per trained variable. The learning rate is fed at every step, so
 * a schedule can change it ({@link #setLearningRate}); a velocity keeps the rate it was made with. The step is
 * TensorFlow's fused {@code ApplyMomentum} kernel on a backward pass started from {@code -learningRate} rather than
 * 1, with the decay term put into the velocity rather than differentiated; {@link #gradients} and
 * {@link #lastGradients} are read back from that pass, decay term included: the same values up to float rounding.
 *
 * <p>The graph is {@link GraphOptions#fastest} its placement made differentiable for the trained layers
 * ({@link GraphOptions#forTraining}): when conv1 or conv2 is trained, LRN from basic ops
 * ({@link AlexNetGraph.Lrn#BASIC_OPS}), because TensorFlow's registered gradient of the fused LRN op ignores the
 * op's attributes; when any conv layer is trained, the classic convolutions
 * ({@link AlexNetGraph.Convolutions#CLASSIC}: grouped layers split → conv → concat), which have CPU gradients.
 * Training feeds {@code keepProb} (default 0.5) to dropout after fc6 and fc7; {@link #logits} and {@link #loss}
 * run with 1. Step {@code k}'s dropout masks are keyed on {@code (seed, k)} (stateless random ops),
 * so they depend on nothing but the seed and the step number.
 *
 * <p>{@link #save} writes every variable — weights, momentum velocities — and a {@link TrainingState} into one
 * TensorFlow checkpoint with TensorFlow's own save and restore ops ({@link TfCheckpoint#addSaver}: weights and
 * velocities in AlexNet's layout even where the graph holds the fc weights transposed); {@link #restore} puts all
 * of it back, so training goes on bit for bit as if it had never stopped.
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
  /** Batch tensors refilled step after step: a training batch's and a validation batch's. */
  private final TensorPool inputs = new TensorPool(2);
  private final AlexNetGraph net;
  private final Set<String> trainLayers;
  private final List<String> trainedNames;
  private final Placeholder<TInt32> labels;
  private final Placeholder<TFloat32> learningRateInput;
  /** The cross-entropy, what {@link #step} reports, and the whole objective, what {@link #loss} reports. */
  private final Loss loss;
  private final Operand<TFloat32> accuracy;
  private final TrainOp train;
  /** Velocities by trained variable, in AlexNet's layout (see {@link AlexNetGraph.Parameter#read}). */
  private final Map<String, Operand<TFloat32>> velocities;
  private final FiniteChecks finite;
  private final StateVariables state;
  /** The variables the saver writes and reads in AlexNet's layout though the graph holds them transposed. */
  private final Set<String> savedTransposed;
  private final float keepProb;
  private final Input input;
  private final float momentum;
  private final float weightDecay;
  /** The largest class weight, 1 without class weights: it bounds the weighted loss of guessing. */
  private final float largestClassWeight;
  private final long seed;
  private float learningRate;
  private long steps;
  private float lastAccuracy = Float.NaN;
  private float lastLoss = Float.NaN;
  private Map<String, WeightArray> lastGradients = Map.of();
  private boolean closed;

  private Trainer(Builder b, ParameterSource parameters, Graph graph, Session session) {
    this.graph = graph;
    this.session = session;
    this.trainLayers = Set.copyOf(b.trainLayers);
    this.keepProb = b.keepProb;
    this.momentum = b.momentum;
    this.weightDecay = b.weightDecay;
    float largest = 1;
    if (b.classWeights != null) {
      largest = 0;
      for (float w : b.classWeights) {
        largest = Math.max(largest, w);
      }
    }
    this.largestClassWeight = largest;
    this.seed = b.seed;
    this.learningRate = b.learningRate;
    this.input = b.input;
    Ops tf = b.placement.scope(Ops.create(graph));
    // Differentiable where a gradient passes (see the class comment), the fastest layouts elsewhere.
    GraphOptions options = GraphOptions.fastest(b.placement).forTraining(trainLayers).withSeed(b.seed);
    this.net = input == Input.POOL5 ? AlexNetGraph.createClassifier(tf, parameters.numClasses(), options)
        : AlexNetGraph.create(tf, parameters.numClasses(), options);

    // finetune.py's var_list: the trained layers' variables, in layer order; no other variable gets an update.
    List<AlexNetGraph.Parameter> varList = net.parameters().values().stream()
        .filter(p -> trainLayers.contains(p.layer())).toList();
    this.trainedNames = varList.stream().map(AlexNetGraph.Parameter::name).toList();
    Ops ops = tf.withSubScope("train");
    labels = ops.withName("labels").placeholder(TInt32.class, Placeholder.shape(Shape.of(Shape.UNKNOWN_SIZE)));
    learningRateInput = ops.withName("learningRate").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    loss = Loss.build(ops, net.logits(), labels, parameters.numClasses(), b.classWeights, varList, b.weightDecay);
    accuracy = ops.withName("accuracy").math.mean(ops.dtypes.cast(ops.math.equal(
        ops.math.argMax(net.logits(), ops.constant(1), TInt32.class), labels), TFloat32.class), ops.constant(0));
    train = TrainOp.build(ops, varList, loss, accuracy, learningRateInput, b.momentum, b.weightDecay);
    velocities = train.velocities().reads();
    finite = FiniteChecks.build(ops.withSubScope("finite"), varList, train.velocities());
    state = StateVariables.build(tf, ops.withSubScope("state"));
    // Checkpoints in AlexNet's layout whatever the graph holds: older checkpoints resume, other tools read them.
    Set<String> transposed = new HashSet<>(net.transposedVariables());
    transposed.addAll(train.velocities().transposed());
    TfCheckpoint.addSaver(graph, transposed);
    this.savedTransposed = Set.copyOf(transposed);

    // Initial values: each layer as loaded, or fresh (FreshInit) where none was loaded; every velocity zero.
    Map<String, WeightArray> values = new LinkedHashMap<>();
    for (AlexNetGraph.Parameter p : net.parameters().values()) {
      values.put(p.name(), parameters.value(p.name()));
    }
    setParameters(values);
    train.velocities().zero(session);
  }

  /**
   * Starts configuring a trainer.
   *
   * @return a new builder with the classic finetune.py defaults
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * One SGD step on a batch, with dropout: computes the cross-entropy and the gradients, then updates the trained
   * variables and their velocities (weight decay included).
   *
   * @param images {@code n} preprocessed images, NHWC, {@code n * 227 * 227 * 3} values (with {@link Input#POOL5}:
   *     {@code n} pool5 features, {@code n * 6 * 6 * 256} values)
   * @param labels {@code n} class indices in {@code [0, numClasses)}
   * @param n the batch size, at least 1
   * @return the batch's cross-entropy before the update (the data loss: weight decay is in the update, not in this
   *     number, as in Caffe's output)
   * @throws ArithmeticException if the loss is NaN or infinite, naming the step; that step's update has been
   *     applied, so the trained variables are no longer usable
   */
  public float step(float[] images, int[] labels, int n) {
    return step(images, labels, n, false);
  }

  /**
   * {@link #step(float[], int[], int)}, and with {@code keepGradients} the step's gradients are kept for
   * {@link #lastGradients()} (fetched from the same run, so they are the ones applied; costs a copy of each).
   *
   * @param images the batch, as for {@link #step(float[], int[], int)}
   * @param labels {@code n} class indices in {@code [0, numClasses)}
   * @param n the batch size, at least 1
   * @param keepGradients whether to keep this step's gradients for {@link #lastGradients()}
   * @return the batch's cross-entropy before the update
   * @throws ArithmeticException if the loss is NaN or infinite (the update has been applied)
   */
  public float step(float[] images, int[] labels, int n, boolean keepGradients) {
    return run(images, labels, n, keepGradients, null).loss();
  }

  /**
   * One {@link #step(float[], int[], int)} — a real one: the weights are updated — traced by TensorFlow, for
   * {@code tools/bench profile --train}: what each op of the forward pass, the backward pass and the update cost,
   * and which kernel ran it. Tracing adds a little to each op.
   *
   * @param images the batch, as for {@link #step(float[], int[], int)}
   * @param labels {@code n} class indices in {@code [0, numClasses)}
   * @param n the batch size, at least 1
   * @return each op's time and kernel, and the step's wall time in microseconds
   * @throws ArithmeticException if the loss is NaN or infinite (the update has been applied)
   */
  public StepProfile profileStep(float[] images, int[] labels, int n) {
    RunOptions trace = RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build();
    return run(images, labels, n, false, trace).profile();
  }

  /** What one step gave: the loss, and with tracing what each op cost (else null). */
  private record StepResult(float loss, StepProfile profile) {
  }

  /** One SGD step; with {@code trace}, run under those options and its step statistics returned. */
  private StepResult run(float[] images, int[] labels, int n, boolean keepGradients, RunOptions trace) {
    requireOpen();
    checkBatch(images, labels, n);
    long step = steps + 1;
    try (TensorPool.Lease x = images(images, n); TInt32 y = labelTensor(labels, n);
        TFloat32 keep = TFloat32.scalarOf(keepProb); TFloat32 rate = TFloat32.scalarOf(learningRate);
        TInt64 dropoutKey = TInt64.vectorOf(seed, step)) {
      Session.Runner runner = session.runner().feed(net.input(), x.tensor()).feed(this.labels, y)
          .feed(net.keepProb(), keep).feed(net.dropoutSeed(), dropoutKey).feed(learningRateInput, rate)
          .fetch(loss.crossEntropy()).fetch(accuracy)
          .addTarget(keepGradients ? train.stepKeepingGradients() : train.step());
      if (keepGradients) {
        trainedNames.forEach(name -> runner.fetch(train.gradients().get(name)));
      }
      float value;
      StepProfile profile = null;
      long start = System.nanoTime();
      try (Result r = trace == null ? runner.run() : runner.setOptions(trace).runAndFetchMetadata()) {
        if (trace != null) {
          profile = StepProfile.of(r.getMetadata().orElseThrow(
              () -> new IllegalStateException("TensorFlow returned no run metadata")),
              (System.nanoTime() - start) / 1000);
        }
        value = ((TFloat32) r.get(0)).getFloat();
        lastAccuracy = ((TFloat32) r.get(1)).getFloat();
        lastLoss = value;
        if (keepGradients) {
          Map<String, WeightArray> kept = new LinkedHashMap<>();
          for (int i = 0; i < trainedNames.size(); i++) {
            String name = trainedNames.get(i);
            kept.put(name, WeightArray.of(net.parameters().get(name).shape(), values((TFloat32) r.get(2 + i))));
          }
          lastGradients = kept;
        }
      }
      steps = step;
      if (!Float.isFinite(value)) {
        throw new ArithmeticException("loss is " + value + " at step " + step + " (learning rate " + learningRate
            + "): training diverged; lower the learning rate");
      }
      return new StepResult(value, profile);
    }
  }

  /**
   * The objective of a batch — cross-entropy plus weight decay, what {@link #gradients} differentiates — without
   * dropout and without changing anything.
   *
   * @param images the batch, as for {@link #step(float[], int[], int)}
   * @param labels {@code n} class indices in {@code [0, numClasses)}
   * @param n the batch size, at least 1
   * @return the batch's mean cross-entropy plus {@code weightDecay * l2Loss} of the trained weights
   */
  public float loss(float[] images, int[] labels, int n) {
    requireOpen();
    checkBatch(images, labels, n);
    try (TensorPool.Lease x = images(images, n); TInt32 y = labelTensor(labels, n);
        Result r = session.runner().feed(net.input(), x.tensor()).feed(this.labels, y)
        .fetch(loss.total()).run()) {
      return ((TFloat32) r.get(0)).getFloat();
    }
  }

  /**
   * Gradients of {@link #loss} (no dropout) with respect to the trained variables, by variable name, without
   * changing anything: what {@link #step} would use with {@code keepProb} 1.
   *
   * @param images the batch, as for {@link #step(float[], int[], int)}
   * @param labels {@code n} class indices in {@code [0, numClasses)}
   * @param n the batch size, at least 1
   * @return a new map from trained variable name ({@code fc8/weights}, ...), in layer order, to its gradient in
   *     AlexNet's layout (the shape of {@link #parameter}), weight decay included
   */
  public Map<String, float[]> gradients(float[] images, int[] labels, int n) {
    requireOpen();
    checkBatch(images, labels, n);
    Map<String, float[]> out = new LinkedHashMap<>();
    try (TensorPool.Lease x = images(images, n); TInt32 y = labelTensor(labels, n);
        TFloat32 rate = TFloat32.scalarOf(learningRate)) {
      // the backward pass is scaled by -learningRate (see TrainOp), so it is fed
      Session.Runner runner = session.runner().feed(net.input(), x.tensor()).feed(this.labels, y)
          .feed(learningRateInput, rate);
      trainedNames.forEach(name -> runner.fetch(train.gradients().get(name)));
      try (Result r = runner.run()) {
        for (int i = 0; i < trainedNames.size(); i++) {
          out.put(trainedNames.get(i), values((TFloat32) r.get(i)));
        }
      }
    }
    return out;
  }

  /**
   * fc8 scores without dropout (keepProb 1), changing nothing.
   *
   * @param images {@code n} examples, {@code n * }{@link #inputValues()} values
   * @param n the batch size, at least 1
   * @return new rows, {@code n x numClasses}: unnormalised scores (no softmax)
   */
  public float[][] logits(float[] images, int n) {
    requireOpen();
    checkImages(images, n);
    float[][] rows = new float[n][net.numClasses()];
    try (TensorPool.Lease x = images(images, n);
        Result r = session.runner().feed(net.input(), x.tensor()).fetch(net.logits()).run()) {
      TFloat32 out = (TFloat32) r.get(0);
      for (int i = 0; i < n; i++) {
        out.get(i).copyTo(DataBuffers.of(rows[i], false, false));
      }
    }
    return rows;
  }

  /**
   * The current value of a network variable, trained or frozen.
   *
   * @param name the variable, e.g. {@code fc8/weights} or {@code conv1/biases}
   * @return a copy in AlexNet's layout (fc weights {@code [in, out]}, conv weights HWIO)
   * @throws IllegalArgumentException if the network has no such variable
   */
  public WeightArray parameter(String name) {
    AlexNetGraph.Parameter p = net.parameters().get(name);
    if (p == null) {
      throw new IllegalArgumentException("no parameter '" + name + "' (parameters are "
          + net.parameters().keySet() + ")");
    }
    return read(p.read(), p.shape());
  }

  /**
   * The momentum velocity of a trained variable; zero before the first step.
   *
   * @param name the trained variable, e.g. {@code fc8/weights}
   * @return a copy in AlexNet's layout, the shape of {@link #parameter}
   * @throws IllegalArgumentException if {@code name} is not trained
   */
  public WeightArray velocity(String name) {
    Operand<TFloat32> v = velocities.get(name);
    if (v == null) {
      throw new IllegalArgumentException("'" + name + "' is not trained (trained: " + trainedNames + ")");
    }
    return read(v, net.parameters().get(name).shape());
  }

  /**
   * Sets variables by name, e.g. to restore a checkpoint or to probe the loss. Velocities are not touched.
   *
   * @param values new values in AlexNet's layout by variable name ({@code fc8/weights}, ...); variables not named
   *     keep theirs
   * @throws IllegalArgumentException if a name is not a variable or a shape differs from the variable's
   */
  public void setParameters(Map<String, WeightArray> values) {
    requireOpen();
    net.assign(session, values);
  }

  /**
   * Sets the rate of the following steps, e.g. from a {@link LearningRateSchedule}; velocities already built keep
   * the rate they were made with.
   *
   * @param learningRate the new rate, positive and finite
   * @throws IllegalArgumentException if it is not positive and finite
   */
  public void setLearningRate(float learningRate) {
    checkLearningRate(learningRate);
    this.learningRate = learningRate;
  }

  /**
   * The rate the next step uses.
   *
   * @return the builder's rate, or the last one set or restored
   */
  public float learningRate() {
    return learningRate;
  }

  /**
   * Training accuracy of the last step's batch, measured with dropout on, before the update.
   *
   * @return the fraction of argmax(fc8) equal to the label, in {@code [0, 1]}; NaN before the first step
   */
  public float lastAccuracy() {
    return lastAccuracy;
  }

  /**
   * The cross-entropy {@link #step} last computed, also when it threw because it was not finite.
   *
   * @return the last step's data loss; NaN before the first step
   */
  public float lastLoss() {
    return lastLoss;
  }

  /**
   * Steps taken so far: the global step, restored by {@link #restore}.
   *
   * @return 0 for a new trainer, counting steps whose loss was not finite too
   */
  public long steps() {
    return steps;
  }

  /**
   * The gradients, by trained variable, of the last {@link #step(float[], int[], int, boolean) step} that kept
   * them; empty before.
   *
   * @return unmodifiable gradients in AlexNet's layout by variable name, weight decay included
   */
  public Map<String, WeightArray> lastGradients() {
    return lastGradients;
  }

  /**
   * The training graph (network, loss, gradients, updates, state), e.g. for TensorBoard's graph view.
   *
   * @return a snapshot of the graph as a protobuf
   */
  public GraphDef graphDef() {
    requireOpen();
    return graph.toGraphDef();
  }

  /**
   * Seed of fresh layers and of dropout's masks.
   *
   * @return the builder's seed
   */
  public long seed() {
    return seed;
  }

  /**
   * Dropout's keep probability after fc6 and fc7 during {@link #step}.
   *
   * @return a value in {@code (0, 1]}; 1 means no dropout
   */
  public float keepProb() {
    return keepProb;
  }

  /**
   * The momentum factor of the SGD update.
   *
   * @return a value in {@code [0, 1)}
   */
  public float momentum() {
    return momentum;
  }

  /**
   * The L2 factor on the trained layers' weights (not biases).
   *
   * @return a value {@code >= 0}; 0 means no decay
   */
  public float weightDecay() {
    return weightDecay;
  }

  /**
   * Trained variables and velocities ({@code train/velocity/fc8/weights}) that hold a NaN or an infinity; empty
   * when all are finite. Frozen variables are left out: no step changes them.
   *
   * @return the offending names, e.g. {@code fc8/weights}, in layer order
   */
  public List<String> nonFiniteVariables() {
    requireOpen();
    return finite.nonFinite(session);
  }

  /**
   * Writes checkpoint {@code prefix} (e.g. {@code checkpoints/ckpt-3}, files {@code ckpt-3.index} and
   * {@code ckpt-3.data-00000-of-00001}) with TensorFlow's saver: every variable of the network, the momentum
   * velocities ({@code train/velocity/<layer>/<param>}) and {@code state} as the scalar tensors of
   * {@link TrainingState}. Written to a temporary name and renamed into place ({@link TfCheckpoint#save}); a
   * checkpoint of the same name is replaced.
   *
   *
   * @param prefix the checkpoint's path without suffix; its directory must exist
   * @param state the run's state to store with the variables
   * @throws IOException if the files cannot be written
   * @throws ArithmeticException if a trained variable or velocity is not finite: nothing is written
   */
  public void save(Path prefix, TrainingState state) throws IOException {
    requireOpen();
    List<String> bad = nonFiniteVariables();
    if (!bad.isEmpty()) {
      throw new ArithmeticException("not writing checkpoint " + prefix + ": " + String.join(", ", bad)
          + " hold NaN or infinite values");
    }
    this.state.write(session, state);
    TfCheckpoint.save(session, prefix, true);
  }

  /**
   * Restores checkpoint {@code prefix}, as {@link #save} wrote it, into every variable (network, velocities,
   * state) and sets {@link #steps()} and {@link #learningRate()} from it. The checkpoint must come from a trainer
   * with the same layers, trained layers and classes; {@link TrainingState#read} tells beforehand.
   *
   * @param prefix the checkpoint's path without suffix, e.g. {@code checkpoints/ckpt-3}
   * @return the state stored with it
   * @throws IOException if TensorFlow cannot restore it; {@link org.alexnettfj.weights.WeightFileException} naming
   *     every missing or misshapen tensor, with the shape there and the one expected, before anything is changed
   */
  public TrainingState restore(Path prefix) throws IOException {
    requireOpen();
    TfCheckpoint.checkRestorable(prefix, graph, savedTransposed);
    try {
      session.restore(TfCheckpoint.prefixOf(prefix).toString());
    } catch (RuntimeException e) {
      String msg = e.getMessage() == null ? e.toString() : e.getMessage().strip().lines().findFirst().orElse("");
      throw new IOException(prefix + ": cannot restore the training checkpoint: " + msg, e);
    }
    TrainingState restored = state.read(session);
    checkLearningRate(restored.learningRate());
    this.steps = restored.globalStep();
    this.learningRate = restored.learningRate();
    return restored;
  }

  /**
   * The layers whose weights and biases are trained.
   *
   * @return unmodifiable layer names, e.g. {@code fc7, fc8}
   */
  public Set<String> trainLayers() {
    return trainLayers;
  }

  /**
   * Names of the trained variables, in layer order.
   *
   * @return unmodifiable names, e.g. {@code fc8/weights, fc8/biases}
   */
  public List<String> trainedVariables() {
    return trainedNames;
  }

  /**
   * The number of classes fc8 scores.
   *
   * @return fc8's outputs
   */
  public int numClasses() {
    return net.numClasses();
  }

  /**
   * The cross-entropy of guessing: a model that scores every class alike has {@code ln(numClasses)}, times the
   * largest class weight when there are class weights (the most the weighted mean of guessing can be). A loss
   * far above it is not learning but divergence ({@link FineTuning} stops at ten times it).
   *
   * @return {@code ln(numClasses) * max(classWeights)}, 0 for one class
   */
  public double guessingLoss() {
    return Math.log(net.numClasses()) * largestClassWeight;
  }

  /**
   * What this trainer is fed: images, or pool5 features.
   *
   * @return the builder's input
   */
  public Input input() {
    return input;
  }

  /**
   * Values per example in the arrays {@link #step} and {@link #logits} take.
   *
   * @return {@link #IMAGE_VALUES}, or {@link #POOL5_VALUES} with {@link Input#POOL5}
   */
  public int inputValues() {
    return input == Input.POOL5 ? POOL5_VALUES : IMAGE_VALUES;
  }

  /** Frees the session, graph and kept batch tensors. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try (inputs; graph) {
      session.close();
    }
  }

  private WeightArray read(Operand<TFloat32> value, int[] shape) {
    requireOpen();
    try (Result r = session.runner().fetch(value).run()) {
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

  private TensorPool.Lease images(float[] images, int n) {
    Shape shape = input == Input.POOL5 ? Shape.of(n, 6, 6, 256)
        : Shape.of(n, AlexNetSpec.IMAGE_SIZE, AlexNetSpec.IMAGE_SIZE, 3);
    return inputs.lease(shape, DataBuffers.of(images, true, false));
  }

  private static TInt32 labelTensor(int[] labels, int n) {
    return TInt32.tensorOf(Shape.of(n), DataBuffers.of(labels, true, false));
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
    private float[] classWeights;
    private float keepProb = 0.5f;
    private long seed;
    private int intraOpThreads;
    private Input input = Input.IMAGES;
    private Placement placement = Placement.DEFAULT;
    private Precision precision = Precision.FP32;

    private Builder() {
    }

    /**
     * Pretrained weights; their skip layers are initialised fresh and must be among the trained layers.
     *
     * @param weights the loaded weights, which also fix the number of classes; copied into the graph by
     *     {@link #build()}
     * @return this builder
     */
    public Builder setWeights(AlexNetWeights weights) {
      this.weights = weights;
      return this;
    }

    /**
     * Every layer fresh ({@link org.alexnettfj.graph.FreshInit}), from {@link #optSeed}.
     *
     * @return this builder
     */
    public Builder setFreshInit() {
      this.freshInit = true;
      return this;
    }

    /**
     * fc8's outputs; with {@link #setWeights} it is the weights' number of classes.
     *
     * @param numClasses at least 1 (default 1000, or the weights'); must agree with the weights if both are given
     * @return this builder
     */
    public Builder optNumClasses(int numClasses) {
      this.numClasses = numClasses;
      return this;
    }

    /**
     * Layers whose weights and biases are trained; the rest stay frozen.
     *
     * @param trainLayers a non-empty subset of AlexNet's layers, e.g. {@code fc7, fc8} (default fc8); copied
     * @return this builder
     */
    public Builder optTrainLayers(Set<String> trainLayers) {
      this.trainLayers = Set.copyOf(trainLayers);
      return this;
    }

    /**
     * The learning rate of the first step; {@link Trainer#setLearningRate} changes it later.
     *
     * @param learningRate positive and finite (default 0.01)
     * @return this builder
     */
    public Builder optLearningRate(float learningRate) {
      this.learningRate = learningRate;
      return this;
    }

    /**
     * The momentum factor: {@code v := momentum * v - learningRate * g}.
     *
     * @param momentum in {@code [0, 1)} (default 0.9); 0 is plain SGD
     * @return this builder
     */
    public Builder optMomentum(float momentum) {
      this.momentum = momentum;
      return this;
    }

    /**
     * L2 factor on the trained layers' weights (not biases).
     *
     * @param weightDecay {@code >= 0} and finite (default 5e-4); 0 turns decay off
     * @return this builder
     */
    public Builder optWeightDecay(float weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    /**
     * Weights each image's cross-entropy term by its class's weight ({@code -mean(w[y] log p(y))}), for unbalanced
     * classes: e.g. inverse frequency, {@code n / (classes * n_c)}. Default: none (all 1). One positive finite
     * weight per class.
     *
     * @param classWeights one weight per class, or null for none; copied
     * @return this builder
     */
    public Builder optClassWeights(float[] classWeights) {
      this.classWeights = classWeights == null ? null : classWeights.clone();
      return this;
    }

    /**
     * Dropout's keep probability after fc6 and fc7 during {@link Trainer#step}.
     *
     * @param keepProb in {@code (0, 1]} (default 0.5); 1 turns dropout off
     * @return this builder
     */
    public Builder optKeepProb(float keepProb) {
      this.keepProb = keepProb;
      return this;
    }

    /**
     * Seed of fresh layers and of dropout's masks: the same seed, data and settings give the same run.
     *
     * @param seed any value (default 0)
     * @return this builder
     */
    public Builder optSeed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Threads for one op; TensorFlow has one such pool per process, sized by the first model built
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
     * {@link Precision#BF16} for faster, approximate training on cores with bfloat16 instructions (the forward
     * and backward convolutions and products in bfloat16, the variables and momentum float32); default
     * {@link Precision#FP32}, exact. {@link #build()} refuses bf16 where it would be emulated or cannot run.
     *
     * @param precision the precision, not null
     * @return this builder
     */
    public Builder optPrecision(Precision precision) {
      this.precision = Objects.requireNonNull(precision, "precision");
      return this;
    }

    /**
     * {@link Input#IMAGES} (default), or {@link Input#POOL5} to train fc6 … fc8 on pool5 features; then only
     * those layers may be in {@link #optTrainLayers}, and the weights' conv layers are not used.
     *
     * @param input what the trainer is fed, not null
     * @return this builder
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
     * @param device a TensorFlow device name
     * @return this builder
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

    /**
     * Checks the settings, builds the training graph and sets every variable.
     *
     * @return a new trainer, which the caller closes
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
      if (classWeights != null) {
        if (classWeights.length != numClasses()) {
          throw new IllegalArgumentException(classWeights.length + " class weights for " + numClasses()
              + " classes");
        }
        for (float w : classWeights) {
          if (!(w > 0) || !Float.isFinite(w)) {
            throw new IllegalArgumentException("class weights must be positive and finite, got "
                + java.util.Arrays.toString(classWeights));
          }
        }
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
      ParameterSource parameters = weights != null ? ParameterSource.of(weights, seed)
          : ParameterSource.fresh(numClasses(), seed);
      if (weights != null) {
        Set<String> frozenFresh = new LinkedHashSet<>(parameters.freshLayers());
        frozenFresh.retainAll(graphLayers);
        frozenFresh.removeAll(trainLayers);
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
      IntraOpPool.request(intraOpThreads);   // before the device check's session sizes TensorFlow's pool
      precision.check(placement);
      ConfigProto config = precision.apply(placement.sessionConfig(
          ConfigProto.newBuilder().setIntraOpParallelismThreads(intraOpThreads).build()));
      Graph graph = new Graph();
      try {
        Session session = new Session(graph, config);
        try {
          return new Trainer(this, parameters, graph, session);
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
