package org.alexnettfj.graph;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.alexnettfj.weights.AlexNetSpec;
import org.alexnettfj.weights.AlexNetWeights;
import org.alexnettfj.weights.WeightArray;
import org.alexnettfj.weights.WeightFile;
import org.alexnettfj.weights.WeightFileException;

/**
 * AlexNet as an ONNX model, for ONNX Runtime, TensorRT, OpenVINO and the rest: the classic {@code create()} with
 * the SavedModel's contract ({@link AlexNetSavedModel}): input {@code images}, float32 {@code [N, 227, 227, 3]}, BGR,
 * mean subtracted; outputs {@code prob}, {@code logits} (fc8 before the softmax) and {@code fc7}. The layers keep
 * their classic names as node names ({@code conv1} … {@code fc8}, {@code norm1}, {@code pool5}, {@code prob}).
 * conv2, conv4 and conv5 are ONNX {@code Conv} with {@code group = 2}; norm1 and norm2 are ONNX {@code LRN}.
 *
 * <p>The model is encoded with protobuf-java's {@link CodedOutputStream} (the library TensorFlow Java brings) under
 * the field numbers of ONNX's {@code onnx.proto}; the weights (233 MB) are streamed into it, never held twice.
 */
public final class AlexNetOnnx {

  /** Opset written by default: 17 (ONNX 1.12), read by every current runtime. */
  public static final int DEFAULT_OPSET = 17;
  /** A protobuf message may not pass 2 GiB; AlexNet is 233 MB, so only an absurd fc8 could. */
  private static final long PROTOBUF_LIMIT = (2L << 30) - 1;

  // onnx.proto field numbers and enum values used here
  private static final int MODEL_IR_VERSION = 1;
  private static final int MODEL_PRODUCER_NAME = 2;
  private static final int MODEL_PRODUCER_VERSION = 3;
  private static final int MODEL_DOC = 6;
  private static final int MODEL_GRAPH = 7;
  private static final int MODEL_OPSET = 8;
  private static final int MODEL_METADATA = 14;
  private static final int GRAPH_NODE = 1;
  private static final int GRAPH_NAME = 2;
  private static final int GRAPH_INITIALIZER = 5;
  private static final int GRAPH_INPUT = 11;
  private static final int GRAPH_OUTPUT = 12;
  private static final int NODE_INPUT = 1;
  private static final int NODE_OUTPUT = 2;
  private static final int NODE_NAME = 3;
  private static final int NODE_OP_TYPE = 4;
  private static final int NODE_ATTRIBUTE = 5;
  private static final int ATTR_NAME = 1;
  private static final int ATTR_F = 2;
  private static final int ATTR_I = 3;
  private static final int ATTR_INTS = 8;
  private static final int ATTR_TYPE = 20;
  private static final int ATTR_TYPE_FLOAT = 1;
  private static final int ATTR_TYPE_INT = 2;
  private static final int ATTR_TYPE_INTS = 7;
  private static final int TENSOR_DIMS = 1;
  private static final int TENSOR_DATA_TYPE = 2;
  private static final int TENSOR_NAME = 8;
  private static final int TENSOR_RAW_DATA = 9;
  private static final int FLOAT = 1;
  private static final int VALUE_NAME = 1;
  private static final int VALUE_TYPE = 2;
  private static final int TYPE_TENSOR = 1;
  private static final int TENSOR_TYPE_ELEM = 1;
  private static final int TENSOR_TYPE_SHAPE = 2;
  private static final int SHAPE_DIM = 1;
  private static final int DIM_VALUE = 1;
  private static final int DIM_PARAM = 2;
  private static final int OPSET_VERSION = 2;
  private static final int ENTRY_KEY = 1;
  private static final int ENTRY_VALUE = 2;
  /** ONNX IR version 8 goes with opsets 13 to 17; 9 with 18 to 19. */
  private static final int IR_VERSION_OPSET_17 = 8;

