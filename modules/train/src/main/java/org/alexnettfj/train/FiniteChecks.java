package org.alexnettfj.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.alexnettfj.graph.AlexNetGraph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * Whether each trained variable and its velocity hold finite values only: checked before a checkpoint is written
 * and after each epoch, so that a diverged run leaves its last good checkpoint as the latest.
 */
final class FiniteChecks {

  /** By variable name: {@code fc8/weights}, then its velocity {@code train/velocity/fc8/weights}, in layer order. */
  private final Map<String, Operand<TBool>> checks;

  private FiniteChecks(Map<String, Operand<TBool>> checks) {
    this.checks = checks;
  }

  /**
   * Adds a check per trained variable and per velocity to the graph.
   *
   * @param scope the {@code train/finite} scope
   * @param varList the trained variables, in layer order
   * @param velocities their velocities
   * @return the checks
   */
  static FiniteChecks build(Ops scope, List<AlexNetGraph.Parameter> varList, Velocities velocities) {
    Map<String, Operand<TBool>> checks = new LinkedHashMap<>();
    for (AlexNetGraph.Parameter p : varList) {
      checks.put(p.name(), allFinite(scope, p.variable()));
      checks.put("train/velocity/" + p.name(), allFinite(scope, velocities.variable(p.name())));
    }
    return new FiniteChecks(checks);
  }

  /**
   * Runs the checks.
   *
   * @param session the session of the graph
   * @return the variables and velocities that hold a NaN or an infinity, in layer order; empty if none
   */
  List<String> nonFinite(Session session) {
    List<String> names = new ArrayList<>(checks.keySet());
    List<String> bad = new ArrayList<>();
    Session.Runner runner = session.runner();
    names.forEach(name -> runner.fetch(checks.get(name)));
    try (Result r = runner.run()) {
      for (int i = 0; i < names.size(); i++) {
        if (!((TBool) r.get(i)).getBoolean()) {
          bad.add(names.get(i));
        }
      }
    }
    return bad;
  }

  private static Operand<TBool> allFinite(Ops scope, Operand<TFloat32> v) {
    return scope.reduceAll(scope.math.isFinite(scope.reshape(v, scope.constant(new long[] {-1}))),
        scope.constant(0));
  }
}
