package org.alexnettfj.graph;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.alexnettfj.graph.AlexNetGraph.Activation;
import org.alexnettfj.graph.AlexNetGraph.Convolutions;
import org.alexnettfj.graph.AlexNetGraph.FcLayout;
import org.alexnettfj.graph.AlexNetGraph.Lrn;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.OpScope;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;
import org.tensorflow.op.core.Identity;
import org.tensorflow.op.core.Merge;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Split;
import org.tensorflow.op.core.SwitchCond;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.op.nn.LocalResponseNormalization;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The mechanics behind {@link AlexNetGraph}'s one line per layer, as the classic {@code create()}'s {@code conv},
 * {@code lrn}, {@code max_pool}, {@code fc} and {@code dropout}: each adds one layer's ops, laid out as the
 * {@link GraphOptions} say, creates its variables through {@link Parameters}, and records its output under the
 * layer's name. One instance builds one graph, on the placement's device.
 */
final class Layers {

  private final Ops tf;
  private final GraphOptions options;
  private final Placement placement;
  private final Parameters parameters;
  private final Map<String, Operand<TFloat32>> outputs = new LinkedHashMap<>();

  /** Builds with {@code tf}, already scoped to the placement's device. */
  Layers(Ops tf, GraphOptions options, Parameters parameters) {
    this.tf = tf;
    this.options = options;
    this.placement = options.placement();
    this.parameters = parameters;
  }

  /** The graph's ops, on the placement's (first) device. */
  Ops tf() {
    return tf;
  }

  /** The placement the layers are built for. */
  Placement placement() {
    return placement;
  }

  /** Where the variables go. */
  Parameters parameters() {
    return parameters;
  }

  /** Every layer output recorded, by name, in forward order; the map itself. */
  Map<String, Operand<TFloat32>> outputs() {
    return outputs;
  }

  /**
   * Convolution with ReLU. With {@code groups > 1} the input is split on channels and the HWIO weights on the
   * output axis, each input part convolved with its weight part, and the results concatenated on channels —
   * the paper's two-GPU split, kept because the pretrained weights have its shape (with
   * {@link Convolutions#ONEDNN_FORWARD}, the same computation as one grouped {@code Conv2D}). With
   * {@code kernelHalves}, an ungrouped layer is computed as two convolutions of half the kernels each (bias and
   * ReLU on each, so they fuse into it), concatenated: the same values, for a kernel count that oneDNN runs slowly.
   */
  Operand<TFloat32> conv(Operand<TFloat32> x, int filterHeight, int filterWidth, int numFilters, int strideY,
      int strideX, String name, String padding, int groups, boolean kernelHalves) {
    int inputChannels = (int) x.shape().get(3);
    Ops scope = tf.withSubScope(name);
    Variable<TFloat32> weights = parameters.variable(scope, name, "weights",
        filterHeight, filterWidth, inputChannels / groups, numFilters);
    Variable<TFloat32> biases = parameters.variable(scope, name, "biases", numFilters);
    List<Long> strides = List.of(1L, (long) strideY, (long) strideX, 1L);

    if (kernelHalves && groups == 1) {
      // The halves win from two images up; one image runs faster as one convolution (conv3: 3.4-3.6 against
      // 4.3-4.7 ms, BENCHMARKS.md). Switch and Merge choose by the input's size, and the weights pass through the
      // switch too, so the branch not taken (its weight split included) does not run.
      long oneImage = x.shape().get(1) * x.shape().get(2) * x.shape().get(3);
      Operand<TBool> single = scope.math.equal(scope.size(x, TInt64.class), scope.constant(oneImage));
      SwitchCond<TFloat32> xs = scope.switchCond(x, single);
      SwitchCond<TFloat32> ws = scope.switchCond(weights, single);
      SwitchCond<TFloat32> bs = scope.switchCond(biases, single);
      Ops whole = scope.withSubScope("one_image");
      Operand<TFloat32> one = whole.nn.relu(whole.nn.biasAdd(
          whole.nn.conv2d(xs.outputTrue(), ws.outputTrue(), strides, padding), bs.outputTrue()));
      Ops split = scope.withSubScope("halves");
      Split<TFloat32> weightHalves = split.split(split.constant(3), ws.outputFalse(), 2L);
      Split<TFloat32> biasHalves = split.split(split.constant(0), bs.outputFalse(), 2L);
      List<Operand<TFloat32>> halves = new ArrayList<>();
      for (int h = 0; h < 2; h++) {
        halves.add(split.nn.relu(split.nn.biasAdd(
            split.nn.conv2d(xs.outputFalse(), weightHalves.output().get(h), strides, padding),
            biasHalves.output().get(h))));
      }
      Merge<TFloat32> chosen = scope.merge(List.of(split.concat(halves, split.constant(3)), one));
      return record(name, named(name, chosen.output()));
    }
    Operand<TFloat32> conv;
    if (groups == 1 || options.convolutions() == Convolutions.ONEDNN_FORWARD) {
      // with a filter of inputChannels / groups depth, TensorFlow's Conv2D convolves in groups
      conv = scope.nn.conv2d(x, weights, strides, padding);
    } else {
      Split<TFloat32> inputGroups = scope.split(scope.constant(3), x, (long) groups);
      Split<TFloat32> weightGroups = scope.split(scope.constant(3), weights, (long) groups);
      List<Operand<TFloat32>> outputGroups = new ArrayList<>();
      for (int g = 0; g < groups; g++) {
        outputGroups.add(scope.nn.conv2d(inputGroups.output().get(g), weightGroups.output().get(g), strides, padding));
      }
      conv = scope.concat(outputGroups, scope.constant(3));
    }
    return record(name, named(name, scope.nn.relu(scope.nn.biasAdd(conv, biases))));
  }