  /**
   * What {@link AlexNetOnnx#export} writes besides the weights: batch size, opset and class names.
   *
   * @param batch the input's batch size, or 0 for a dynamic one ({@code N})
   * @param opset the default domain's opset, 13 to 19
   * @param classNames written to the model's metadata as {@code classes} (one per line), or null
   */
  public record Options(int batch, int opset, List<String> classNames) {

    /**
     * Checks and copies the options.
     *
     * @param batch the input's batch size, or 0 for a dynamic one
     * @param opset the default domain's opset, 13 to 19
     * @param classNames the class names, or null; copied
     * @throws IllegalArgumentException if {@code batch} is negative or {@code opset} is out of range
     */
    public Options {
      if (batch < 0) {
        throw new IllegalArgumentException("batch must be a size >= 1, or 0 for dynamic, was " + batch);
      }
      if (opset < 13 || opset > 19) {
        throw new IllegalArgumentException("opset " + opset + " is not written: 13 to 19 are (LRN, Softmax on one "
            + "axis and Conv with groups as this export uses them)");
      }
      classNames = classNames == null ? null : List.copyOf(classNames);
    }

    /**
     * The usual options: a dynamic batch, opset {@value AlexNetOnnx#DEFAULT_OPSET} and no class names.
     *
     * @return {@code new Options(0, DEFAULT_OPSET, null)}
     */
    public static Options defaults() {
      return new Options(0, DEFAULT_OPSET, null);
    }
  }

  private AlexNetOnnx() {
  }

  /**
   * Writes {@code weights} (a complete AlexNet, fc8's outputs from the file) to {@code out}, through a temporary
   * file beside it renamed into place.
   *
   * @param weights a complete AlexNet, e.g. {@code WeightReader.read(npy)}
   * @param out the {@code .onnx} file to write
   * @param overwrite whether an existing {@code out} is replaced
   * @param options batch size, opset and class names
   * @throws IOException if the file cannot be written
   * @throws IllegalArgumentException if the class names do not match fc8's outputs
   * @throws WeightFileException if the weights are not a complete AlexNet; lists every problem
   * @throws FileAlreadyExistsException if {@code out} exists and not {@code overwrite}
   */
  public static void export(WeightFile weights, Path out, boolean overwrite, Options options) throws IOException {
    int numClasses = AlexNetSavedModel.numClasses(weights);
    List<String> problems = AlexNetWeights.problems(weights, Set.of(), numClasses);
    if (!problems.isEmpty()) {
      throw new WeightFileException(weights.source(), problems);
    }
    if (options.classNames() != null && options.classNames().size() != numClasses) {
      throw new IllegalArgumentException(options.classNames().size() + " class names for an fc8 of " + numClasses
          + " outputs");
    }
    Path abs = out.toAbsolutePath();
    if (Files.isDirectory(abs)) {
      throw new FileAlreadyExistsException(out.toString(), null, "is a directory; give a file name ending in .onnx");
    }
    if (Files.exists(abs) && !overwrite) {
      throw new FileAlreadyExistsException(out.toString(), null, "exists; add --force to overwrite it");
    }
    Files.createDirectories(abs.getParent());
    Model model = new Model(weights, numClasses, options);
    try (org.alexnettfj.weights.PartialWrite temp = org.alexnettfj.weights.PartialWrite.file(abs)) {
      try (OutputStream os = new java.io.BufferedOutputStream(temp.stream(), 1 << 20)) {
        model.write(os);
      }
      temp.commit();
    }
  }

  /** The graph's nodes and initializers, laid out before anything is written so every length is known. */
  private static final class Model {
    private final List<byte[]> nodes = new ArrayList<>();
    private final Map<String, Initializer> initializers = new LinkedHashMap<>();
    private final Options options;
    private final int numClasses;
    private final String doc;

