package org.alexnettfj.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class VelocitiesTest {

  @Test
  void eachIsNamedByItsLayerAndParamStartsAtZeroAndIsReadInAlexNetsLayout() {
    try (TinyLayer net = new TinyLayer(true)) {
      Velocities velocities = new Velocities(net.tf.withSubScope("train").withSubScope("velocity"));
      velocities.add(net.weights);
      velocities.add(net.biases);
      velocities.zero(net.session);

      assertThat(velocities.variable("fc8/weights").op().name()).as("its key in the checkpoint")
          .isEqualTo("train/velocity/fc8/weights");
      assertThat(velocities.variable("fc8/biases").op().name()).isEqualTo("train/velocity/fc8/biases");
      assertThat(velocities.variable("fc8/weights").shape().asArray()).as("held as the weights are: transposed")
          .containsExactly(2, 3);
      assertThat(velocities.reads().get("fc8/weights").shape().asArray()).as("read in AlexNet's layout")
          .containsExactly(3, 2);
      assertThat(net.fetch(velocities.reads().get("fc8/weights"))).as("zero before the first step")
          .containsOnly(0f).hasSize(6);
      assertThat(velocities.transposed()).as("the saver writes it in AlexNet's layout")
          .isEqualTo(Set.of("train/velocity/fc8/weights"));
    }
  }
}
