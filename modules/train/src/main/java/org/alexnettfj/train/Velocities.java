package org.alexnettfj.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.alexnettfj.graph.AlexNetGraph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The momentum velocities: one variable {@code v} per trained variable, shaped and laid out as it is, zero until the
 * first step. Each is {@code train/velocity/<layer>/<param>}, its key in the checkpoint.
 */
final class Velocities {

  /** {@code train/velocity}: one sub-scope for all, so the names have no {@code _1} suffixes. */
  private final Ops scope;
  private final Map<String, Ops> layerScopes = new LinkedHashMap<>();
  private final Map<String, Variable<TFloat32>> variables = new LinkedHashMap<>();
  private final Map<String, Operand<TFloat32>> reads = new LinkedHashMap<>();
  private final Set<String> transposed = new LinkedHashSet<>();
  private final List<Op> zeros = new ArrayList<>();

  /**
   * No velocities yet.
   *
   * @param scope the {@code train/velocity} scope
   */
  Velocities(Ops scope) {
    this.scope = scope;
  }

  /**
   * Adds the velocity of a trained variable.
   *
   * @param p the trained variable
   * @return its velocity, {@code train/velocity/<layer>/<param>}, shaped as {@code p}'s variable
   */
  Variable<TFloat32> add(AlexNetGraph.Parameter p) {
    String name = p.name();
    Ops layer = layerScopes.computeIfAbsent(p.layer(), scope::withSubScope);
    String param = name.substring(name.lastIndexOf('/') + 1);
    Variable<TFloat32> v = layer.withName(param).variable(p.variable().shape(), TFloat32.class);
    variables.put(name, v);
    reads.put(name, p.relayout(layer, v));
    if (p.transposed()) {
      transposed.add(v.op().name());
    }
    zeros.add(layer.withName(param + "_zero").assign(v,
        layer.zeros(layer.constant(p.variable().shape().asArray()), TFloat32.class)));
    return v;
  }

  /**
   * The velocity of a trained variable, as held.
   *
   * @param name the trained variable, e.g. {@code fc8/weights}
   * @return its velocity variable
   */
  Variable<TFloat32> variable(String name) {
    return variables.get(name);
  }

  /**
   * The velocities' values in AlexNet's layout.
   *
   * @return a new unmodifiable map by trained variable name
   */
  Map<String, Operand<TFloat32>> reads() {
    return Map.copyOf(reads);
  }

  /**
   * The velocities held transposed, as their variables are: the saver writes them in AlexNet's layout.
   *
   * @return op names, e.g. {@code train/velocity/fc8/weights}
   */
  Set<String> transposed() {
    return Set.copyOf(transposed);
  }

  /**
   * Sets every velocity to zero.
   *
   * @param session the session of the graph
   */
  void zero(Session session) {
    if (!zeros.isEmpty()) {
      Session.Runner runner = session.runner();
      zeros.forEach(runner::addTarget);
      runner.run().close();
    }
  }
}
