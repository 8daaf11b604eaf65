package org.alexnettfj.bench;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.alexnettfj.weights.AlexNetSpec;

/**
 * What one image costs in floating-point operations, and so the images/s a measured FP32 peak allows: the limit
 * every model speed in BENCHMARKS.md is a fraction of.
 *
 * <p>A layer's forward pass is 2 flops per multiply-add: {@code 2 x outputPositions x weights} (a grouped
 * convolution's weights already hold only its group's inputs). Training a layer adds its weight gradient (as much
 * again); back-propagating through a layer to one below it that is trained adds its input gradient (as much
 * again). Pooling, LRN, ReLU, dropout and the softmax are left out: under 1% of the total.
 *
 * <pre>{@code
 * double limit = Workload.FINE_TUNE_FC.limitImagesPerSecond(157.3);   // 97.8 images/s
 * }</pre>
 */
public enum Workload {

  /** A forward pass: 1.449 GFLOP per image. */
  INFERENCE(Set.of(), false),
  /** A training step of fc6, fc7, fc8 over frozen conv layers: about 1.61 GFLOP per image. */
  FINE_TUNE_FC(Set.of("fc6", "fc7", "fc8"), false),
  /**
   * A training step of fc6, fc7, fc8 on cached pool5 features ({@code --cache-features}): the fc layers only,
   * about 0.276 GFLOP per image.
   */
  FINE_TUNE_FC_FROM_POOL5(Set.of("fc6", "fc7", "fc8"), true),
  /** A training step of fc8 alone ({@code alexnet finetune}'s default layers): about 1.46 GFLOP per image. */
  FINE_TUNE_FC8(Set.of("fc8"), false),
  /** The same on cached pool5 features: fc6 and fc7 forward, fc8 forward and weight gradient, ~0.13 GFLOP. */
  FINE_TUNE_FC8_FROM_POOL5(Set.of("fc8"), true),
  /** A training step of every layer: about 4.14 GFLOP per image. */
  FULL_TRAINING(Set.copyOf(AlexNetSpec.LAYER_NAMES), false);

  /** Output height (= width) of each layer on a 227 x 227 input; 1 for the fully connected ones. */
  private static final Map<String, Integer> OUTPUT_SIZE = Map.of("conv1", 55, "conv2", 27, "conv3", 13,
      "conv4", 13, "conv5", 13, "fc6", 1, "fc7", 1, "fc8", 1);

  private final Set<String> trainedLayers;
  private final boolean fromPool5;

  Workload(Set<String> trainedLayers, boolean fromPool5) {
    this.trainedLayers = trainedLayers;
    this.fromPool5 = fromPool5;
  }

  public Set<String> trainedLayers() {
    return trainedLayers;
  }

  /** Whether a step starts from cached pool5 features ({@code --cache-features}) rather than images. */
  public boolean fromPool5() {
    return fromPool5;
  }

  /** The trained layers in network order, e.g. {@code fc6,fc7,fc8}; empty for inference. */
  public String layerList() {
    return String.join(",", AlexNetSpec.LAYER_NAMES.stream().filter(trainedLayers::contains).toList());
  }

  public double flopsPerImage() {
    return flopsPerImage(trainedLayers, fromPool5);
  }

  public double gflopPerImage() {
    return flopsPerImage() / 1e9;
  }

  /** Images/s if every flop ran at {@code peakGflops}, the measured matmul rate. */
  public double limitImagesPerSecond(double peakGflops) {
    return peakGflops / gflopPerImage();
  }

  /** {@code imagesPerSecond} as a fraction of {@link #limitImagesPerSecond}. */
  public double fractionOfLimit(double imagesPerSecond, double peakGflops) {
    return imagesPerSecond / limitImagesPerSecond(peakGflops);
  }

  /** Flops of one image's forward pass through {@code layer} (conv1 … fc8): 2 x outputs x weights per output. */
  public static double forwardFlops(String layer) {
    long weights = 1;
    for (int d : AlexNetSpec.layer(layer, AlexNetSpec.IMAGENET_CLASSES).weightsShape()) {
      weights *= d;
    }
    int size = OUTPUT_SIZE.get(layer);
    return 2.0 * size * size * weights;
  }

  /** Flops per 227 x 227 image of a step that trains {@code trained} (none: inference), 1000 classes. */
  public static double flopsPerImage(Set<String> trained) {
    return flopsPerImage(trained, false);
  }

  /** As {@link #flopsPerImage(Set)}; with {@code fromPool5} the conv layers are not run (their output is cached). */
  public static double flopsPerImage(Set<String> trained, boolean fromPool5) {
    if (!AlexNetSpec.LAYER_NAMES.containsAll(trained)) {
      throw new IllegalArgumentException("unknown layers in " + trained + " (layers are "
          + AlexNetSpec.LAYER_NAMES + ")");
    }
    List<AlexNetSpec.Layer> layers = AlexNetSpec.layers(AlexNetSpec.IMAGENET_CLASSES);
    Set<String> below = new LinkedHashSet<>();   // trained layers seen so far, walking up from conv1
    double flops = 0;
    for (AlexNetSpec.Layer layer : layers) {
      if (fromPool5 && layer.name().startsWith("conv")) {
        continue;
      }
      double forward = forwardFlops(layer.name());
      flops += forward;
      if (trained.contains(layer.name())) {
        flops += forward;
      }
      if (!below.isEmpty()) {
        flops += forward;
      }
      if (trained.contains(layer.name())) {
        below.add(layer.name());
      }
    }
    return flops;
  }
}