    Model(WeightFile weights, int numClasses, Options options) {
      this.options = options;
      this.numClasses = numClasses;
      this.doc = "AlexNet (the classic bvlc_alexnet / kratzert create()) exported by alexnet-tfj from "
          + weights.source() + ": input images [N, 227, 227, 3] float32, BGR, mean subtracted; outputs prob, "
          + "logits (fc8), fc7";
      Map<String, WeightArray> a = weights.arrays();
      node("input_nchw", "Transpose", List.of("images"), List.of("images_nchw"), ints("perm", 0, 3, 1, 2));
      String x = conv(a, "conv1", "images_nchw", 4, 0, 1);
      x = lrn("norm1", x);
      x = pool("pool1", x);
      x = conv(a, "conv2", x, 1, 2, 2);
      x = lrn("norm2", x);
      x = pool("pool2", x);
      x = conv(a, "conv3", x, 1, 1, 1);
      x = conv(a, "conv4", x, 1, 1, 2);
      x = conv(a, "conv5", x, 1, 1, 2);
      x = pool("pool5", x);
      // fc6's weights are [9216, 4096] over pool5 flattened as TensorFlow holds it, (h, w, c): back to NHWC first
      node("pool5_nhwc", "Transpose", List.of(x), List.of("pool5_nhwc"), ints("perm", 0, 2, 3, 1));
      node("flattened", "Flatten", List.of("pool5_nhwc"), List.of("flattened"), intAttr("axis", 1));
      x = fc(a, "fc6", "flattened", true, "fc6");
      x = fc(a, "fc7", x, true, "fc7");
      x = fc(a, "fc8", x, false, "logits");
      node("prob", "Softmax", List.of(x), List.of("prob"), intAttr("axis", 1));
    }

    private String conv(Map<String, WeightArray> a, String layer, String x, int stride, int pad, int groups) {
      int[] s = a.get(layer + "/weights").shape(); // TensorFlow's [h, w, in, out]
      initializers.put(layer + "/weights", new Initializer(layer + "/weights",
          a.get(layer + "/weights").transpose(3, 2, 0, 1)));
      WeightArray b = a.get(layer + "/biases");
      initializers.put(layer + "/biases", new Initializer(layer + "/biases", b));
      node(layer + "/conv", "Conv", List.of(x, layer + "/weights", layer + "/biases"), List.of(layer + "/conv"),
          ints("kernel_shape", s[0], s[1]), ints("strides", stride, stride), ints("pads", pad, pad, pad, pad),
          intAttr("group", groups));
      node(layer, "Relu", List.of(layer + "/conv"), List.of(layer));
      return layer;
    }

    /**
     * The classic graph's LRN is TensorFlow's, {@code x / (bias + alpha_tf * sum(x^2 over 2r+1 channels))^beta},
     * alpha_tf = 2e-5, r = 2. ONNX's LRN, like Caffe's, divides alpha by the window size: {@code x / (bias +
     * alpha_onnx / size * sum)^beta}. So size = 2r + 1 = 5 and alpha_onnx = alpha_tf * size = 1e-4 (Caffe's own
     * alpha for AlexNet), beta 0.75, bias 1.
     */
    private String lrn(String name, String x) {
      int radius = 2;
      float alphaTf = 2e-05f;
      int size = 2 * radius + 1;
      node(name, "LRN", List.of(x), List.of(name), intAttr("size", size), floatAttr("alpha", alphaTf * size),
          floatAttr("beta", 0.75f), floatAttr("bias", 1.0f));
      return name;
    }

    private String pool(String name, String x) {
      node(name, "MaxPool", List.of(x), List.of(name), ints("kernel_shape", 3, 3), ints("strides", 2, 2));
      return name;
    }

