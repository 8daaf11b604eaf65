package org.alexnettfj.graph;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.alexnettfj.weights.AlexNetSpec;
import org.alexnettfj.weights.AlexNetWeights;
import org.alexnettfj.weights.WeightArray;

/**
 * Where each of AlexNet's parameters starts: the pretrained array for a layer loaded from the weights, else
 * {@link FreshInit}'s draw for the seed; or values given as they are. The builders of {@link AlexNetModel} and of
 * the trainer check their settings, make one of these, and take every starting value and the number of classes
 * from it.
 *
 * <pre>{@code
 * ParameterSource s = ParameterSource.of(AlexNetWeights.load(file, Set.of("fc8"), 5), 42L);
 * s.freshLayers();         // [fc8]
 * s.value("conv1/weights"); // the file's array
 * s.value("fc8/weights");   // N(0, 0.01²), [4096, 5], the same bits for seed 42 on every machine
 * }</pre>
 */
public final class ParameterSource {

  private final AlexNetWeights pretrained;
  private final Map<String, WeightArray> given;
  private final int numClasses;
  private final long seed;

  private ParameterSource(AlexNetWeights pretrained, Map<String, WeightArray> given, int numClasses, long seed) {
    this.pretrained = pretrained;
    this.given = given;
    this.numClasses = numClasses;
    this.seed = seed;
  }

  /**
   * The loaded layers of {@code pretrained}, fresh values for the layers it skips.
   *
   * @param pretrained checked weights; their number of classes is the model's
   * @param seed the seed of the fresh layers
   * @return the source
   */
  public static ParameterSource of(AlexNetWeights pretrained, long seed) {
    return new ParameterSource(Objects.requireNonNull(pretrained, "pretrained"), null, pretrained.numClasses(), seed);
  }

  /**
   * Every layer fresh.
   *
   * @param numClasses fc8's outputs
   * @param seed the seed of every layer
   * @return the source
   * @throws IllegalArgumentException if {@code numClasses < 1}
   */
  public static ParameterSource fresh(int numClasses, long seed) {
    if (numClasses < 1) {
      throw new IllegalArgumentException("numClasses must be at least 1, was " + numClasses);
    }
    return new ParameterSource(null, null, numClasses, seed);
  }

  /**
   * Values given as they are, e.g.&nbsp;a trainer's current ones; nothing is fresh.
   *
   * @param values by parameter name, e.g.&nbsp;{@code conv1/weights}; copied (the arrays are not)
   * @param numClasses fc8's outputs
   * @return the source; {@link #value} of a parameter not in {@code values} fails, naming it
   * @throws IllegalArgumentException if {@code numClasses < 1}
   */
  public static ParameterSource given(Map<String, WeightArray> values, int numClasses) {
    if (numClasses < 1) {
      throw new IllegalArgumentException("numClasses must be at least 1, was " + numClasses);
    }
    return new ParameterSource(null, Map.copyOf(values), numClasses, 0);
  }

  /**
   * fc8's outputs.
   *
   * @return the number of classes
   */
  public int numClasses() {
    return numClasses;
  }

  /**
   * The seed of the fresh layers.
   *
   * @return the seed
   */
  public long seed() {
    return seed;
  }

  /**
   * Whether a layer starts from {@link FreshInit} rather than the weights.
   *
   * @param layer an AlexNet layer name, e.g.&nbsp;{@code fc8}
   * @return true when it is not loaded
   */
  public boolean isFresh(String layer) {
    if (given != null) {
      return false;
    }
    return pretrained == null || !pretrained.isLoaded(layer);
  }

  /**
   * The layers that start fresh, in AlexNet's order.
   *
   * @return an unmodifiable set
   */
  public Set<String> freshLayers() {
    Set<String> fresh = new LinkedHashSet<>();
    for (String layer : AlexNetSpec.LAYER_NAMES) {
      if (isFresh(layer)) {
        fresh.add(layer);
      }
    }
    return Collections.unmodifiableSet(fresh);
  }

  /**
   * A parameter's starting value, in AlexNet's layout.
   *
   * @param parameter a variable name, {@code <layer>/weights} or {@code <layer>/biases}
   * @return the pretrained array itself (not a copy) when its layer is loaded, else a new fresh one
   * @throws IllegalArgumentException if {@code parameter} is not an AlexNet parameter
   */
  public WeightArray value(String parameter) {
    int slash = parameter.lastIndexOf('/');
    String kind = slash < 0 ? "" : parameter.substring(slash + 1);
    String layer = slash < 0 ? parameter : parameter.substring(0, slash);
    if (!kind.equals("weights") && !kind.equals("biases")) {
      throw new IllegalArgumentException("'" + parameter + "' is not <layer>/weights or <layer>/biases");
    }
    boolean isWeights = kind.equals("weights");
    if (given != null) {
      WeightArray value = given.get(parameter);
      if (value == null) {
        throw new IllegalArgumentException("no value given for " + parameter + " (given: " + given.keySet() + ")");
      }
      return value;
    }
    if (!isFresh(layer)) {
      return isWeights ? pretrained.weights(layer) : pretrained.biases(layer);
    }
    AlexNetSpec.Layer spec = AlexNetSpec.layer(layer, numClasses);
    return isWeights ? FreshInit.weights(spec, seed) : FreshInit.biases(spec);
  }
}
