package org.alexnettfj.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.tensorflow.op.Ops;

class FiniteChecksTest {

  @Test
  void namesTheVariablesAndVelocitiesHoldingANanOrAnInfinityInLayerOrder() {
    try (TinyLayer net = new TinyLayer(false)) {
      Ops ops = net.tf.withSubScope("train");
      Velocities velocities = new Velocities(ops.withSubScope("velocity"));
      net.varList().forEach(velocities::add);
      FiniteChecks checks = FiniteChecks.build(ops.withSubScope("finite"), net.varList(), velocities);
      net.set(TinyLayer.W0, TinyLayer.B0);
      velocities.zero(net.session);

      assertThat(checks.nonFinite(net.session)).as("all finite").isEmpty();

      net.set(TinyLayer.W0, new float[] {0f, Float.NaN});
      net.session.runner().addTarget(net.tf.assign(velocities.variable("fc8/weights"),
          net.tf.fill(net.tf.constant(new int[] {3, 2}), net.tf.constant(Float.POSITIVE_INFINITY)))).run().close();

      assertThat(checks.nonFinite(net.session)).containsExactly("train/velocity/fc8/weights", "fc8/biases");
    }
  }
}
