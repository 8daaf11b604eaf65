package org.alexnettfj.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The train op on a one-layer graph against the paper's rule computed here in float64:
 * {@code v := momentum * v - learningRate * (dL/dw + weightDecay * w); w := w + v}, no decay for biases.
 */
class TrainOpTest {

  private static final int[] LABELS = {1, 0};
  private static final float DECAY = 0.1f;

  /** A tiny layer with its loss and train op, weights at {@link TinyLayer#W0}, velocities zero. */
  private static final class Setup implements AutoCloseable {
    final TinyLayer net = new TinyLayer(false);
    final Placeholder<TInt32> labels;
    final Placeholder<TFloat32> rate;
    final TrainOp train;

    Setup(float momentum) {
      Ops ops = net.tf.withSubScope("train");
      labels = ops.withName("labels").placeholder(TInt32.class, Placeholder.shape(Shape.of(Shape.UNKNOWN_SIZE)));
      rate = ops.withName("learningRate").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
      Loss loss = Loss.build(ops, net.logits, labels, TinyLayer.CLASSES, null, net.varList(), DECAY);
      train = TrainOp.build(ops, net.varList(), loss, ops.constant(0f), rate, momentum, DECAY);
      net.set(TinyLayer.W0, TinyLayer.B0);
      train.velocities().zero(net.session);
    }

    /** Runs {@code target} at {@code learningRate}, fetching the gradients; returns them, weights first. */
    List<float[]> run(Op target, float learningRate) {
      try (TInt32 y = TInt32.vectorOf(LABELS); TFloat32 lr = TFloat32.scalarOf(learningRate)) {
        Session.Runner runner = net.session.runner().feed(labels, y).feed(rate, lr)
            .fetch(train.gradients().get("fc8/weights")).fetch(train.gradients().get("fc8/biases"));
        if (target != null) {
          runner.addTarget(target);
        }
        try (Result r = runner.run()) {
          return List.of(TinyLayer.values((TFloat32) r.get(0)), TinyLayer.values((TFloat32) r.get(1)));
        }
      }
    }

    @Override
    public void close() {
      net.close();
    }
  }

  @ParameterizedTest(name = "momentum {0}")
  @ValueSource(floats = {0.9f, 0f})
  void twoStepsFollowThePapersRuleAndAVelocityKeepsTheRateItWasMadeWith(float momentum) {
    try (Setup s = new Setup(momentum)) {
      float[] w = TinyLayer.W0.clone();
      float[] b = TinyLayer.B0.clone();
      double[] v = new double[w.length + b.length];
      for (float lr : new float[] {0.5f, 0.2f}) {
        double[] g = TinyLayer.crossEntropyGradient(w, b, LABELS);
        double[] expected = new double[v.length];
        for (int i = 0; i < v.length; i++) {
          boolean weight = i < w.length;
          double value = weight ? w[i] : b[i - w.length];
          v[i] = momentum * v[i] - lr * (g[i] + (weight ? DECAY * value : 0));
          expected[i] = value + v[i];
        }

        s.run(s.train.step(), lr);

        w = s.net.fetch(s.net.weights.read());
        b = s.net.fetch(s.net.biases.read());
        float[] vw = s.net.fetch(s.train.velocities().reads().get("fc8/weights"));
        float[] vb = s.net.fetch(s.train.velocities().reads().get("fc8/biases"));
        for (int i = 0; i < v.length; i++) {
          boolean weight = i < w.length;
          float actual = weight ? w[i] : b[i - w.length];
          float velocity = weight ? vw[i] : vb[i - w.length];
          assertThat((double) velocity).as("v[%d] after the step at rate %s", i, lr).isCloseTo(v[i], within(1e-6));
          assertThat((double) actual).as("w[%d] := w + v at rate %s", i, lr).isCloseTo(expected[i], within(1e-6));
        }
      }
    }
  }

  @Test
  void gradientsAreTheLossGradientsWithTheDecayTermAndKeptOnesAreReadBeforeTheUpdate() {
    try (Setup s = new Setup(0.9f)) {
      double[] g = TinyLayer.crossEntropyGradient(TinyLayer.W0, TinyLayer.B0, LABELS);

      List<float[]> read = s.run(null, 0.5f);
      List<float[]> kept = s.run(s.train.stepKeepingGradients(), 0.5f);

      for (int i = 0; i < TinyLayer.W0.length; i++) {
        assertThat((double) read.get(0)[i]).as("dL/dw[%d] + weightDecay * w[%d]", i, i)
            .isCloseTo(g[i] + DECAY * TinyLayer.W0[i], within(1e-6));
      }
      for (int i = 0; i < TinyLayer.B0.length; i++) {
        assertThat((double) read.get(1)[i]).as("dL/db[%d], no decay", i)
            .isCloseTo(g[TinyLayer.W0.length + i], within(1e-6));
      }
      assertThat(kept).as("the gradients fetched with the step read the weights before it moved them")
          .containsExactlyElementsOf(read);
      assertThat(s.net.fetch(s.net.weights.read())).as("and the step moved them").isNotEqualTo(TinyLayer.W0);
    }
  }

  @Test
  void theStepOpsHaveTheirNames() {
    try (Setup s = new Setup(0.9f)) {
      assertThat(s.train.step().op().name()).isEqualTo("train/step");
      assertThat(s.train.stepKeepingGradients().op().name()).isEqualTo("train/step_keeping_gradients");
    }
  }
}
