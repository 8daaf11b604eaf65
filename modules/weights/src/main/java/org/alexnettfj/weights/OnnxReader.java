package org.alexnettfj.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The float32 initializers of an ONNX model, for {@code inspect} and {@code convert}: an AlexNet exported by
 * {@code convert IN OUT.onnx} reads back to the same arrays, bit for bit (conv kernels turned from ONNX's
 * {@code [out, in, h, w]} back to {@code [h, w, in, out]}); any other model's initializers are listed as they are.
 * Field numbers are onnx.proto's; nothing but the wire format is trusted, every length is checked.
 */
final class OnnxReader {

  private static final int MODEL_IR_VERSION = 1;
  private static final int MODEL_PRODUCER = 2;
  private static final int MODEL_GRAPH = 7;
  private static final int MODEL_OPSET = 8;
  private static final int GRAPH_NODE = 1;
  private static final int GRAPH_INITIALIZER = 5;
  private static final int TENSOR_DIMS = 1;
  private static final int TENSOR_DATA_TYPE = 2;
  private static final int TENSOR_FLOAT_DATA = 4;
  private static final int TENSOR_NAME = 8;
  private static final int TENSOR_RAW_DATA = 9;
  private static final int OPSET_DOMAIN = 1;
  private static final int OPSET_VERSION = 2;
  private static final int FLOAT = 1;
  private static final int MAX_RANK = 8;

  private OnnxReader() {
  }

  /** An {@code .onnx} file by name (an ONNX model has no magic bytes of its own). */
  static boolean looksLikeOnnx(String name) {
    return name.toLowerCase(java.util.Locale.ROOT).endsWith(".onnx");
  }

  static WeightFile read(Path path, String name) throws IOException {
    ByteBuffer buf;
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      if (ch.size() > Integer.MAX_VALUE - 8) {
        throw new WeightFileException(name, null, -1, "is " + ch.size() + " bytes; an ONNX model without external "
            + "data cannot pass 2 GiB");
      }
      buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
    }
    ProtoReader model = new ProtoReader(buf, name, 0, buf.limit());
    long ir = -1;
    long opset = -1;
    String producer = "?";
    Map<String, WeightArray> arrays = new LinkedHashMap<>();
    int nodes = 0;
    boolean graphSeen = false;
    while (model.next()) {
      switch (model.field()) {
        case MODEL_IR_VERSION -> ir = model.varint();
        case MODEL_PRODUCER -> producer = SafeText.name(model.string());
        case MODEL_OPSET -> {
          ProtoReader o = model.message();
          String domain = "";
          long version = -1;
          while (o.next()) {
            if (o.field() == OPSET_DOMAIN) {
              domain = o.string();
            } else if (o.field() == OPSET_VERSION) {
              version = o.varint();
            } else {
              o.skip();
            }
          }
          if (domain.isEmpty() || domain.equals("ai.onnx")) {
            opset = version;
          }
        }
        case MODEL_GRAPH -> {
          graphSeen = true;
          ProtoReader g = model.message();
          while (g.next()) {
            if (g.field() == GRAPH_NODE) {
              nodes++;
              g.skip();
            } else if (g.field() == GRAPH_INITIALIZER) {
              if (arrays.size() >= WeightReader.MAX_ARRAYS) {
                throw g.error(g.tagOffset(), "more than " + WeightReader.MAX_ARRAYS + " initializers");
              }
              int at = g.tagOffset();
              Map.Entry<String, WeightArray> t = tensor(g.message(), name, at);
              if (arrays.putIfAbsent(t.getKey(), t.getValue()) != null) {
                throw new WeightFileException(name, t.getKey(), at, "initializer appears twice");
              }
            } else {
              g.skip();
            }
          }
        }
        default -> model.skip();
      }
    }
    if (!graphSeen || ir < 1) {
      throw new WeightFileException(name, null, 0, "not an ONNX model: no ir_version and graph (ModelProto "
          + "fields 1 and 7)");
    }
    return new WeightFile(name, "onnx, ir " + ir + ", opset " + opset + ", producer " + producer + ", " + nodes
        + " nodes, " + arrays.size() + " float initializers (conv kernels read as [h, w, in, out])", arrays);
  }

  private static Map.Entry<String, WeightArray> tensor(ProtoReader t, String file, int at) throws IOException {
    List<Long> dims = new ArrayList<>();
    long type = -1;
    String name = null;
    int dataStart = -1;
    int dataBytes = -1;
    while (t.next()) {
      switch (t.field()) {
        case TENSOR_DIMS -> {
          if (t.wireType() == ProtoReader.LEN) {
            ProtoReader packed = t.message();
            while (packed.position() < packed.end()) {
              dims.add(packed.varint());
            }
          } else {
            dims.add(t.varint());
          }
          if (dims.size() > MAX_RANK) {
            throw t.error(at, "initializer of rank over " + MAX_RANK);
          }
        }
        case TENSOR_DATA_TYPE -> type = t.varint();
        case TENSOR_NAME -> name = SafeText.name(t.string());
        case TENSOR_RAW_DATA, TENSOR_FLOAT_DATA -> {
          if (t.wireType() != ProtoReader.LEN) {
            throw t.error(t.tagOffset(), "initializer data must be packed bytes");
          }
          dataStart = t.lengthDelimited();
          dataBytes = t.position() - dataStart;
        }
        default -> t.skip();
      }
    }
    if (name == null) {
      throw new WeightFileException(file, null, at, "initializer without a name");
    }
    if (type != FLOAT) {
      throw new WeightFileException(file, name, at, "initializer of ONNX data type " + type + ": weights here "
          + "must be float32 (type 1)");
    }
    int[] shape = new int[dims.size()];
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      long d = dims.get(i);
      if (d < 0 || d > Integer.MAX_VALUE) {
        throw new WeightFileException(file, name, at, "dimension " + d + " is not a size");
      }
      shape[i] = (int) d;
      count *= d;
      if (count > Integer.MAX_VALUE) {
        throw new WeightFileException(file, name, at, "initializer is too large");
      }
    }
    if (dataStart < 0 || dataBytes != 4 * count) {
      throw new WeightFileException(file, name, at, "initializer of shape " + WeightArray.shapeString(shape)
          + " needs " + 4 * count + " bytes of data, found " + Math.max(dataBytes, 0));
    }
    float[] values = new float[(int) count];
    t.floats(dataStart, values, (int) count);
    WeightArray array = WeightArray.of(shape, values);
    // ONNX Conv's [out, in, h, w] back to TensorFlow's [h, w, in, out]
    return Map.entry(name, shape.length == 4 && name.endsWith("/weights") ? array.transpose(2, 3, 1, 0) : array);
  }
}
