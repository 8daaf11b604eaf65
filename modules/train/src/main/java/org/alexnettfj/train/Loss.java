package org.alexnettfj.train;

import java.util.List;
import org.alexnettfj.graph.AlexNetGraph;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * finetune.py's {@code loss}: the mean softmax cross-entropy of fc8's scores against the integer labels, each image's
 * term weighted by its class's weight when there are class weights ({@code -mean(w[y] * log p(y))}), plus
 * {@code weightDecay * l2Loss(w)} = {@code weightDecay / 2 * sum(w^2)} over the <em>weights</em> of the trained
 * layers (biases are not decayed, as in Caffe's reference AlexNet).
 *
 * @param crossEntropy {@code train/cross_entropy}, the data loss: what a step reports
 * @param total {@code train/loss}, the cross-entropy plus the decay term: what is minimised
 */
record Loss(Operand<TFloat32> crossEntropy, Operand<TFloat32> total) {

  /**
   * Adds the loss to the graph.
   *
   * @param ops the {@code train} scope
   * @param logits fc8's scores, {@code n x numClasses}
   * @param labels the {@code n} class indices
   * @param numClasses fc8's outputs
   * @param classWeights one weight per class, or null for none
   * @param varList the trained variables: their weights are decayed
   * @param weightDecay the decay factor, {@code >= 0}; 0 makes {@link #total} the cross-entropy
   * @return the cross-entropy and the whole objective
   */
  static Loss build(Ops ops, Operand<TFloat32> logits, Placeholder<TInt32> labels, int numClasses,
      float[] classWeights, List<AlexNetGraph.Parameter> varList, float weightDecay) {
    // -mean(sum(oneHot(labels) * logSoftmax(logits))): the fused (Sparse)SoftmaxCrossEntropyWithLogits ops have
    // no C++ gradient in TensorFlow 1.1.0's registry; LogSoftmax, Mul, Sum and Mean do.
    Operand<TFloat32> oneHot = ops.oneHot(labels, ops.constant(numClasses), ops.constant(1f), ops.constant(0f));
    if (classWeights != null) {
      // each image's term weighted by its class's weight: -mean(w[y] * log p(y))
      oneHot = ops.math.mul(oneHot, ops.constant(classWeights));
    }
    Operand<TFloat32> crossEntropy = ops.withName("cross_entropy").math.neg(ops.math.mean(ops.reduceSum(
        ops.math.mul(oneHot, ops.nn.logSoftmax(logits)), ops.constant(1)), ops.constant(0)));
    Operand<TFloat32> decay = ops.constant(0f);
    for (AlexNetGraph.Parameter p : varList) {
      if (decayed(p)) {
        decay = ops.math.add(decay, ops.nn.l2Loss(p.variable()));
      }
    }
    Operand<TFloat32> total = weightDecay > 0
        ? ops.withName("loss").math.add(crossEntropy, ops.math.mul(ops.constant(weightDecay), decay))
        : ops.withName("loss").identity(crossEntropy);
    return new Loss(crossEntropy, total);
  }

  /**
   * Whether weight decay applies to a variable: weights, not biases.
   *
   * @param p a trained variable
   * @return true for {@code <layer>/weights}
   */
  static boolean decayed(AlexNetGraph.Parameter p) {
    return p.name().endsWith("/weights");
  }
}