  /**
   * Local response normalisation over channels: {@code a / (bias + alpha * sum(a^2 over [c - radius, c + radius]))
   * ^ beta}. Caffe's {@code local_size n, alpha, beta, k} are {@code radius = (n - 1) / 2}, {@code alpha / n},
   * {@code beta}, {@code k}; all four are passed because TensorFlow's defaults (5, 1, 1, 0.5) are not Caffe's.
   */
  Operand<TFloat32> lrn(Operand<TFloat32> x, int radius, float alpha, float beta, float bias, String name) {
    if (options.lrn() == Lrn.BASIC_OPS) {
      return record(name, named(name, LrnFromBasicOps.lrn(tf.withSubScope(name), x, radius, alpha, beta,
          bias, options.lrnWindow((int) x.shape().get(3)))));
    }
    return record(name, tf.withName(name).nn.localResponseNormalization(x,
        LocalResponseNormalization.depthRadius((long) radius),
        LocalResponseNormalization.alpha(alpha),
        LocalResponseNormalization.beta(beta),
        LocalResponseNormalization.bias(bias)));
  }

  /** Max pooling, as the classic {@code max_pool}. */
  Operand<TFloat32> maxPool(Operand<TFloat32> x, int filterHeight, int filterWidth, int strideY, int strideX,
      String name, String padding) {
    return record(name, tf.withName(name).nn.maxPool(x,
        tf.constant(new int[] {1, filterHeight, filterWidth, 1}),
        tf.constant(new int[] {1, strideY, strideX, 1}),
        padding));
  }

  /**
   * Fully connected: {@code x · weights + biases}, weights {@code [numIn, numOut]} (held as {@link FcLayout} says),
   * then ReLU unless LINEAR.
   */
  Operand<TFloat32> fc(Operand<TFloat32> x, int numIn, int numOut, String name, Activation activation) {
    Ops scope = tf.withSubScope(name);
    boolean transposed = options.fcLayout() == FcLayout.TRANSPOSED;
    Variable<TFloat32> weights = parameters.variable(scope, name, "weights", transposed, numIn, numOut);
    Variable<TFloat32> biases = parameters.variable(scope, name, "biases", numOut);
    Operand<TFloat32> act = scope.nn.biasAdd(scope.linalg.matMul(x, weights, MatMul.transposeB(transposed)), biases);
    return record(name, named(name, activation == Activation.RELU ? scope.nn.relu(act) : act));
  }