    private String fc(Map<String, WeightArray> a, String layer, String x, boolean relu, String output) {
      WeightArray w = a.get(layer + "/weights");
      WeightArray b = a.get(layer + "/biases");
      initializers.put(layer + "/weights", new Initializer(layer + "/weights", w));
      initializers.put(layer + "/biases", new Initializer(layer + "/biases", b));
      String product = relu ? layer + "/gemm" : output;
      node(relu ? layer + "/gemm" : layer, "Gemm", List.of(x, layer + "/weights", layer + "/biases"),
          List.of(product));
      if (relu) {
        node(layer, "Relu", List.of(product), List.of(output));
      }
      return output;
    }

    private void node(String name, String op, List<String> inputs, List<String> outputs, byte[]... attributes) {
      Bytes n = new Bytes();
      inputs.forEach(i -> n.string(NODE_INPUT, i));
      outputs.forEach(o -> n.string(NODE_OUTPUT, o));
      n.string(NODE_NAME, name);
      n.string(NODE_OP_TYPE, op);
      for (byte[] attribute : attributes) {
        n.message(NODE_ATTRIBUTE, attribute);
      }
      nodes.add(n.toByteArray());
    }

    private static byte[] intAttr(String name, long value) {
      return new Bytes().string(ATTR_NAME, name).varint(ATTR_I, value).varint(ATTR_TYPE, ATTR_TYPE_INT)
          .toByteArray();
    }

    private static byte[] floatAttr(String name, float value) {
      return new Bytes().string(ATTR_NAME, name).fixed32(ATTR_F, value).varint(ATTR_TYPE, ATTR_TYPE_FLOAT)
          .toByteArray();
    }

    private static byte[] ints(String name, long... values) {
      Bytes b = new Bytes().string(ATTR_NAME, name);
      for (long v : values) {
        b.varint(ATTR_INTS, v);
      }
      return b.varint(ATTR_TYPE, ATTR_TYPE_INTS).toByteArray();
    }

    private byte[] valueInfo(String name, long... dims) {
      Bytes shape = new Bytes();
      for (long d : dims) {
        shape.message(SHAPE_DIM, d < 0 ? new Bytes().string(DIM_PARAM, "N").toByteArray()
            : new Bytes().varint(DIM_VALUE, d).toByteArray());
      }
      byte[] tensorType = new Bytes().varint(TENSOR_TYPE_ELEM, FLOAT).message(TENSOR_TYPE_SHAPE, shape.toByteArray())
          .toByteArray();
      byte[] type = new Bytes().message(TYPE_TENSOR, tensorType).toByteArray();
      return new Bytes().string(VALUE_NAME, name).message(VALUE_TYPE, type).toByteArray();
    }

