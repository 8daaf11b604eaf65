package org.alexnettfj.graph;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.alexnettfj.weights.AlexNetSpec;
import org.alexnettfj.weights.AlexNetWeights;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Shows where in the image a class's logit comes from: Grad-CAM on the classic network. As in Selvaraju et al.
 * (2017), for a convolution layer's output {@code A} (conv5 by default: 13 x 13 x 256), each channel's weight is
 * the mean over positions of {@code d logit / d A}, and the map is {@code ReLU(sum_c alpha_c A_c)}, scaled to [0, 1].
 *
 * <p>The graph is the classic one (grouped convolutions, LRN, fc weights in their classic layout); the gradient
 * flows from fc8 back through fc7, fc6 and the pooling to the layer; from conv1 or conv2 it passes norm1 or norm2,
 * computed from basic ops for that (the fused LRN's registered gradient is wrong). Not thread-safe; close it.
 */
public final class GradCam implements AutoCloseable {

  /** The layers a map can be made of: convolution outputs (after their ReLU). */
  public static final List<String> LAYERS = List.of("conv1", "conv2", "conv3", "conv4", "conv5");

  private final Graph graph;
  private final Session session;
  private final AlexNetGraph net;
  private final Placeholder<TInt32> target;
  private final Operand<TFloat32> activations;
  private final Operand<TFloat32> gradient;
  private final Operand<TFloat32> logit;
  /** The layer's output for one image, {@code [1, h, w, c]}: static in the graph. */
  private final Shape layerShape;

  /**
   * One image's Grad-CAM map, with the channel weights and logits it was computed from.
   *
   * @param height the layer's rows (13 for conv5)
   * @param width its columns
   * @param map {@code height * width} values in [0, 1], row by row (all 0 when nothing speaks for the class)
   * @param channelWeights alpha, one per channel
   * @param logits fc8 for the image
   */
  public record Map2D(int height, int width, float[] map, float[] channelWeights, float[] logits) {
  }

  /**
   * A Grad-CAM of one layer for a model with these weights (any number of classes): builds its own graph and
   * session, on the default placement.
   *
   * @param weights every layer loaded; copied into the session, not retained
   * @param layer one of {@link #LAYERS}, usually {@code conv5}
   * @throws IllegalArgumentException if {@code layer} is not a convolution layer, or a layer of {@code weights} is
   *     skipped
   */
  public GradCam(AlexNetWeights weights, String layer) {
    if (!LAYERS.contains(layer)) {
      throw new IllegalArgumentException("Grad-CAM needs a convolution layer (" + String.join(", ", LAYERS)
          + "), not " + layer);
    }
    graph = new Graph();
    try {
      Ops tf = Ops.create(graph);
      // differentiable as for training the layer: classic convolutions (TensorFlow has no CPU gradient for the
      // grouped Conv2D) and, from conv1 or conv2, LRN from basic ops (the fused op's gradient is wrong)
      net = AlexNetGraph.create(tf, weights.numClasses(), GraphOptions.portable().forTraining(Set.of(layer)));
      Ops ops = tf.withSubScope("gradcam");
      target = ops.withName("class").placeholder(TInt32.class, Placeholder.shape(Shape.scalar()));
      activations = net.layer(layer);
      Shape s = activations.shape();
      layerShape = Shape.of(1, s.size(1), s.size(2), s.size(3));
      // the target class's logit of the one image: fc8 times a one-hot row, summed
      Operand<TFloat32> oneHot = ops.oneHot(target, ops.constant(weights.numClasses()), ops.constant(1f),
          ops.constant(0f));
      logit = ops.reduceSum(ops.math.mul(net.logits(), oneHot), ops.constant(new int[] {0, 1}));
      Gradients g = ops.gradients(logit, List.of(activations));
      gradient = g.dy(0);
      session = new Session(graph);
      for (String name : AlexNetSpec.LAYER_NAMES) {
        net.assign(session, Map.of(name + "/weights", weights.weights(name), name + "/biases",
            weights.biases(name)));
      }
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  /**
   * The map of one class for one image.
   *
   * @param image one preprocessed image, {@code [227, 227, 3]} flattened, BGR, mean subtracted
   * @param k the class, 0 to {@code numClasses - 1}
   * @return the map, its channel weights and the image's logits
   * @throws IllegalArgumentException if {@code k} is not a class of the model
   */
  public Map2D compute(float[] image, int k) {
    if (k < 0 || k >= net.numClasses()) {
      throw new IllegalArgumentException("class " + k + " is not one of the model's " + net.numClasses());
    }
    try (TFloat32 x = TFloat32.tensorOf(Shape.of(1, AlexNetSpec.IMAGE_SIZE, AlexNetSpec.IMAGE_SIZE, 3),
            DataBuffers.of(image, true, false));
        TInt32 t = TInt32.scalarOf(k);
        Result r = session.runner().feed(net.input(), x).feed(target, t).fetch(activations).fetch(gradient)
            .fetch(net.logits()).run()) {
      TFloat32 a = (TFloat32) r.get(0);
      TFloat32 g = (TFloat32) r.get(1);
      int h = (int) a.shape().get(1);
      int w = (int) a.shape().get(2);
      int c = (int) a.shape().get(3);
      float[] av = new float[h * w * c];
      float[] gv = new float[h * w * c];
      a.copyTo(DataBuffers.of(av, false, false));
      g.copyTo(DataBuffers.of(gv, false, false));
      float[] logits = new float[net.numClasses()];
      ((TFloat32) r.get(2)).copyTo(DataBuffers.of(logits, false, false));
      return map(h, w, c, av, gv, logits);
    }
  }

  /** alpha from the gradient, then ReLU(sum alpha A), scaled by its maximum. */
  static Map2D map(int h, int w, int c, float[] a, float[] g, float[] logits) {
    float[] alpha = new float[c];
    for (int p = 0; p < h * w; p++) {
      for (int ch = 0; ch < c; ch++) {
        alpha[ch] += g[p * c + ch];
      }
    }
    for (int ch = 0; ch < c; ch++) {
      alpha[ch] /= h * w;
    }
    float[] map = new float[h * w];
    float max = 0;
    for (int p = 0; p < h * w; p++) {
      double s = 0;
      for (int ch = 0; ch < c; ch++) {
        s += (double) alpha[ch] * a[p * c + ch];
      }
      map[p] = (float) Math.max(0, s);
      max = Math.max(max, map[p]);
    }
    if (max > 0) {
      for (int p = 0; p < map.length; p++) {
        map[p] /= max;
      }
    }
    return new Map2D(h, w, map, alpha, logits);
  }

  /**
   * Class {@code k}'s logit with the layer's output replaced by {@code layerOutput} ({@code [1, h, w, c]} as
   * {@link #compute} sees it): for checking the channel weights against finite differences.
   *
   * @param image one preprocessed image, {@code [227, 227, 3]} flattened, BGR, mean subtracted
   * @param layerOutput the layer's output to use instead, {@code [1, h, w, c]} flattened
   * @param k the class, 0 to {@code numClasses - 1}
   * @return fc8's value for class {@code k}
   */
  public float logitFrom(float[] image, float[] layerOutput, int k) {
    try (TFloat32 x = TFloat32.tensorOf(Shape.of(1, AlexNetSpec.IMAGE_SIZE, AlexNetSpec.IMAGE_SIZE, 3),
            DataBuffers.of(image, true, false));
        TFloat32 a = TFloat32.tensorOf(layerShape, DataBuffers.of(layerOutput, true, false));
        TInt32 t = TInt32.scalarOf(k);
        Result r = session.runner().feed(net.input(), x).feed(activations, a).feed(target, t).fetch(logit).run()) {
      return ((TFloat32) r.get(0)).getFloat();
    }
  }

  /**
   * The layer's output for one image, e.g.&nbsp;to perturb for {@link #logitFrom}.
   *
   * @param image one preprocessed image, {@code [227, 227, 3]} flattened, BGR, mean subtracted
   * @return the output, {@code [1, h, w, c]} flattened (13 x 13 x 256 for conv5)
   */
  public float[] layerOutput(float[] image) {
    try (TFloat32 x = TFloat32.tensorOf(Shape.of(1, AlexNetSpec.IMAGE_SIZE, AlexNetSpec.IMAGE_SIZE, 3),
            DataBuffers.of(image, true, false));
        Result r = session.runner().feed(net.input(), x).fetch(activations).run()) {
      TFloat32 a = (TFloat32) r.get(0);
      float[] out = new float[(int) a.shape().size()];
      a.copyTo(DataBuffers.of(out, false, false));
      return out;
    }
  }

  /** Frees the native session and graph; the Grad-CAM cannot be used after. */
  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
