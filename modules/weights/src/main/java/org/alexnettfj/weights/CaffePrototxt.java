package org.alexnettfj.weights;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Caffe network description ({@code deploy.prototxt}, protobuf text format): its layers and their settings, the
 * feature-map shape each fully-connected layer reads (for converting fc weights), and whether it describes AlexNet.
 *
 * <pre>{@code
 * CaffePrototxt net = CaffePrototxt.read(Path.of("deploy.prototxt"));
 * List<String> problems = net.alexNetProblems();          // empty for BVLC AlexNet
 * CaffeReader.FcInput fc6 = net.fcInputs().get("fc6");    // 256x6x6
 * }</pre>
 */
public final class CaffePrototxt {

  /**
   * One layer of the net, with V2 type names ({@code Convolution}); V1 enums ({@code CONVOLUTION}) are mapped to
   * them.
   *
   * @param name the layer's name, e.g. {@code conv1}
   * @param type its V2 type name
   * @param bottoms the blobs it reads
   * @param tops the blobs it writes
   * @param params its settings flattened to dotted keys ({@code convolution_param.kernel_size}): the first value
   *     of a key under the key itself, the i-th (from 0) also under {@code key#i}
   */
  public record Layer(String name, String type, List<String> bottoms, List<String> tops, Map<String, String> params) {

    /**
     * One setting of the layer.
     *
     * @param key a dotted key such as {@code convolution_param.num_output}
     * @param fallback what to return when the prototxt does not set it
     * @return the setting's text, or {@code fallback} if absent
     */
    public String param(String key, String fallback) {
      return params.getOrDefault(key, fallback);
    }

    int intParam(String key, int fallback) {
      String v = params.get(key);
      return v == null ? fallback : Integer.parseInt(v);
    }
  }

  private final String file;
  private final List<Layer> layers;
  private final int[] inputChw;

  private CaffePrototxt(String file, List<Layer> layers, int[] inputChw) {
    this.file = file;
    this.layers = List.copyOf(layers);
    this.inputChw = inputChw;
  }

  /**
   * Reads and parses a prototxt.
   *
   * @param path a {@code deploy.prototxt} or any other protobuf-text NetParameter
   * @return its layers and input shape
   * @throws IOException if the file cannot be read; a {@link WeightFileException} if it is not a readable prototxt
   */
  public static CaffePrototxt read(Path path) throws IOException {
    String text = Files.readString(path, StandardCharsets.UTF_8);
    return parse(text, path.toString());
  }

  static CaffePrototxt parse(String text, String file) throws WeightFileException {
    List<Object[]> root;
    try {
      root = new Parser(text).message(false);
    } catch (IllegalArgumentException e) {
      throw new WeightFileException(file, null, -1, "not a readable prototxt: " + e.getMessage());
    }
    List<Layer> layers = new ArrayList<>();
    List<Integer> inputDims = new ArrayList<>();
    for (Object[] field : root) {
      String key = (String) field[0];
      if ((key.equals("layer") || key.equals("layers")) && field[1] instanceof List<?> body) {
        layers.add(layer(file, castMessage(body), key.equals("layers")));
      } else if (key.equals("input_dim") && field[1] instanceof String v) {
        inputDims.add(parseInt(file, v, "input_dim"));
      } else if (key.equals("input_shape") && field[1] instanceof List<?> body) {
        for (Object[] f : castMessage(body)) {
          if (f[0].equals("dim") && f[1] instanceof String v) {
            inputDims.add(parseInt(file, v, "input_shape.dim"));
          }
        }
      }
    }
    for (Layer l : layers) {
      if (l.type().equals("Input") && inputDims.isEmpty()) {
        for (int i = 0; l.params().containsKey("input_param.shape.dim#" + i); i++) {
          inputDims.add(parseInt(file, l.params().get("input_param.shape.dim#" + i), "input_param.shape.dim"));
        }
      }
    }
    int[] chw = inputDims.size() == 4 ? new int[] {inputDims.get(1), inputDims.get(2), inputDims.get(3)} : null;
    return new CaffePrototxt(file, layers, chw);
  }

