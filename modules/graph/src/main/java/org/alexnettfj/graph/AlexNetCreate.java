package org.alexnettfj.graph;

import static org.alexnettfj.graph.AlexNetGraph.SAME;
import static org.alexnettfj.graph.AlexNetGraph.VALID;

import org.alexnettfj.graph.AlexNetGraph.Activation;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * AlexNet's layers as the classic TensorFlow {@code create()} of {@code alexnet.py} writes them: one line per layer,
 * a header comment per block, the same names and arguments, so the two read side by side. The thin helpers at the
 * end hand the mechanics to {@link Layers} (grouped convolutions, LRN, the fc layout) and the paper's two towers to
 * {@link TwoTowers}; {@link AlexNetGraph} builds the placeholders and hands out the result.
 */
final class AlexNetCreate {

  private final Ops tf;
  private final int numClasses;
  private final GraphOptions options;
  private final Placement placement;
  private final Layers layers;
  private final TwoTowers towers;
  private final Operand<TFloat32> keepProb;
  private final Operand<TInt64> dropoutSeed;

  AlexNetCreate(Ops tf, int numClasses, GraphOptions options, Layers layers, TwoTowers towers,
      Operand<TFloat32> keepProb, Operand<TInt64> dropoutSeed) {
    this.tf = tf;
    this.numClasses = numClasses;
    this.options = options;
    this.placement = options.placement();
    this.layers = layers;
    this.towers = towers;
    this.keepProb = keepProb;
    this.dropoutSeed = dropoutSeed;
  }

  /** conv1 … pool5, as in the classic {@code create()}. */
  Operand<TFloat32> features(Operand<TFloat32> x) {
    // 1st Layer: Conv (w ReLu) -> Lrn -> Pool
    Operand<TFloat32> conv1 = conv(x, 11, 11, 96, 4, 4, "conv1", VALID, 1);
    Operand<TFloat32> norm1 = lrn(conv1, 2, 2e-05f, 0.75f, 1.0f, "norm1");
    Operand<TFloat32> pool1 = maxPool(norm1, 3, 3, 2, 2, "pool1", VALID);

    // 2nd Layer: Conv (w ReLu) -> Lrn -> Pool with 2 groups
    Operand<TFloat32> conv2 = conv(pool1, 5, 5, 256, 1, 1, "conv2", SAME, 2);
    Operand<TFloat32> norm2 = lrn(conv2, 2, 2e-05f, 0.75f, 1.0f, "norm2");
    Operand<TFloat32> pool2 = maxPool(norm2, 3, 3, 2, 2, "pool2", VALID);

    // 3rd Layer: Conv (w ReLu)
    Operand<TFloat32> conv3 = conv(pool2, 3, 3, 384, 1, 1, "conv3", SAME, 1,
        options.convolutions() == AlexNetGraph.Convolutions.ONEDNN_FORWARD);

    // 4th Layer: Conv (w ReLu) split into two groups
    Operand<TFloat32> conv4 = conv(conv3, 3, 3, 384, 1, 1, "conv4", SAME, 2);

    // 5th Layer: Conv (w ReLu) -> Pool split into two groups
    Operand<TFloat32> conv5 = conv(conv4, 3, 3, 256, 1, 1, "conv5", SAME, 2);
    return maxPool(conv5, 3, 3, 2, 2, "pool5", VALID);
  }

  /** flatten … fc8 and prob, as in the classic {@code create()}. */
  Operand<TFloat32> classifier(Operand<TFloat32> pool5) {
    // 6th Layer: Flatten -> FC (w ReLu) -> Dropout
    Operand<TFloat32> flattened = tf.withName("flattened").reshape(pool5, tf.constant(new int[] {-1, 6 * 6 * 256}));
    Operand<TFloat32> fc6 = placement.isTowers() ? towers.fc(flattened, 6 * 6 * 256, 4096, "fc6")
        : fc(flattened, 6 * 6 * 256, 4096, "fc6", Activation.RELU);
    Operand<TFloat32> dropout6 = dropout(fc6, keepProb, "dropout6");

    // 7th Layer: FC (w ReLu) -> Dropout
    Operand<TFloat32> fc7 = placement.isTowers() ? towers.fc(dropout6, 4096, 4096, "fc7")
        : fc(dropout6, 4096, 4096, "fc7", Activation.RELU);
    Operand<TFloat32> dropout7 = dropout(fc7, keepProb, "dropout7");

    // 8th Layer: FC and return unscaled activations
    Operand<TFloat32> fc8 = fc(dropout7, 4096, numClasses, "fc8", Activation.LINEAR);
    return layers.record("prob", tf.withName("prob").nn.softmax(fc8));
  }

  /** Convolution with ReLU in {@code groups} (the paper's two GPUs), as {@link Layers#conv} builds it. */
  Operand<TFloat32> conv(Operand<TFloat32> x, int filterHeight, int filterWidth, int numFilters, int strideY,
      int strideX, String name, String padding, int groups) {
    return conv(x, filterHeight, filterWidth, numFilters, strideY, strideX, name, padding, groups, false);
  }

  /** {@link #conv}, an ungrouped layer computed as two halves of its kernels if {@code kernelHalves}. */
  Operand<TFloat32> conv(Operand<TFloat32> x, int filterHeight, int filterWidth, int numFilters, int strideY,
      int strideX, String name, String padding, int groups, boolean kernelHalves) {
    return layers.conv(x, filterHeight, filterWidth, numFilters, strideY, strideX, name, padding, groups,
        kernelHalves);
  }

  /** Local response normalisation over channels, Caffe's: fused or from basic ops as {@link Lrn} says. */
  Operand<TFloat32> lrn(Operand<TFloat32> x, int radius, float alpha, float beta, float bias, String name) {
    return layers.lrn(x, radius, alpha, beta, bias, name);
  }

  Operand<TFloat32> maxPool(Operand<TFloat32> x, int filterHeight, int filterWidth, int strideY, int strideX,
      String name, String padding) {
    return layers.maxPool(x, filterHeight, filterWidth, strideY, strideX, name, padding);
  }

  /** Fully connected, {@code x · weights + biases}, the weights held as {@link FcLayout} says; ReLU unless LINEAR. */
  Operand<TFloat32> fc(Operand<TFloat32> x, int numIn, int numOut, String name, Activation activation) {
    return layers.fc(x, numIn, numOut, name, activation);
  }

  /** Inverted dropout, as {@code tf.nn.dropout}, its masks keyed on {@link AlexNetGraph#dropoutSeed()}. */
  Operand<TFloat32> dropout(Operand<TFloat32> x, Operand<TFloat32> keepProb, String name) {
    return layers.dropout(x, keepProb, dropoutSeed, name);
  }
}
