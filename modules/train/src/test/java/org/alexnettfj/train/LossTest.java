package org.alexnettfj.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** The loss on a one-layer graph against its definition computed here in float64. */
class LossTest {

  private static final int[] LABELS = {1, 0};

  private static float[] run(TinyLayer net, Placeholder<TInt32> labels, Loss loss) {
    try (TInt32 y = TInt32.vectorOf(LABELS);
        Result r = net.session.runner().feed(labels, y).fetch(loss.crossEntropy()).fetch(loss.total()).run()) {
      return new float[] {((TFloat32) r.get(0)).getFloat(), ((TFloat32) r.get(1)).getFloat()};
    }
  }

  private static Placeholder<TInt32> labels(Ops ops) {
    return ops.withName("labels").placeholder(TInt32.class, Placeholder.shape(Shape.of(Shape.UNKNOWN_SIZE)));
  }

  @Test
  void theCrossEntropyIsMinusTheMeanLogProbabilityOfEachLabelWeightedByItsClass() {
    try (TinyLayer net = new TinyLayer(false)) {
      Ops ops = net.tf.withSubScope("train");
      Placeholder<TInt32> labels = labels(ops);
      float[] classWeights = {2f, 0.5f};
      Loss loss = Loss.build(ops, net.logits, labels, TinyLayer.CLASSES, classWeights, net.varList(), 0f);
      net.set(TinyLayer.W0, TinyLayer.B0);

      double[][] p = TinyLayer.probabilities(TinyLayer.W0, TinyLayer.B0);
      double expected = -(classWeights[1] * Math.log(p[0][1]) + classWeights[0] * Math.log(p[1][0])) / 2;
      float[] values = run(net, labels, loss);

      assertThat((double) values[0]).as("-mean(w[y] * log p(y))").isCloseTo(expected, within(1e-6));
      assertThat(values[1]).as("without decay the loss is the cross-entropy").isEqualTo(values[0]);
      assertThat(loss.crossEntropy().op().name()).isEqualTo("train/cross_entropy");
      assertThat(loss.total().op().name()).isEqualTo("train/loss");
    }
  }

  @Test
  void theLossAddsHalfTheDecayTimesTheSquaredWeightsAndNotTheBiases() {
    try (TinyLayer net = new TinyLayer(false)) {
      Ops ops = net.tf.withSubScope("train");
      Placeholder<TInt32> labels = labels(ops);
      float decay = 0.1f;
      Loss loss = Loss.build(ops, net.logits, labels, TinyLayer.CLASSES, null, net.varList(), decay);
      net.set(TinyLayer.W0, TinyLayer.B0);

      double[][] p = TinyLayer.probabilities(TinyLayer.W0, TinyLayer.B0);
      double squares = 0;
      for (float w : TinyLayer.W0) {
        squares += (double) w * w;
      }
      float[] values = run(net, labels, loss);

      assertThat((double) values[0]).as("cross-entropy").isCloseTo(-(Math.log(p[0][1]) + Math.log(p[1][0])) / 2,
          within(1e-6));
      assertThat((double) values[1] - values[0]).as("decay term: weightDecay / 2 * sum(w^2) over the weights only")
          .isCloseTo(decay / 2 * squares, within(1e-6));
      assertThat(Loss.decayed(net.weights)).isTrue();
      assertThat(Loss.decayed(net.biases)).as("biases are not decayed, as in Caffe's AlexNet").isFalse();
    }
  }
}