    void write(OutputStream os) throws IOException {
      long n = options.batch() == 0 ? -1 : options.batch();
      List<byte[]> head = new ArrayList<>();
      head.add(new Bytes().string(GRAPH_NAME, "alexnet").toByteArray());
      List<byte[]> tail = new ArrayList<>();
      tail.add(new Bytes().message(GRAPH_INPUT, valueInfo("images", n, AlexNetSpec.IMAGE_SIZE, AlexNetSpec.IMAGE_SIZE,
          3)).toByteArray());
      tail.add(new Bytes().message(GRAPH_OUTPUT, valueInfo("prob", n, numClasses)).toByteArray());
      tail.add(new Bytes().message(GRAPH_OUTPUT, valueInfo("logits", n, numClasses)).toByteArray());
      tail.add(new Bytes().message(GRAPH_OUTPUT, valueInfo("fc7", n, 4096)).toByteArray());
      long graphSize = 0;
      for (byte[] b : head) {
        graphSize += b.length;
      }
      for (byte[] node : nodes) {
        graphSize += CodedOutputStream.computeTagSize(GRAPH_NODE) + CodedOutputStream.computeUInt32SizeNoTag(
            node.length) + node.length;
      }
      for (Initializer init : initializers.values()) {
        long size = init.size();
        graphSize += CodedOutputStream.computeTagSize(GRAPH_INITIALIZER) + CodedOutputStream.computeUInt64SizeNoTag(
            size) + size;
      }
      for (byte[] b : tail) {
        graphSize += b.length;
      }
      if (graphSize > PROTOBUF_LIMIT) {
        throw new IllegalArgumentException("the model would be " + graphSize + " bytes, past protobuf's 2 GiB "
            + "limit; ONNX's external-data layout is not written");
      }
      CodedOutputStream out = CodedOutputStream.newInstance(os, 1 << 16);
      out.writeInt64(MODEL_IR_VERSION, options.opset() <= 17 ? IR_VERSION_OPSET_17 : 9);
      out.writeString(MODEL_PRODUCER_NAME, "alexnet-tfj");
      out.writeString(MODEL_PRODUCER_VERSION, "0.1.0");
      out.writeString(MODEL_DOC, doc);
      out.writeTag(MODEL_GRAPH, 2);
      out.writeUInt64NoTag(graphSize);
      for (byte[] b : head) {
        out.writeRawBytes(b);
      }
      for (byte[] node : nodes) {
        out.writeByteArray(GRAPH_NODE, node);
      }
      for (Initializer init : initializers.values()) {
        out.writeTag(GRAPH_INITIALIZER, 2);
        out.writeUInt64NoTag(init.size());
        init.write(out);
      }
      for (byte[] b : tail) {
        out.writeRawBytes(b);
      }
      out.writeByteArray(MODEL_OPSET, new Bytes().varint(OPSET_VERSION, options.opset()).toByteArray());
      if (options.classNames() != null) {
        out.writeByteArray(MODEL_METADATA, new Bytes().string(ENTRY_KEY, "classes")
            .string(ENTRY_VALUE, String.join("\n", options.classNames())).toByteArray());
      }
      out.flush();
    }
  }

  /** A float32 initializer: its header (dims, type, name), then its values as little-endian raw data, streamed. */
  private static final class Initializer {
    private final float[] values;
    private final byte[] header;

    Initializer(String name, WeightArray array) {
      this.values = array.data();
      Bytes b = new Bytes();
      for (int d : array.shape()) {
        b.varint(TENSOR_DIMS, d);
      }
      this.header = b.varint(TENSOR_DATA_TYPE, FLOAT).string(TENSOR_NAME, name).toByteArray();
    }

    long size() {
      long raw = 4L * values.length;
      return header.length + CodedOutputStream.computeTagSize(TENSOR_RAW_DATA)
          + CodedOutputStream.computeUInt64SizeNoTag(raw) + raw;
    }

    void write(CodedOutputStream out) throws IOException {
      out.writeRawBytes(header);
      out.writeTag(TENSOR_RAW_DATA, 2);
      out.writeUInt64NoTag(4L * values.length);
      ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < values.length; i += chunk.capacity() / 4) {
        chunk.clear();
        int n = Math.min(chunk.capacity() / 4, values.length - i);
        chunk.asFloatBuffer().put(values, i, n);
        out.writeRawBytes(chunk.array(), 0, 4 * n);
      }
    }
  }

  /** A small message being built: fields appended in order. */
  private static final class Bytes {
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private final CodedOutputStream out = CodedOutputStream.newInstance(buf);

    Bytes string(int field, String s) {
      return call(() -> out.writeByteArray(field, s.getBytes(StandardCharsets.UTF_8)));
    }

    Bytes varint(int field, long v) {
      return call(() -> out.writeInt64(field, v));
    }

    Bytes fixed32(int field, float v) {
      return call(() -> out.writeFloat(field, v));
    }

    Bytes message(int field, byte[] m) {
      return call(() -> out.writeByteArray(field, m));
    }

    byte[] toByteArray() {
      call(out::flush);
      return buf.toByteArray();
    }

    private Bytes call(IoAction a) {
      try {
        a.run();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e); // a ByteArrayOutputStream does not fail
      }
      return this;
    }

    private interface IoAction {
      void run() throws IOException;
    }
  }
}
