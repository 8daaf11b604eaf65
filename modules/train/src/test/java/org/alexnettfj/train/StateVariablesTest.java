package org.alexnettfj.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;

class StateVariablesTest {

  @Test
  void aStateRoundTripsThroughVariablesNamedAsItsCheckpointKeys() {
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      StateVariables state = StateVariables.build(tf, tf.withSubScope("train").withSubScope("state"));
      TrainingState s = new TrainingState(3, 42, 1e-3f, 0.75, 2, 1, 7,
          new TreeMap<>(Map.of("batch size", "128", "class names", "chat,chien,été")));

      state.write(session, s);

      assertThat(state.read(session)).as("what was written, UTF-8 config included").isEqualTo(s);
      for (String name : TrainingState.TENSORS) {
        assertThat(graph.operation(name)).as("a variable named %s, its key in the checkpoint", name).isNotNull();
      }
    }
  }
}
