package org.alexnettfj.weights;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Everything a weight file holds, as arrays named like TensorFlow variables: {@code conv1/weights},
 * {@code fc8/biases}. The classic dict-of-lists {@code {'conv1': [W, b]}}, caffe-tensorflow's dict of dicts and
 * an {@code .npz} of {@code conv1_W}/{@code conv1_b} all read to the same names.
 *
 * @param source the file, as given by the user
 * @param format how it was stored, e.g. {@code npy v1.0, pickle protocol 2, dict of lists}
 * @param arrays every array, in file order
 */
public record WeightFile(String source, String format, Map<String, WeightArray> arrays) {

  /**
   * Copies {@code arrays}, keeping their order, so that the record cannot change under its user.
   *
   * @param source the file, as given by the user
   * @param format how it was stored
   * @param arrays every array, in file order
   */
  public WeightFile {
    arrays = Collections.unmodifiableMap(new LinkedHashMap<>(arrays));
  }

  /**
   * One array by its full name.
   *
   * @param name e.g. {@code fc7/weights}
   * @return the array, or null when the file has none of that name
   */
  public WeightArray array(String name) {
    return arrays.get(name);
  }

  /**
   * The layers the file holds.
   *
   * @return layer names in file order: the part of each array name before the last '/'
   */
  public Set<String> layerNames() {
    Set<String> layers = new LinkedHashSet<>();
    for (String name : arrays.keySet()) {
      layers.add(layerOf(name));
    }
    return layers;
  }

  /**
   * One layer's arrays.
   *
   * @param layer a layer name such as {@code conv1}
   * @return its parameters by their short names ({@code weights}, {@code biases}, ...), in file order; empty if
   *     the file has no such layer
   */
  public Map<String, WeightArray> layer(String layer) {
    Map<String, WeightArray> params = new LinkedHashMap<>();
    arrays.forEach((name, array) -> {
      if (layerOf(name).equals(layer)) {
        params.put(paramOf(name), array);
      }
    });
    return params;
  }

  /**
   * All the values in the file, for {@code inspect}.
   *
   * @return the sum of every array's size
   */
  public long parameterCount() {
    long n = 0;
    for (WeightArray a : arrays.values()) {
      n += a.size();
    }
    return n;
  }

  static String layerOf(String name) {
    int slash = name.lastIndexOf('/');
    return slash < 0 ? name : name.substring(0, slash);
  }

  static String paramOf(String name) {
    int slash = name.lastIndexOf('/');
    return slash < 0 ? "" : name.substring(slash + 1);
  }
}