  private static int parseInt(String file, String v, String what) throws WeightFileException {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new WeightFileException(file, null, -1, what + " '" + v + "' is not an integer");
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Object[]> castMessage(List<?> body) {
    return (List<Object[]>) body;
  }

  private static Layer layer(String file, List<Object[]> body, boolean v1) throws WeightFileException {
    String name = null;
    String type = null;
    List<String> bottoms = new ArrayList<>();
    List<String> tops = new ArrayList<>();
    Map<String, String> params = new LinkedHashMap<>();
    for (Object[] f : body) {
      String key = (String) f[0];
      if (f[1] instanceof String v) {
        switch (key) {
          case "name" -> name = v;
          case "type" -> type = v1 ? v1Type(v) : v;
          case "bottom" -> bottoms.add(v);
          case "top" -> tops.add(v);
          default -> params.put(key, v);
        }
      } else {
        flatten(key, castMessage((List<?>) f[1]), params);
      }
    }
    if (name == null || type == null) {
      throw new WeightFileException(file, name, -1, "a layer without " + (name == null ? "a name" : "a type"));
    }
    return new Layer(name, type, bottoms, tops, params);
  }

  /** {@code convolution_param { kernel_size: 3 }} becomes {@code convolution_param.kernel_size = 3}; repeats get #i. */
  private static void flatten(String prefix, List<Object[]> body, Map<String, String> out) {
    Map<String, Integer> seen = new LinkedHashMap<>();
    for (Object[] f : body) {
      String key = prefix + "." + f[0];
      int n = seen.merge(key, 1, Integer::sum) - 1;
      if (f[1] instanceof String v) {
        out.putIfAbsent(key, v);
        out.put(key + "#" + n, v);
      } else {
        flatten(key, castMessage((List<?>) f[1]), out);
      }
    }
  }

  private static String v1Type(String e) {
    return switch (e) {
      case "CONVOLUTION" -> "Convolution";
      case "INNER_PRODUCT" -> "InnerProduct";
      case "POOLING" -> "Pooling";
      case "RELU" -> "ReLU";
      case "DROPOUT" -> "Dropout";
      case "SOFTMAX" -> "Softmax";
      case "SOFTMAX_LOSS" -> "SoftmaxWithLoss";
      case "DATA" -> "Data";
      case "CONCAT" -> "Concat";
      case "ACCURACY" -> "Accuracy";
      default -> e.equals("LRN") ? "LRN" : e;
    };
  }

  /**
   * Where the net was read from, for messages.
   *
   * @return the file's name as given
   */
  public String file() {
    return file;
  }

  /**
   * The net's layers.
   *
   * @return every layer in file order, unmodifiable
   */
  public List<Layer> layers() {
    return layers;
  }

  /**
   * The input's size, from {@code input_dim}, {@code input_shape} or an Input layer.
   *
   * @return channels, height and width, or null when the prototxt declares none (a Data layer)
   */
  public int[] inputShape() {
    return inputChw == null ? null : inputChw.clone();
  }

  /**
   * The feature map each InnerProduct reads when it follows spatial layers, found by running the input shape
   * through the convolutions and poolings with Caffe's arithmetic (floor for convolution, ceil for pooling).
   * Empty without an input shape; stops at a layer type it cannot size.
   *
   * @return each such InnerProduct's input by layer name, e.g. {@code fc6 -> 256x6x6} for AlexNet
   */
  public Map<String, CaffeReader.FcInput> fcInputs() {
    Map<String, CaffeReader.FcInput> out = new LinkedHashMap<>();
    if (inputChw == null) {
      return out;
    }
    Map<String, int[]> blobs = new LinkedHashMap<>();
    int[] current = inputChw.clone();
    for (Layer l : layers) {
      int[] in = l.bottoms().isEmpty() ? current : blobs.getOrDefault(l.bottoms().get(0), current);
      int[] shape;
      switch (l.type()) {
        case "Convolution" -> {
          int k = l.intParam("convolution_param.kernel_size", l.intParam("convolution_param.kernel_h", 1));
          int s = l.intParam("convolution_param.stride", 1);
          int p = l.intParam("convolution_param.pad", 0);
          int size = (in[1] + 2 * p - k) / s + 1;
          shape = new int[] {l.intParam("convolution_param.num_output", in[0]), size, size};
        }
        case "Pooling" -> {
          int k = l.intParam("pooling_param.kernel_size", 1);
          int s = l.intParam("pooling_param.stride", 1);
          int p = l.intParam("pooling_param.pad", 0);
          int size = "true".equals(l.param("pooling_param.global_pooling", "false")) ? 1
              : (int) Math.ceil((in[1] + 2.0 * p - k) / s) + 1;
          shape = new int[] {in[0], size, size};
        }
        case "InnerProduct" -> {
          if (in[1] * in[2] > 1) {
            out.put(l.name(), new CaffeReader.FcInput(in[0], in[1], in[2]));
          }
          shape = new int[] {l.intParam("inner_product_param.num_output", 1), 1, 1};
        }
        case "ReLU", "LRN", "Dropout", "Softmax", "Input", "Data", "SoftmaxWithLoss", "Accuracy" -> shape = in;
        default -> {
          return out; // Concat, Eltwise, ...: shapes past here are not followed
        }
      }
      current = shape;
      for (String top : l.tops()) {
        blobs.put(top, shape);
      }
    }
    return out;
  }

  /**
   * How this network differs from BVLC AlexNet (any number of classes), layer by layer: each entry names the layer
   * and what was expected. Empty when it is AlexNet.
   *
   * @return one line per difference
   */
  public List<String> alexNetProblems() {
    List<String> problems = new ArrayList<>();
    Map<String, Layer> byName = new LinkedHashMap<>();
    for (Layer l : layers) {
      byName.put(l.name(), l);
    }
    expectConv(problems, byName, "conv1", 96, 11, 4, 0, 1);
    expectLrn(problems, byName, "norm1");
    expectPool(problems, byName, "pool1");
    expectConv(problems, byName, "conv2", 256, 5, 1, 2, 2);
    expectLrn(problems, byName, "norm2");
    expectPool(problems, byName, "pool2");
    expectConv(problems, byName, "conv3", 384, 3, 1, 1, 1);
    expectConv(problems, byName, "conv4", 384, 3, 1, 1, 2);
    expectConv(problems, byName, "conv5", 256, 3, 1, 1, 2);
    expectPool(problems, byName, "pool5");
    for (String fc : List.of("fc6", "fc7")) {
      Layer l = expectType(problems, byName, fc, "InnerProduct");
      if (l != null && !"4096".equals(l.param("inner_product_param.num_output", "?"))) {
        problems.add("layer '" + fc + "': num_output " + l.param("inner_product_param.num_output", "missing")
            + ", expected 4096");
      }
    }
    expectType(problems, byName, "fc8", "InnerProduct");
    if (inputChw != null && (inputChw[0] != 3 || inputChw[1] != 227 || inputChw[2] != 227)) {
      problems.add("input " + inputChw[0] + "x" + inputChw[1] + "x" + inputChw[2] + ", expected 3x227x227");
    }
    CaffeReader.FcInput fc6 = fcInputs().get("fc6");
    if (fc6 != null && !fc6.equals(new CaffeReader.FcInput(256, 6, 6))) {
      problems.add("layer 'fc6' reads a " + fc6 + " feature map, expected 256x6x6");
    }
    return problems;
  }

  private static Layer expectType(List<String> problems, Map<String, Layer> byName, String name, String type) {
    Layer l = byName.get(name);
    if (l == null) {
      problems.add("missing layer '" + name + "' (" + type + ")");
      return null;
    }
    if (!l.type().equals(type)) {
      problems.add("layer '" + name + "': type " + l.type() + ", expected " + type);
      return null;
    }
    return l;
  }

  private static void expectConv(List<String> problems, Map<String, Layer> byName, String name, int outputs,
      int kernel, int stride, int pad, int group) {
    Layer l = expectType(problems, byName, name, "Convolution");
    if (l == null) {
      return;
    }
    expectSetting(problems, l, "convolution_param.num_output", null, outputs);
    expectSetting(problems, l, "convolution_param.kernel_size", null, kernel);
    expectSetting(problems, l, "convolution_param.stride", "1", stride);
    expectSetting(problems, l, "convolution_param.pad", "0", pad);
    expectSetting(problems, l, "convolution_param.group", "1", group);
  }

  private static void expectPool(List<String> problems, Map<String, Layer> byName, String name) {
    Layer l = expectType(problems, byName, name, "Pooling");
    if (l == null) {
      return;
    }
    if (!"MAX".equals(l.param("pooling_param.pool", "MAX"))) {
      problems.add("layer '" + name + "': pool " + l.param("pooling_param.pool", "") + ", expected MAX");
    }
    expectSetting(problems, l, "pooling_param.kernel_size", null, 3);
    expectSetting(problems, l, "pooling_param.stride", "1", 2);
  }

  /** Caffe's LRN across channels: local_size 5, alpha 1e-4 (TF's 2e-5 once divided by local_size), beta 0.75. */
  private static void expectLrn(List<String> problems, Map<String, Layer> byName, String name) {
    Layer l = expectType(problems, byName, name, "LRN");
    if (l == null) {
      return;
    }
    expectSetting(problems, l, "lrn_param.local_size", "5", 5);
    expectNumber(problems, l, "lrn_param.alpha", "1", 1e-4);
    expectNumber(problems, l, "lrn_param.beta", "0.75", 0.75);
    expectNumber(problems, l, "lrn_param.k", "1", 1.0);
  }

  private static void expectSetting(List<String> problems, Layer l, String key, String fallback, int expected) {
    String v = l.param(key, fallback);
    if (v == null || !v.equals(String.valueOf(expected))) {
      problems.add("layer '" + l.name() + "': " + key.substring(key.indexOf('.') + 1) + " "
          + (v == null ? "missing" : v) + ", expected " + expected);
    }
  }

  private static void expectNumber(List<String> problems, Layer l, String key, String fallback, double expected) {
    String v = l.param(key, fallback);
    double d;
    try {
      d = Double.parseDouble(v);
    } catch (NumberFormatException e) {
      d = Double.NaN;
    }
    if (Math.abs(d - expected) > 1e-9 * Math.max(1, Math.abs(expected))) {
      problems.add("layer '" + l.name() + "': " + key.substring(key.indexOf('.') + 1) + " " + v + ", expected "
          + expected);
    }
  }

  /** Protobuf text format: {@code name: value}, {@code name { ... }}, {@code name: [a, b]}, # comments. */
  private static final class Parser {
    private final String s;
    private int i;
    private int depth;

    Parser(String s) {
      this.s = s;
    }

    List<Object[]> message(boolean braced) {
      if (++depth > 32) {
        throw new IllegalArgumentException("nested deeper than 32 at line " + line());
      }
      List<Object[]> fields = new ArrayList<>();
      while (true) {
        skip();
        if (i >= s.length()) {
          if (braced) {
            throw new IllegalArgumentException("missing '}' at the end");
          }
          depth--;
          return fields;
        }
        if (s.charAt(i) == '}') {
          if (!braced) {
            throw new IllegalArgumentException("unexpected '}' at line " + line());
          }
          i++;
          depth--;
          return fields;
        }
        String name = identifier();
        skip();
        boolean colon = i < s.length() && s.charAt(i) == ':';
        if (colon) {
          i++;
          skip();
        }
        if (i < s.length() && (s.charAt(i) == '{' || s.charAt(i) == '<')) {
          i++;
          fields.add(new Object[] {name, message(true)});
        } else if (colon && i < s.length() && s.charAt(i) == '[') {
          i++;
          while (true) {
            skip();
            if (i < s.length() && s.charAt(i) == ']') {
              i++;
              break;
            }
            fields.add(new Object[] {name, scalar()});
            skip();
            if (i < s.length() && s.charAt(i) == ',') {
              i++;
            }
          }
        } else if (colon) {
          fields.add(new Object[] {name, scalar()});
        } else {
          throw new IllegalArgumentException("expected ':' or '{' after '" + name + "' at line " + line());
        }
        skip();
        if (i < s.length() && (s.charAt(i) == ',' || s.charAt(i) == ';')) {
          i++;
        }
      }
    }

    private String scalar() {
      if (i >= s.length()) {
        throw new IllegalArgumentException("value missing at the end");
      }
      char c = s.charAt(i);
      if (c == '"' || c == '\'') {
        int end = s.indexOf(c, i + 1);
        if (end < 0) {
          throw new IllegalArgumentException("unterminated string at line " + line());
        }
        String v = s.substring(i + 1, end);
        i = end + 1;
        return v;
      }
      int start = i;
      while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || "._-+".indexOf(s.charAt(i)) >= 0)) {
        i++;
      }
      if (start == i) {
        throw new IllegalArgumentException("unexpected '" + c + "' at line " + line());
      }
      return s.substring(start, i);
    }

    private String identifier() {
      int start = i;
      while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
        i++;
      }
      if (start == i) {
        throw new IllegalArgumentException("unexpected '" + s.charAt(i) + "' at line " + line());
      }
      return s.substring(start, i);
    }

    private void skip() {
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c == '#') {
          while (i < s.length() && s.charAt(i) != '\n') {
            i++;
          }
        } else if (Character.isWhitespace(c)) {
          i++;
        } else {
          return;
        }
      }
    }

    private int line() {
      int n = 1;
      for (int k = 0; k < i && k < s.length(); k++) {
        if (s.charAt(k) == '\n') {
          n++;
        }
      }
      return n;
    }
  }
}
