package org.alexnettfj.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.alexnettfj.graph.AlexNetGraph.Parameter;
import org.alexnettfj.weights.AlexNetSpec;
import org.alexnettfj.weights.WeightArray;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * AlexNet's variables, {@code <layer>/weights} and {@code <layer>/biases}, each created with the placeholder and
 * assign op that set it from Java, and checked against {@link AlexNetSpec}'s shapes so that the weight file and the
 * graph cannot silently disagree. A transposed parameter (fc weights in {@link AlexNetGraph.FcLayout#TRANSPOSED})
 * is held {@code [out, in]} but set and read in AlexNet's layout {@code [in, out]}: its assign and read transpose.
 */
final class Parameters {

  private final int numClasses;
  private final Map<String, Parameter> byName = new LinkedHashMap<>();

  Parameters(int numClasses) {
    this.numClasses = numClasses;
  }

  /** A variable {@code <layer>/<param>} plus the placeholder and assign op that set it. */
  Variable<TFloat32> variable(Ops scope, String layer, String param, long... shape) {
    return variable(scope, layer, param, false, shape);
  }

  /** {@link #variable(Ops, String, String, long...)}, held transposed if {@code transposed}. */
  Variable<TFloat32> variable(Ops scope, String layer, String param, boolean transposed, long... shape) {
    return variable(scope, layer, param, valuePlaceholder(scope, param, shape), List.of(), transposed, shape);
  }

  static Placeholder<TFloat32> valuePlaceholder(Ops scope, String param, long... shape) {
    return scope.withName(param + "_value").placeholder(TFloat32.class, Placeholder.shape(Shape.of(shape)));
  }

  /**
   * The variable and assign op of {@link #variable(Ops, String, String, long...)}, set from {@code value}; the
   * assign runs {@code before} first.
   */
  Variable<TFloat32> variable(Ops scope, String layer, String param, Placeholder<TFloat32> value, List<Op> before,
      boolean transposed, long... shape) {
    AlexNetSpec.Layer spec = AlexNetSpec.layer(layer, numClasses);
    int[] expected = param.equals("weights") ? spec.weightsShape() : spec.biasesShape();
    if (!Arrays.equals(Arrays.stream(expected).asLongStream().toArray(), shape)) {
      throw new IllegalStateException(layer + "/" + param + " would have shape " + Arrays.toString(shape)
          + " but AlexNet's is " + Arrays.toString(expected));
    }
    long[] held = transposed ? new long[] {shape[1], shape[0]} : shape;
    Variable<TFloat32> variable = scope.withName(param).variable(Shape.of(held), TFloat32.class);
    Ops assignScope = before.isEmpty() ? scope : scope.withControlDependencies(before);
    Assign<TFloat32> assign = assignScope.withName(param + "_assign")
        .assign(variable, transposed ? transpose(scope, value) : value);
    Operand<TFloat32> read = transposed ? transpose(scope, variable) : variable;
    String name = layer + "/" + param;
    if (!variable.op().name().equals(name)) {
      throw new IllegalStateException("variable came out as '" + variable.op().name() + "', not '" + name
          + "': build AlexNet once per graph, on its root Ops");
    }
    byName.put(name, new Parameter(name, variable, value, assign, read, transposed));
    return variable;
  }

  static Operand<TFloat32> transpose(Ops tf, Operand<TFloat32> x) {
    return tf.linalg.transpose(x, tf.constant(new int[] {1, 0}));
  }

  /** Every parameter, by variable name, in layer order: an unmodifiable view. */
  Map<String, Parameter> byName() {
    return Collections.unmodifiableMap(byName);
  }

  /** Op names of the variables held transposed, in layer order: a fresh set. */
  Set<String> transposedVariables() {
    Set<String> names = new LinkedHashSet<>();
    byName.values().stream().filter(Parameter::transposed).forEach(p -> names.add(p.variable().op().name()));
    return names;
  }

  /** {@link AlexNetGraph#assign}: names and shapes checked first, every tensor closed after. */
  void assign(Session session, Map<String, WeightArray> values) {
    Session.Runner runner = session.runner();
    List<TFloat32> tensors = new ArrayList<>();
    try {
      for (Map.Entry<String, WeightArray> e : values.entrySet()) {
        Parameter p = byName.get(e.getKey());
        WeightArray value = e.getValue();
        if (p == null || !Arrays.equals(p.shape(), value.shape())) {
          throw new IllegalArgumentException(p == null ? "no parameter '" + e.getKey() + "'"
              : e.getKey() + " has shape " + Arrays.toString(p.shape()) + ", not " + Arrays.toString(value.shape()));
        }
        long[] dims = Arrays.stream(value.shape()).asLongStream().toArray();
        TFloat32 t = TFloat32.tensorOf(Shape.of(dims), DataBuffers.of(value.data(), true, false));
        tensors.add(t);
        runner.feed(p.value(), t).addTarget(p.assign());
      }
      if (!tensors.isEmpty()) {
        runner.run().close();
      }
    } finally {
      tensors.forEach(TFloat32::close);
    }
  }
}