  /**
   * Inverted dropout, as {@code tf.nn.dropout}: keeps each value with probability {@code keepProb} and scales the
   * kept ones by {@code 1 / keepProb}. With {@code keepProb = 1} the mask {@code floor(1 + U[0, 1))} is all ones
   * and {@code x / 1 * 1} is {@code x} exactly, so inference is unaffected.
   *
   * <p>The uniforms come from {@code StatelessRandomUniform} keyed on {@code dropoutSeed} (the graph's
   * {@link AlexNetGraph#dropoutSeed()}) plus a constant of the layer, not from a stateful random op: a mask depends
   * only on its key, never on how many masks were drawn before, so a training run resumed from a checkpoint draws
   * the same masks as one that was never stopped (the trainer feeds {@code (seed, global step)}).
   */
  Operand<TFloat32> dropout(Operand<TFloat32> x, Operand<TFloat32> keepProb, Operand<TInt64> dropoutSeed,
      String name) {
    Ops scope = tf.withSubScope(name);
    Operand<TInt64> key = scope.math.add(dropoutSeed, scope.constant(new long[] {name.hashCode(), 0L}));
    Operand<TFloat32> uniform = scope.random.statelessRandomUniform(scope.shape(x), key, TFloat32.class);
    Operand<TFloat32> mask = scope.math.floor(scope.math.add(keepProb, uniform));
    return named(name, scope.math.mul(scope.math.div(x, keepProb), mask));
  }

  /** A float32 placeholder {@code [N, imageShape...]}, N unknown. */
  Placeholder<TFloat32> placeholder(String name, long... imageShape) {
    long[] shape = new long[imageShape.length + 1];
    shape[0] = Shape.UNKNOWN_SIZE;
    System.arraycopy(imageShape, 0, shape, 1, imageShape.length);
    return tf.withName(name).placeholder(TFloat32.class, Placeholder.shape(Shape.of(shape)));
  }

  /** {@link AlexNetGraph#KEEP_PROB}, 1.0 unless fed. */
  Operand<TFloat32> keepProbPlaceholder() {
    return tf.withName(AlexNetGraph.KEEP_PROB).placeholderWithDefault(tf.constant(1.0f), Shape.scalar());
  }

  /** {@link AlexNetGraph#DROPOUT_SEED}, {@code (seed, 0)} unless fed. */
  Operand<TInt64> dropoutSeedPlaceholder() {
    return tf.withName(AlexNetGraph.DROPOUT_SEED).placeholderWithDefault(tf.constant(new long[] {options.seed(), 0L}),
        Shape.of(2));
  }

  /**
   * Names a layer's output {@code name} although its internals live in the sub-scope {@code name/}. TF Java's
   * NameScope reserves a sub-scope's name, so {@code tf.withName("conv1")} after {@code tf.withSubScope("conv1")}
   * would come out as {@code conv1_1}; a fresh root scope only knows the graph's top-level op names.
   */
  Operand<TFloat32> named(String name, Operand<TFloat32> x) {
    Scope root = new OpScope(tf.scope().env());
    if (!placement.isDefault()) {
      root = root.withDevice(placement.spec(0));
    }
    Identity<TFloat32> out = Identity.create(root.withName(name), x);
    if (!out.op().name().equals(name)) {
      throw new IllegalStateException("layer output came out as '" + out.op().name() + "', not '" + name
          + "': build AlexNet once per graph, on its root Ops");
    }
    return out;
  }

  /** Records {@code output} as the layer output {@code name}. */
  Operand<TFloat32> record(String name, Operand<TFloat32> output) {
    outputs.put(name, output);
    return output;
  }
}
