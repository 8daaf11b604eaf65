package org.alexnettfj.train;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * A {@link TrainingState} held in the graph: a scalar variable per {@link TrainingState#TENSORS} name
 * ({@code global_step}, {@code train/state/epoch} …), so that the saver writes it into the checkpoint with the
 * weights and the velocities, and a restore brings it back with them.
 */
final class StateVariables {

  /** A state tensor of the checkpoint: the variable and how to set it. */
  private record Slot<T extends TType>(Variable<T> variable, Placeholder<T> value, Op assign) {
  }

  private final Map<String, Slot<?>> slots;

  private StateVariables(Map<String, Slot<?>> slots) {
    this.slots = slots;
  }

  /**
   * Adds the state's variables, and the placeholders and assign ops that set them, to the graph.
   *
   * @param root the graph's root scope, where {@code global_step} goes
   * @param stateScope the {@code train/state} scope
   * @return the variables
   */
  static StateVariables build(Ops root, Ops stateScope) {
    Map<String, Slot<?>> slots = new LinkedHashMap<>();
    for (String name : TrainingState.TENSORS) {
      slots.put(name, slot(root, stateScope, name, type(name)));
    }
    return new StateVariables(slots);
  }

  /**
   * Sets the variables to a state, before the saver writes them.
   *
   * @param session the session of the graph
   * @param state the state to hold
   */
  void write(Session session, TrainingState state) {
    Map<String, Object> values = state.values();
    List<TType> tensors = new ArrayList<>();
    try {
      Session.Runner runner = session.runner();
      for (Map.Entry<String, Slot<?>> e : slots.entrySet()) {
        TType t = tensor(values.get(e.getKey()));
        tensors.add(t);
        runner.feed(e.getValue().value(), t).addTarget(e.getValue().assign());
      }
      runner.run().close();
    } finally {
      tensors.forEach(TType::close);
    }
  }

  /**
   * The state the variables hold, e.g. after a restore.
   *
   * @param session the session of the graph
   * @return the state
   */
  TrainingState read(Session session) {
    Map<String, Object> values = new LinkedHashMap<>();
    Session.Runner runner = session.runner();
    List<String> names = new ArrayList<>(slots.keySet());
    names.forEach(name -> runner.fetch(slots.get(name).variable()));
    try (Result r = runner.run()) {
      for (int i = 0; i < names.size(); i++) {
        values.put(names.get(i), value(r.get(i)));
      }
    }
    return TrainingState.fromValues(values);
  }

  private static Class<? extends TType> type(String name) {
    return switch (name) {
      case TrainingState.LEARNING_RATE -> TFloat32.class;
      case TrainingState.BEST_VAL_TOP1 -> TFloat64.class;
      case TrainingState.CONFIG -> TString.class;
      default -> TInt64.class;
    };
  }

  /**
   * A scalar variable named exactly {@code name} ({@code global_step} at the root, {@code train/state/epoch} …),
   * since the name is its key in the checkpoint; its value placeholder and assign op go under {@code train/state/}.
   */
  private static <T extends TType> Slot<T> slot(Ops root, Ops stateScope, String name, Class<T> type) {
    String prefix = "train/state/";
    Ops scope = name.startsWith(prefix) ? stateScope : root;
    String local = name.startsWith(prefix) ? name.substring(prefix.length()) : name;
    Variable<T> v = scope.withName(local).variable(Shape.scalar(), type);
    if (!v.op().name().equals(name)) {
      throw new IllegalStateException("state variable came out as '" + v.op().name() + "', not '" + name + "'");
    }
    Placeholder<T> value = stateScope.withName(local + "_value").placeholder(type, Placeholder.shape(Shape.scalar()));
    Op assign = stateScope.withName(local + "_assign").assign(v, value);
    return new Slot<>(v, value, assign);
  }

  private static TType tensor(Object value) {
    if (value instanceof Long l) {
      return TInt64.scalarOf(l);
    } else if (value instanceof Float f) {
      return TFloat32.scalarOf(f);
    } else if (value instanceof Double d) {
      return TFloat64.scalarOf(d);
    }
    return TString.scalarOf((String) value);   // UTF-8
  }

  private static Object value(Object tensor) {
    if (tensor instanceof TInt64 t) {
      return t.getLong();
    } else if (tensor instanceof TFloat32 t) {
      return t.getFloat();
    } else if (tensor instanceof TFloat64 t) {
      return t.getDouble();
    }
    return new String(((TString) tensor).asBytes().getObject(), StandardCharsets.UTF_8);
  }
}
