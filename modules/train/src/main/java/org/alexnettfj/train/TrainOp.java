package org.alexnettfj.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.alexnettfj.graph.AlexNetGraph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * finetune.py's {@code train_op}: the gradients of the {@link Loss} for the trained variables ({@code var_list})
 * alone, and one step of SGD with momentum on each of them, the paper's rule (section 5):
 * <pre>
 *   v := momentum * v - learningRate * (dL/dw + weightDecay * w)     (no decay term for biases)
 *   w := w + v
 * </pre>
 * with the learning rate fed at every step ({@code train/learningRate}: a {@link LearningRateSchedule} changes it
 * between steps, and a velocity keeps the rate it was made with). How it is computed, equal to the rule up to float
 * rounding:
 * <ul>
 *   <li>The backward pass starts from {@code -learningRate} instead of 1, so it yields {@code -learningRate * g},
 *       what the update takes, without a pass over each weight to scale it; {@link #gradients} divides it back,
 *       only when fetched.
 *   <li>TensorFlow's fused {@code ApplyMomentum} does {@code accum := momentum * accum + grad; var := var - lr *
 *       accum} in one pass over {@code w} and {@code v}. Used as usual ({@code lr = learningRate}) it would multiply
 *       the <em>current</em> rate into every gradient accumulated; fed {@code accum = v}, {@code grad =
 *       -learningRate * g} and {@code lr = -1}, it is exactly the rule above (negation is exact).
 *   <li>With momentum the decay term is not differentiated: {@code v := v - learningRate * weightDecay / momentum *
 *       w} runs before the update, so that its {@code momentum * v} carries {@code -learningRate * weightDecay * w}.
 *       That spares a pass over each weight (the decay gradient's {@code Mul} and {@code AddN}) and takes it off
 *       the backward pass; {@link #gradients} adds {@code weightDecay * w} back. Without momentum there is no
 *       velocity to carry it, and the decay term is differentiated with the rest of the loss.
 *   <li>Every gradient, the cross-entropy and the accuracy are computed before any variable changes: the backward
 *       pass of one layer reads the weights of the layers above it.
 * </ul>
 * Class weights are the loss's. With bf16 precision the session's rewrite runs the products and their gradients in
 * bfloat16; the variables, the velocities and this update stay float32.
 *
 * @param step {@code train/step}: the update of every trained variable and its velocity
 * @param stepKeepingGradients {@code train/step_keeping_gradients}: {@code step}, ordered so that {@link #gradients}
 *     fetched with it read the weights before they change
 * @param gradients the gradient of {@link Loss#total} by trained variable, in AlexNet's layout, decay included
 * @param velocities the trained variables' velocities
 */
record TrainOp(Op step, Op stepKeepingGradients, Map<String, Operand<TFloat32>> gradients, Velocities velocities) {

  /**
   * Adds the gradients, the velocities and the update to the graph.
   *
   * @param ops the {@code train} scope
   * @param varList the trained variables, in layer order
   * @param loss what is minimised
   * @param accuracy the batch's accuracy, which a step reports: read before the update
   * @param learningRate the fed rate, a scalar
   * @param momentum in {@code [0, 1)}; 0 is plain SGD
   * @param weightDecay the loss's decay factor, {@code >= 0}
   * @return the step ops and what they read and update
   */
  static TrainOp build(Ops ops, List<AlexNetGraph.Parameter> varList, Loss loss, Operand<TFloat32> accuracy,
      Operand<TFloat32> learningRate, float momentum, float weightDecay) {
    boolean decayInVelocity = weightDecay > 0 && momentum > 0;
    // -learningRate * g straight from the backward pass (~5% off a step from cached pool5, BENCHMARKS.md).
    Operand<TFloat32> minusRate = ops.math.neg(learningRate);
    Gradients grads = ops.gradients(decayInVelocity ? loss.crossEntropy() : loss.total(),
        varList.stream().map(AlexNetGraph.Parameter::variable).toList(), Gradients.dx(List.of(minusRate)));
    List<Op> computed = new ArrayList<>();   // what the updates wait for: read before any variable changes
    Map<String, Output<TFloat32>> scaled = new LinkedHashMap<>();
    Map<String, Operand<TFloat32>> gradients = new LinkedHashMap<>();
    for (int i = 0; i < varList.size(); i++) {
      AlexNetGraph.Parameter p = varList.get(i);
      scaled.put(p.name(), grads.<TFloat32>dy(i));
      Operand<TFloat32> gradient = ops.math.div(scaled.get(p.name()), minusRate);
      if (decayInVelocity && Loss.decayed(p)) {
        gradient = ops.math.add(gradient, ops.math.mul(ops.constant(weightDecay), p.variable()));
      }
      gradients.put(p.name(), p.relayout(ops, gradient));
      computed.add(ops.identity(scaled.get(p.name())));
    }
    computed.add(ops.identity(loss.crossEntropy()));
    computed.add(ops.identity(accuracy));

    Velocities velocities = new Velocities(ops.withSubScope("velocity"));
    Operand<TFloat32> minusOne = ops.constant(-1f);
    Operand<TFloat32> momentumConstant = ops.constant(momentum);
    Operand<TFloat32> decayRate = decayInVelocity
        ? ops.math.mul(learningRate, ops.constant((float) ((double) weightDecay / momentum))) : null;
    List<Op> updates = new ArrayList<>();
    List<Op> updatesKeepingGradients = new ArrayList<>();
    for (AlexNetGraph.Parameter p : varList) {
      Variable<TFloat32> v = velocities.add(p);
      List<Op> before = new ArrayList<>(computed);
      if (decayInVelocity && Loss.decayed(p)) {
        before.add(ops.train.applyGradientDescent(v, decayRate, p.variable()));   // v -= rate * decay / momentum * w
      }
      // One pass over w and v instead of five element-wise ops (the update is memory-bound: fc6-fc8 are 234 MB).
      Function<List<Op>, Op> update = deps -> ops.withControlDependencies(deps).train
          .applyMomentum(p.variable(), v, minusOne, scaled.get(p.name()), momentumConstant);
      updates.add(update.apply(before));
      if (decayInVelocity && Loss.decayed(p)) {
        // A kept gradient reads w for its decay term: that read must come before w changes.
        before.add(ops.identity(gradients.get(p.name())));
        updatesKeepingGradients.add(update.apply(before));
      } else {
        updatesKeepingGradients.add(updates.get(updates.size() - 1));
      }
    }
    Op step = ops.withControlDependencies(updates).withName("step").noOp();
    Op keeping = ops.withControlDependencies(updatesKeepingGradients).withName("step_keeping_gradients").noOp();
    return new TrainOp(step, keeping, Map.copyOf(gradients), velocities);
  }
}
