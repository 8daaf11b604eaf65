package org.alexnettfj.weights;

import java.util.ArrayList;
import java.util.List;

/**
 * The shapes AlexNet's parameters must have, as in the classic {@code bvlc_alexnet.npy}: conv weights HWIO
 * ({@code [height, width, in/groups, out]}), fc weights {@code [in, out]}, biases {@code [out]}. fc6's input rows
 * follow pool5's (h, w, c) order: 6 * 6 * 256 = 9216.
 */
public final class AlexNetSpec {

  /**
   * One layer's parameters: the shapes its weights and biases must have.
   *
   * @param name the layer, {@code conv1} ... {@code fc8}
   * @param weightsShape HWIO for a convolution, {@code [in, out]} for a fully-connected layer
   * @param groups 2 for conv2, conv4 and conv5 (the paper's two GPUs), else 1
   */
  public record Layer(String name, int[] weightsShape, int groups) {

    /**
     * The biases' shape: one per output.
     *
     * @return {@code [out]}, the last dimension of the weights
     */
    public int[] biasesShape() {
      return new int[] {weightsShape[weightsShape.length - 1]};
    }

    /**
     * Whether this is a convolution rather than a fully-connected layer.
     *
     * @return true for rank-4 (HWIO) weights
     */
    public boolean isConv() {
      return weightsShape.length == 4;
    }

    /**
     * Weights and biases together.
     *
     * @return the number of values the layer holds
     */
    public long parameterCount() {
      long n = 1;
      for (int d : weightsShape) {
        n *= d;
      }
      return n + weightsShape[weightsShape.length - 1];
    }

    /**
     * The weights' shape, copied so that callers cannot change the spec.
     *
     * @return HWIO for a convolution, {@code [in, out]} for a fully-connected layer
     */
    @Override
    public int[] weightsShape() {
      return weightsShape.clone();
    }
  }

  /** Outputs of the pretrained fc8: the ILSVRC-2012 classes. */
  public static final int IMAGENET_CLASSES = 1000;
  /** Height and width of the input image: 227, which makes conv1's output 55 x 55. */
  public static final int IMAGE_SIZE = 227;
  /** The parameterised layers in graph order, as variables and weight files name them. */
  public static final List<String> LAYER_NAMES =
      List.of("conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8");

  private AlexNetSpec() {
  }

  /**
   * The eight parameterised layers, fc8 with {@code numClasses} outputs.
   *
   * @param numClasses fc8's outputs, at least 1
   * @return conv1 ... fc8 in graph order, unmodifiable
   */
  public static List<Layer> layers(int numClasses) {
    if (numClasses < 1) {
      throw new IllegalArgumentException("numClasses must be at least 1, was " + numClasses);
    }
    List<Layer> layers = new ArrayList<>();
    layers.add(new Layer("conv1", new int[] {11, 11, 3, 96}, 1));
    layers.add(new Layer("conv2", new int[] {5, 5, 48, 256}, 2));
    layers.add(new Layer("conv3", new int[] {3, 3, 256, 384}, 1));
    layers.add(new Layer("conv4", new int[] {3, 3, 192, 384}, 2));
    layers.add(new Layer("conv5", new int[] {3, 3, 192, 256}, 2));
    layers.add(new Layer("fc6", new int[] {9216, 4096}, 1));
    layers.add(new Layer("fc7", new int[] {4096, 4096}, 1));
    layers.add(new Layer("fc8", new int[] {4096, numClasses}, 1));
    return List.copyOf(layers);
  }

  /**
   * One layer of {@link #layers(int)} by name.
   *
   * @param name one of {@link #LAYER_NAMES}
   * @param numClasses fc8's outputs, at least 1
   * @return the layer's spec
   * @throws IllegalArgumentException if there is no such layer
   */
  public static Layer layer(String name, int numClasses) {
    for (Layer l : layers(numClasses)) {
      if (l.name().equals(name)) {
        return l;
      }
    }
    throw new IllegalArgumentException("no AlexNet layer '" + name + "' (layers are " + LAYER_NAMES + ")");
  }

  /**
   * All the weights and biases of AlexNet with {@code numClasses} outputs.
   *
   * @param numClasses fc8's outputs, at least 1
   * @return the number of parameters: 60,965,224 for the ImageNet model
   */
  public static long parameterCount(int numClasses) {
    return layers(numClasses).stream().mapToLong(Layer::parameterCount).sum();
  }
}
