package org.alexnettfj.weights;

import java.util.ArrayList;
import java.util.List;

/**
 * The shapes AlexNet's parameters must have, as in the classic {@code bvlc_alexnet.npy}: conv weights HWIO
 * ({@code [height, width, in/groups, out]}), fc weights {@code [in, out]}, biases {@code [out]}. fc6's input rows
 * follow pool5's (h, w, c) order: 6 * 6 * 256 = 9216.
 */
public final class AlexNetSpec {

  /** One layer's parameters. {@code groups} is 2 for conv2, conv4 and conv5 (the paper's two GPUs). */
  public record Layer(String name, int[] weightsShape, int groups) {

    public int[] biasesShape() {
      return new int[] {weightsShape[weightsShape.length - 1]};
    }

    public boolean isConv() {
      return weightsShape.length == 4;
    }

    public long parameterCount() {
      long n = 1;
      for (int d : weightsShape) {
        n *= d;
      }
      return n + weightsShape[weightsShape.length - 1];
    }

    @Override
    public int[] weightsShape() {
      return weightsShape.clone();
    }
  }

  public static final int IMAGENET_CLASSES = 1000;
  public static final int IMAGE_SIZE = 227;
  public static final List<String> LAYER_NAMES =
      List.of("conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8");

  private AlexNetSpec() {
  }

  /** The eight parameterised layers, fc8 with {@code numClasses} outputs. */
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

  public static Layer layer(String name, int numClasses) {
    for (Layer l : layers(numClasses)) {
      if (l.name().equals(name)) {
        return l;
      }
    }
    throw new IllegalArgumentException("no AlexNet layer '" + name + "' (layers are " + LAYER_NAMES + ")");
  }

  /** 60,965,224 for the ImageNet model. */
  public static long parameterCount(int numClasses) {
    return layers(numClasses).stream().mapToLong(Layer::parameterCount).sum();
  }
}
