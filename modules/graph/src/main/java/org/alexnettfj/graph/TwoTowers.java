package org.alexnettfj.graph;

import static org.alexnettfj.graph.AlexNetGraph.SAME;
import static org.alexnettfj.graph.AlexNetGraph.VALID;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Split;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * AlexNet's layers on the paper's two towers ({@link Placement#towers}): each tower works on its own half and the
 * towers meet only where the network needs all channels or neurons.
 * <ul>
 *   <li>tower 0: input, conv1, norm1, pool1 — norm1 sums squares across all 96 channels (Caffe's LRN, which
 *       the pretrained weights were trained with), so splitting conv1 would only send its halves straight back;
 *   <li>tower g: group g of conv2 (conv, bias and ReLU on its 48 input channels and 128 kernels);
 *   <li>tower 0: norm2 and pool2, again across all 256 channels;
 *   <li>tower g: kernels {@code 192g …} of conv3 from all of pool2 (the paper's first exchange), then group g
 *       of conv4 and of conv5 from its own half — no copies between conv3 and pool5 — and its half of pool5;
 *   <li>tower g: neurons {@code 2048g …} of fc6 and of fc7 from the whole previous layer (the paper's other
 *       exchanges), so fc6's 151 MB of weights are split too;
 *   <li>tower 0: dropout (on whole layers, so the random masks are those of one device), fc8 (small, and any
 *       number of classes) and prob, built by {@link Layers} as on one device.
 * </ul>
 * Each split layer's output is the halves joined on tower 0, computed only when fetched or needed there. Its
 * variables {@code <layer>/weights} and {@code <layer>/biases} stay whole, on the host CPU, where they are set and
 * read; each tower keeps its half in {@code <layer>/tower<g>/weights} and {@code …/biases} on its device, written
 * by the same assign run.
 */
final class TwoTowers {

  private final Layers layers;
  private final Ops tf;
  private final Placement placement;

  TwoTowers(Layers layers) {
    this.layers = layers;
    this.tf = layers.tf();
    this.placement = layers.placement();
  }

  /**
   * conv1 … pool5 on the two towers: the same layers as {@code AlexNetGraph.features}, each split layer a list of
   * its two halves, one per tower.
   */
  Operand<TFloat32> features(Operand<TFloat32> x) {
    // 1st Layer on tower 0: Conv (w ReLu) -> Lrn -> Pool; norm1 needs all 96 channels together
    Operand<TFloat32> conv1 = layers.conv(x, 11, 11, 96, 4, 4, "conv1", VALID, 1, false);
    Operand<TFloat32> norm1 = layers.lrn(conv1, 2, 2e-05f, 0.75f, 1.0f, "norm1");
    Operand<TFloat32> pool1 = layers.maxPool(norm1, 3, 3, 2, 2, "pool1", VALID);

    // 2nd Layer: tower g convolves its half of pool1 with its group of kernels; Lrn -> Pool on tower 0
    List<Operand<TFloat32>> conv2 = conv(List.of(pool1), 5, 5, 256, "conv2", true);
    Operand<TFloat32> norm2 = layers.lrn(layers.outputs().get("conv2"), 2, 2e-05f, 0.75f, 1.0f, "norm2");
    Operand<TFloat32> pool2 = layers.maxPool(norm2, 3, 3, 2, 2, "pool2", VALID);

    // 3rd Layer: each tower reads all of pool2 and computes half of the kernels
    List<Operand<TFloat32>> conv3 = conv(List.of(pool2), 3, 3, 384, "conv3", false);

    // 4th Layer: tower g convolves its own half of conv3 (group g)
    List<Operand<TFloat32>> conv4 = conv(conv3, 3, 3, 384, "conv4", true);

    // 5th Layer: Conv (w ReLu) -> Pool, each tower on its own half (group g)
    List<Operand<TFloat32>> conv5 = conv(conv4, 3, 3, 256, "conv5", true);
    return maxPool(conv5, 3, 3, 2, 2, "pool5", VALID);
  }

  /**
   * A stride-1 convolution with ReLU split over the two towers: tower g holds kernels {@code [g K/2, (g+1) K/2)}
   * and their biases. {@code grouped}: tower g reads channel half g of the input — {@code inputs} are the two
   * halves, or one tensor that is split here — as the layer's two groups do on one device; otherwise each tower
   * reads all of the single input. Returns the two halves of the output; the layer's output {@code name} is them
   * joined on tower 0.
   */
  List<Operand<TFloat32>> conv(List<Operand<TFloat32>> inputs, int filterHeight, int filterWidth,
      int numFilters, String name, boolean grouped) {
    Ops scope = tf.withSubScope(name);
    List<Operand<TFloat32>> perTower = inputs;
    if (inputs.size() == 1) {
      perTower = grouped ? List.copyOf(scope.split(scope.constant(3), inputs.get(0), 2L).output())
          : List.of(inputs.get(0), inputs.get(0));
    }
    int inputChannels = (int) perTower.get(0).shape().get(3);
    List<Ops> towers = scopes(scope);
    List<Variable<TFloat32>> weights = parameter(scope, towers, name, "weights", 3,
        filterHeight, filterWidth, inputChannels, numFilters);
    List<Variable<TFloat32>> biases = parameter(scope, towers, name, "biases", 0, numFilters);
    List<Long> strides = List.of(1L, 1L, 1L, 1L);
    List<Operand<TFloat32>> outputs = new ArrayList<>();
    for (int g = 0; g < 2; g++) {
      Ops t = towers.get(g);
      Operand<TFloat32> conv = t.nn.conv2d(perTower.get(g), weights.get(g), strides, SAME);
      outputs.add(t.nn.relu(t.nn.biasAdd(conv, biases.get(g))));
    }
    layers.record(name, layers.named(name, scope.concat(outputs, scope.constant(3))));
    return outputs;
  }

  /** Max pooling of each tower's half on its tower; the layer's output {@code name} is them joined on tower 0. */
  Operand<TFloat32> maxPool(List<Operand<TFloat32>> halves, int filterHeight, int filterWidth,
      int strideY, int strideX, String name, String padding) {
    Ops scope = tf.withSubScope(name);
    List<Ops> towers = scopes(scope);
    List<Operand<TFloat32>> outputs = new ArrayList<>();
    for (int g = 0; g < 2; g++) {
      Ops t = towers.get(g);
      outputs.add(t.nn.maxPool(halves.get(g), t.constant(new int[] {1, filterHeight, filterWidth, 1}),
          t.constant(new int[] {1, strideY, strideX, 1}), padding));
    }
    return layers.record(name, layers.named(name, scope.concat(outputs, scope.constant(3))));
  }

  /**
   * Fully connected with ReLU split over the two towers: tower g computes neurons {@code [g N/2, (g+1) N/2)} from
   * all of {@code x}; the layer's output is them joined on tower 0.
   */
  Operand<TFloat32> fc(Operand<TFloat32> x, int numIn, int numOut, String name) {
    Ops scope = tf.withSubScope(name);
    List<Ops> towers = scopes(scope);
    List<Variable<TFloat32>> weights = parameter(scope, towers, name, "weights", 1, numIn, numOut);
    List<Variable<TFloat32>> biases = parameter(scope, towers, name, "biases", 0, numOut);
    List<Operand<TFloat32>> outputs = new ArrayList<>();
    for (int g = 0; g < 2; g++) {
      Ops t = towers.get(g);
      outputs.add(t.nn.relu(t.nn.biasAdd(t.linalg.matMul(x, weights.get(g)), biases.get(g))));
    }
    return layers.record(name, layers.named(name, scope.concat(outputs, scope.constant(1))));
  }

  /** {@code <layer>/tower0/} on tower 0's device and {@code <layer>/tower1/} on tower 1's. */
  private List<Ops> scopes(Ops layerScope) {
    return List.of(layerScope.withSubScope("tower0").withDevice(placement.spec(0)),
        layerScope.withSubScope("tower1").withDevice(placement.spec(1)));
  }

  /**
   * The parameter {@code <layer>/<param>}, whole, on the host CPU, plus a half of it on each tower:
   * {@code <layer>/tower<g>/<param>}, the g-th half along {@code axis}. The parameter's assign op runs the
   * towers' assigns first (control dependencies), from the same fed value, so setting it sets the halves.
   */
  private List<Variable<TFloat32>> parameter(Ops layerScope, List<Ops> towers, String layer, String param,
      int axis, long... shape) {
    Ops host = layerScope.withDevice(Placement.HOST);
    long[] half = shape.clone();
    half[axis] /= 2;
    List<Variable<TFloat32>> halves = new ArrayList<>();
    List<Op> halfAssigns = new ArrayList<>();
    Placeholder<TFloat32> value = Parameters.valuePlaceholder(host, param, shape);
    Split<TFloat32> parts = host.withName(param + "_halves").split(host.constant(axis), value, 2L);
    for (int g = 0; g < 2; g++) {
      Ops t = towers.get(g);
      Variable<TFloat32> v = t.withName(param).variable(Shape.of(half), TFloat32.class);
      halves.add(v);
      halfAssigns.add(t.withName(param + "_assign").assign(v, parts.output().get(g)));
    }
    layers.parameters().variable(host, layer, param, value, halfAssigns, false, shape);
    return halves;
  }
}
