package org.alexnettfj.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a Caffe {@code .caffemodel} (a binary protobuf {@code NetParameter}, such as BVLC's
 * {@code bvlc_alexnet.caffemodel}) and converts its parameters to TensorFlow layout, as caffe-tensorflow did when
 * it made {@code bvlc_alexnet.npy}:
 *
 * <ul>
 *   <li>convolution weights {@code [out, in, h, w]} (OIHW) become HWIO {@code [h, w, in, out]}
 *       ({@code transpose(2, 3, 1, 0)});
 *   <li>the inner-product layer that reads a feature map (AlexNet's fc6 reads pool5, 256 x 6 x 6) has its input
 *       rows reordered from Caffe's (c, h, w) flattening to TensorFlow's (h, w, c):
 *       {@code W_tf[(h*W + w)*C + c][o] = W_caffe[o][c*H*W + h*W + w]};
 *   <li>other inner-product weights {@code [out, in]} are transposed to {@code [in, out]} (and marked
 *       {@link WeightArray#storedFortranOrder()}: that is how the file holds the {@code [in, out]} matrix, and how
 *       caffe-tensorflow's transposed views were saved in {@code bvlc_alexnet.npy});
 *   <li>biases are kept as they are.
 * </ul>
 *
 * <p>Arrays are named {@code <layer>/weights} and {@code <layer>/biases}, so {@link AlexNetWeights} can check the
 * result. Channel order is left alone: Caffe's AlexNet takes BGR input, like the classic {@code .npy}.
 *
 * <p><b>Which fc reads a feature map</b> is decided from the blobs alone, since a {@code .caffemodel} carries no
 * output shapes: an InnerProduct layer whose previous layer with parameters (in file order) is a Convolution with C
 * outputs reads a C x H x W map when its input count N is a multiple of C; H = W = sqrt(N / C) must then be a
 * whole number (AlexNet fc6: 9216 / 256 = 36, so 6 x 6). Maps that are not square, or nets where blob-less layers
 * (Concat, SPP, ...) change the channel count, need the input shape given with
 * {@link Options#withFcInput(String, int, int, int)}. An fc with no convolution before it is taken to read a flat
 * vector. (caffe-tensorflow took the shape from the prototxt; this reader needs no prototxt.)
 *
 * <p><b>Formats</b>: the 2014 V1 form ({@code NetParameter.layers}, field 2; {@code V1LayerParameter} name 4,
 * enum type 5, blobs 6) in which BVLC's AlexNet was saved, and the 2015+ V2 form ({@code layer}, field 100;
 * name 1, string type 2, blobs 7). Blobs with legacy num/channels/height/width (fields 1-4) or a
 * {@code BlobShape} (field 7, dims packed or not); values from {@code data} (field 5, packed or not) or
 * {@code double_data} (field 8, narrowed to float32), as Caffe's {@code Blob::FromProto} chooses. Gradients
 * ({@code diff}) are ignored. The 2013 V0 form is refused with a hint to upgrade it with Caffe's tools.
 *
 * <p>Graph settings are not weights and are not read here; note for the graph that Caffe's LRN {@code alpha} is
 * divided by {@code local_size} in TensorFlow's {@code local_response_normalization} (AlexNet: 1e-4 / 5 = 2e-5,
 * depth_radius = (5 - 1) / 2 = 2).
 *
 * <pre>{@code
 * WeightFile w = CaffeReader.read(Path.of("weights/bvlc_alexnet.caffemodel"));
 * AlexNetWeights checked = AlexNetWeights.from(w, Set.of(), 1000);
 * NpzWriter.write(Path.of("weights/bvlc_alexnet.npz"), w.arrays());
 * }</pre>
 */
public final class CaffeReader {

  /**
   * The input of an inner-product layer that reads a feature map: channels x height x width.
   *
   * @param channels the map's channels (AlexNet's pool5: 256)
   * @param height the map's height (6)
   * @param width the map's width (6)
   */
  public record FcInput(int channels, int height, int width) {

    private static final Pattern SHAPE = Pattern.compile("(\\d+)[x,](\\d+)[x,](\\d+)");

    /**
     * Checks the sizes.
     *
     * @param channels the map's channels
     * @param height the map's height
     * @param width the map's width
     * @throws IllegalArgumentException if any of them is below 1
     */
    public FcInput {
      if (channels < 1 || height < 1 || width < 1) {
        throw new IllegalArgumentException("fc input must be positive, got " + channels + "x" + height + "x" + width);
      }
    }

    /**
     * Parses {@code CxHxW}, e.g. {@code 256x6x6} (commas work as well), as a command line gives it.
     *
     * @param s the text
     * @return the shape it names
     * @throws IllegalArgumentException if it is not three positive integers
     */
    public static FcInput parse(String s) {
      Matcher m = SHAPE.matcher(s.strip());
      if (!m.matches()) {
        throw new IllegalArgumentException("fc input '" + s + "' is not CxHxW (channels x height x width), "
            + "e.g. 256x6x6");
      }
      return new FcInput(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
    }

    long size() {
      return (long) channels * height * width;
    }

    @Override
    public String toString() {
      return channels + "x" + height + "x" + width;
    }
  }

  /**
   * How to read: explicit fc input shapes (when the blobs cannot tell) and a progress listener.
   *
   * <pre>{@code
   * CaffeReader.Options.defaults().withFcInput("fc6", 256, 6, 6).withProgress(bar)
   * }</pre>
   *
   * @param fcInputs the feature map each named InnerProduct layer reads, where given
   * @param progress told how far the read has got
   */
  public record Options(Map<String, FcInput> fcInputs, ProgressListener progress) {

    /**
     * Copies {@code fcInputs}.
     *
     * @param fcInputs the feature map each named InnerProduct layer reads
     * @param progress told how far the read has got; not null (use {@link ProgressListener#NONE})
     */
    public Options {
      fcInputs = Map.copyOf(fcInputs);
      Objects.requireNonNull(progress, "progress");
    }

    /**
     * Shapes found from the blobs alone, no progress reported.
     *
     * @return options with no fc input given
     */
    public static Options defaults() {
      return new Options(Map.of(), ProgressListener.NONE);
    }

    /**
     * Gives the feature map that {@code layer} reads, for when the blobs cannot tell.
     *
     * @param layer an InnerProduct layer's name, e.g. {@code fc6}
     * @param channels the map's channels
     * @param height the map's height
     * @param width the map's width
     * @return these options with that shape added
     */
    public Options withFcInput(String layer, int channels, int height, int width) {
      return withFcInput(layer, new FcInput(channels, height, width));
    }

    /**
     * As {@link #withFcInput(String, int, int, int)}, with the shape as one value.
     *
     * @param layer an InnerProduct layer's name, e.g. {@code fc6}
     * @param input the feature map it reads
     * @return these options with that shape added (replacing one given before for the layer)
     */
    public Options withFcInput(String layer, FcInput input) {
      Map<String, FcInput> m = new HashMap<>(fcInputs);
      m.put(layer, input);
      return new Options(m, progress);
    }

    /**
     * Reports how far the read has got.
     *
     * @param listener told the bytes read so far
     * @return these options with that listener
     */
    public Options withProgress(ProgressListener listener) {
      return new Options(fcInputs, listener);
    }
  }

  private static final String CONVOLUTION = "Convolution";
  private static final String INNER_PRODUCT = "InnerProduct";
  private static final int CHUNK = 8192;
  /** Bounds on what a file can make the reader hold: Caffe's AlexNet has 24 layers, of at most 2 blobs. */
  static final int MAX_LAYERS = 4096;
  static final int MAX_BLOBS = 64;

  /** V1LayerParameter.LayerType numbers to the V2 type strings, as Caffe's UpgradeV1LayerType maps them. */
  private static final Map<Integer, String> V1_TYPES = Map.ofEntries(
      Map.entry(0, "NONE"), Map.entry(35, "AbsVal"), Map.entry(1, "Accuracy"), Map.entry(30, "ArgMax"),
      Map.entry(2, "BNLL"), Map.entry(3, "Concat"), Map.entry(37, "ContrastiveLoss"), Map.entry(4, CONVOLUTION),
      Map.entry(39, "Deconvolution"), Map.entry(5, "Data"), Map.entry(6, "Dropout"), Map.entry(32, "DummyData"),
      Map.entry(7, "EuclideanLoss"), Map.entry(25, "Eltwise"), Map.entry(38, "Exp"), Map.entry(8, "Flatten"),
      Map.entry(9, "HDF5Data"), Map.entry(10, "HDF5Output"), Map.entry(28, "HingeLoss"), Map.entry(11, "Im2col"),
      Map.entry(12, "ImageData"), Map.entry(13, "InfogainLoss"), Map.entry(14, INNER_PRODUCT), Map.entry(15, "LRN"),
      Map.entry(29, "MemoryData"), Map.entry(16, "MultinomialLogisticLoss"), Map.entry(34, "MVN"),
      Map.entry(17, "Pooling"), Map.entry(26, "Power"), Map.entry(18, "ReLU"), Map.entry(19, "Sigmoid"),
      Map.entry(27, "SigmoidCrossEntropyLoss"), Map.entry(36, "Silence"), Map.entry(20, "Softmax"),
      Map.entry(21, "SoftmaxWithLoss"), Map.entry(22, "Split"), Map.entry(33, "Slice"), Map.entry(23, "TanH"),
      Map.entry(24, "WindowData"), Map.entry(31, "Threshold"));

  /** One layer entry of the net; blobs located but not yet read. */
  private record Layer(String name, String type, int offset, List<BlobRef> blobs) { }

  /** A BlobProto's place in the file: the tag of its field and its payload [start, end). */
  private record BlobRef(int offset, int start, int end) { }

  /** What the first pass over a blob learned: its shape as Caffe sees it and how many values it holds. */
  private record BlobInfo(BlobRef ref, long[] shape, int count, boolean doubles) { }

  private final ByteBuffer buf;
  private final String file;
  private final Options options;

  private CaffeReader(ByteBuffer buf, String file, Options options) {
    this.buf = buf;
    this.file = file;
    this.options = options;
  }

  /**
   * Reads and converts a {@code .caffemodel}, the fc input shapes found from the blobs.
   *
   * @param path an uncompressed {@code .caffemodel}
   * @return its parameters in TensorFlow layout, named {@code <layer>/weights} and {@code <layer>/biases}
   * @throws IOException if the file cannot be read; a {@link WeightFileException} naming the layer and byte if it
   *     is not a Caffe model this reader understands
   */
  public static WeightFile read(Path path) throws IOException {
    return read(path, Options.defaults());
  }

  /**
   * As {@link #read(Path)}, with fc input shapes and a progress listener.
   *
   * @param path an uncompressed {@code .caffemodel}
   * @param options fc input shapes the blobs cannot tell, and where to report progress
   * @return its parameters in TensorFlow layout, named {@code <layer>/weights} and {@code <layer>/biases}
   * @throws IOException if the file cannot be read; a {@link WeightFileException} naming the layer and byte if it
   *     is not a Caffe model this reader understands
   */
  public static WeightFile read(Path path, Options options) throws IOException {
    return read(path, path.toString(), options);
  }

  /** {@code name} is what errors call the file (the user's name for it when it was decompressed first). */
  static WeightFile read(Path path, String name, Options options) throws IOException {
    String missing = MissingFile.problem(path);
    if (missing != null) {
      throw new WeightFileException(name, null, -1, missing);
    }
    ByteBuffer mapped;
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size == 0) {
        throw new WeightFileException(name, null, 0, "empty file");
      }
      if (size > Integer.MAX_VALUE - 8) {
        throw new WeightFileException(name, null, -1, "is " + size
            + " bytes; a Caffe model is a single protobuf message, which cannot exceed 2 GiB");
      }
      mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
    }
    return read(mapped, name, options);
  }

  /** Reads a whole NetParameter held in {@code bytes} (position 0 to limit). */
  static WeightFile read(ByteBuffer bytes, String name, Options options) throws WeightFileException {
    return new CaffeReader(bytes, name, options).read();
  }

  /**
   * True for a file named {@code *.caffemodel} (also {@code .caffemodel.gz} and the like), or whose first bytes
   * are a Caffe NetParameter's: the net's name (field 1) followed by its layers or inputs. Nets without a name
   * need the extension, or {@link #read} directly.
   *
   * @param path the file to look at; only its first 256 bytes are read
   * @return true when it should be read as a Caffe model
   * @throws IOException if the file cannot be opened
   */
  public static boolean looksLikeCaffeModel(Path path) throws IOException {
    byte[] head;
    try (InputStream in = Files.newInputStream(path)) {
      head = in.readNBytes(256);
    }
    return looksLikeCaffeModel(path.getFileName().toString(), head);
  }

  static boolean looksLikeCaffeModel(String name, byte[] head) {
    String n = name.toLowerCase(Locale.ROOT).replaceFirst("\\.(gz|bz2|xz)$", "");
    if (n.endsWith(".caffemodel")) {
      return true;
    }
    if (head.length < 3 || head[0] != 0x0a || (head[1] & 0x80) != 0) {
      return false;
    }
    int len = head[1];
    int next = 2 + len;
    if (len == 0 || next >= head.length) {
      return false;
    }
    for (int i = 2; i < next; i++) {
      if (head[i] < 0x20 || head[i] == 0x7f) {
        return false;
      }
    }
    int tag = head[next] & 0xff;
    // layers (2), input (3), input_dim (4), state (6), input_shape (8), or layer (100) = 0xa2 0x06
    return tag == 0x12 || tag == 0x1a || tag == 0x20 || tag == 0x32 || tag == 0x42
        || (tag == 0xa2 && next + 1 < head.length && head[next + 1] == 0x06);
  }

  // ---- reading ----

  private WeightFile read() throws WeightFileException {
    refuseText();
    ProtoReader net = new ProtoReader(buf, file, 0, buf.limit());
    String netName = null;
    List<Layer> layers = new ArrayList<>();
    int version = 0;
    while (net.next()) {
      int field = net.field();
      if (field == 1 && net.wireType() == ProtoReader.LEN) {
        netName = SafeText.name(net.string());
      } else if (field == 2 || field == 100) {
        if (layers.size() >= MAX_LAYERS) {
          throw net.error(net.tagOffset(), "the net has more than " + MAX_LAYERS + " layers (AlexNet has 24; "
              + "refusing: corrupt, or built to exhaust memory)");
        }
        int v = field == 2 ? 1 : 2;
        if (version != 0 && version != v) {
          throw net.error(net.tagOffset(), "the net has both 'layers' (V1, field 2) and 'layer' (V2, field 100) "
              + "entries; Caffe refuses such a file too");
        }
        version = v;
        layers.add(readLayer(net, v));
      } else {
        net.skip();
      }
    }
    Map<String, WeightArray> arrays = new LinkedHashMap<>();
    List<String> reordered = convert(layers, arrays);
    String layout = version == 1 ? "V1 layers (field 2)" : "V2 layer (field 100)";
    return new WeightFile(file, "caffemodel, " + layout + (netName == null ? "" : ", net '" + netName + "'")
        + ", converted to TensorFlow layout (conv HWIO, fc [in, out]"
        + (reordered.isEmpty() ? "" : "; " + String.join(", ", reordered)) + ")", arrays);
  }

  /** A prototxt (text) given by mistake fails with a message that says so, not a wire-format error. */
  private void refuseText() throws WeightFileException {
    int n = Math.min(buf.limit(), 64);
    for (int i = 0; i < n; i++) {
      int b = buf.get(i) & 0xff;
      if (b >= 0x7f || (b < 0x20 && b != '\n' && b != '\r' && b != '\t')) {
        return;
      }
    }
    throw new WeightFileException(file, null, 0, "is text (a .prototxt net definition?), not a binary "
        + ".caffemodel with trained weights");
  }

  private Layer readLayer(ProtoReader net, int version) throws WeightFileException {
    int offset = net.tagOffset();
    ProtoReader m;
    try {
      m = net.message();
    } catch (WeightFileException e) {
      String name = peekName(net.rest(), version == 1 ? 4 : 1);
      throw new WeightFileException(file, name, e.offset(), e.problems().get(0));
    }
    String name = null;
    String type = null;
    List<BlobRef> blobs = new ArrayList<>();
    int nameField = version == 1 ? 4 : 1;
    int typeField = version == 1 ? 5 : 2;
    int blobsField = version == 1 ? 6 : 7;
    while (m.next()) {
      int f = m.field();
      if (f == nameField) {
        name = SafeText.name(m.string());
        m.layer(name);
      } else if (f == typeField) {
        if (version == 1) {
          int t = m.int32();
          type = V1_TYPES.getOrDefault(t, "V1 type " + t);
        } else {
          type = m.string();
        }
      } else if (f == blobsField) {
        if (blobs.size() >= MAX_BLOBS) {
          throw m.error(m.tagOffset(), "the layer has more than " + MAX_BLOBS + " blobs (AlexNet's have 2)");
        }
        int tag = m.tagOffset();
        int start = m.lengthDelimited();
        blobs.add(new BlobRef(tag, start, m.position()));
      } else if (version == 1 && f == 1) {
        ProtoReader v0 = m.message();
        throw new WeightFileException(file, name != null ? name : peekName(v0, 1), offset, "a V0 layer (Caffe's "
            + "2013 format); upgrade the file with Caffe's upgrade_net_proto_binary, then convert it");
      } else {
        m.skip();
      }
    }
    return new Layer(name, type, offset, blobs);
  }

  /** Best effort: the layer's name from what is left of a damaged entry, for the error message. */
  private static String peekName(ProtoReader r, int nameField) {
    try {
      while (r.next()) {
        if (r.field() == nameField && r.wireType() == ProtoReader.LEN) {
          return SafeText.name(r.string());
        }
        r.skip();
      }
    } catch (WeightFileException e) {
      // the damage is reported by the caller
    }
    return null;
  }

  // ---- conversion ----

  /** Fills {@code arrays}; returns a note per fc whose input was reordered. */
  private List<String> convert(List<Layer> layers, Map<String, WeightArray> arrays) throws WeightFileException {
    Map<String, Layer> seen = new HashMap<>();
    for (String fc : options.fcInputs().keySet()) {
      if (layers.stream().noneMatch(l -> fc.equals(l.name()) && INNER_PRODUCT.equals(l.type()))) {
        throw new WeightFileException(file, fc, -1, "an fc input shape was given for '" + fc
            + "', but the file has no InnerProduct layer of that name");
      }
    }
    List<String> notes = new ArrayList<>();
    int previousConvOutputs = 0;
    int withBlobs = 0;
    for (Layer layer : layers) {
      if (layer.blobs().isEmpty()) {
        continue;
      }
      withBlobs++;
      String name = layer.name();
      if (name == null || name.isEmpty()) {
        throw new WeightFileException(file, null, layer.offset(), "a layer with parameters has no name");
      }
      if (seen.putIfAbsent(name, layer) != null) {
        throw new WeightFileException(file, name, layer.offset(), "a layer with parameters of this name appears "
            + "twice");
      }
      boolean conv = CONVOLUTION.equals(layer.type());
      if (!conv && !INNER_PRODUCT.equals(layer.type())) {
        throw new WeightFileException(file, name, layer.offset(), "is a " + layer.type() + " layer with "
            + layer.blobs().size() + " parameter blobs; only Convolution and InnerProduct layers can be converted");
      }
      if (layer.blobs().size() > 2) {
        throw new WeightFileException(file, name, layer.offset(), "has " + layer.blobs().size()
            + " parameter blobs; a " + layer.type() + " layer has weights and at most a bias");
      }
      BlobInfo weights = inspect(layer.blobs().get(0), name);
      BlobInfo biases = layer.blobs().size() > 1 ? inspect(layer.blobs().get(1), name) : null;
      int[] w = logical(weights, conv ? 4 : 2, name, "weights");
      int out = w[0];
      if (conv) {
        arrays.put(name + "/weights", fill(weights, w, new int[] {2, 3, 1, 0}, null, false));
        previousConvOutputs = out;
      } else {
        FcInput input = fcInput(layer, w[1], previousConvOutputs);
        if (input != null) {
          int[] view = {out, input.channels(), input.height(), input.width()};
          arrays.put(name + "/weights", fill(weights, view, new int[] {2, 3, 1, 0}, new int[] {w[1], out}, false));
          notes.add(name + " input " + input + " reordered to (h, w, c)");
        } else {
          // Caffe's [out, in] in C order is the [in, out] matrix in Fortran order: say so, and the classic .npy
          // writer stores it that way, as caffe-tensorflow's transposed views were in bvlc_alexnet.npy (fc7, fc8)
          arrays.put(name + "/weights", fill(weights, w, new int[] {1, 0}, null, true));
        }
        previousConvOutputs = 0;
      }
      if (biases != null) {
        int[] b = logical(biases, 1, name, "biases");
        if (b[0] != out) {
          throw new WeightFileException(file, name, biases.ref().offset(), "has " + b[0] + " biases but "
              + out + " outputs");
        }
        arrays.put(name + "/biases", fill(biases, b, new int[] {0}, null, false));
      }
    }
    if (withBlobs == 0) {
      throw new WeightFileException(file, null, -1, "no layer has parameters: a net definition without trained "
          + "weights?");
    }
    return notes;
  }

  /**
   * The C x H x W map an fc reads, or null when it reads a flat vector. {@code channels}: outputs of the previous
   * layer with parameters if it is a convolution, else 0.
   */
  private FcInput fcInput(Layer layer, int inputs, int channels) throws WeightFileException {
    FcInput given = options.fcInputs().get(layer.name());
    if (given != null) {
      if (given.size() != inputs) {
        throw new WeightFileException(file, layer.name(), layer.offset(), "the fc input given, " + given + " = "
            + given.size() + ", does not match the layer's " + inputs + " inputs");
      }
      return given;
    }
    if (channels == 0) {
      return null;
    }
    String hint = "; give its input shape (CaffeReader.Options.withFcInput, or --fc-input " + layer.name()
        + "=CxHxW)";
    if (inputs % channels != 0) {
      throw new WeightFileException(file, layer.name(), layer.offset(), "reads " + inputs + " inputs after a "
          + "convolution with " + channels + " outputs, which do not divide them: cannot tell the map's shape"
          + hint);
    }
    int positions = inputs / channels;
    int side = (int) Math.round(Math.sqrt(positions));
    if ((long) side * side != positions) {
      throw new WeightFileException(file, layer.name(), layer.offset(), "reads a map of " + channels
          + " channels x " + positions + " positions, and " + positions + " is not a square, so height and "
          + "width cannot be told from the blobs" + hint);
    }
    return new FcInput(channels, side, side);
  }

  /**
   * The shape of a parameter without Caffe's legacy padding: V1 blobs are always 4-D, so fc weights arrive as
   * (1, 1, out, in) and biases as (1, 1, 1, n). Leading 1s are dropped down to {@code rank}.
   */
  private int[] logical(BlobInfo blob, int rank, String layer, String role) throws WeightFileException {
    long[] s = blob.shape();
    boolean ok = s.length >= rank;
    for (int i = 0; ok && i < s.length - rank; i++) {
      ok = s[i] == 1;
    }
    if (!ok) {
      throw new WeightFileException(file, layer, blob.ref().offset(), role + " blob has shape " + shape(s)
          + ", expected " + rank + " dimensions" + (rank == 4 ? " (out, in, height, width)"
          : rank == 2 ? " (out, in)" : ""));
    }
    int[] out = new int[rank];
    for (int i = 0; i < rank; i++) {
      out[i] = (int) s[s.length - rank + i];
    }
    return out;
  }

  /** First pass over a blob: its shape and value count, every length checked, nothing allocated. */
  private BlobInfo inspect(BlobRef ref, String layer) throws WeightFileException {
    ProtoReader r = new ProtoReader(buf, file, ref.start(), ref.end()).layer(layer);
    long[] legacy = new long[4];
    boolean hasLegacy = false;
    long[] dims = null;
    long floats = 0;
    long doubles = 0;
    while (r.next()) {
      int f = r.field();
      switch (f) {
        case 1, 2, 3, 4 -> {
          legacy[f - 1] = r.int32();
          hasLegacy = true;
        }
        case 5 -> floats += valueCount(r, ProtoReader.I32, 4);
        case 8 -> doubles += valueCount(r, ProtoReader.I64, 8);
        case 7 -> dims = blobShape(r.message());
        default -> r.skip();
      }
    }
    // as Caffe's Blob::FromProto: legacy 4-D dimensions win if any is present; double_data if non-empty
    long[] shape = hasLegacy ? legacy : dims != null ? dims : new long[0];
    boolean useDoubles = doubles > 0;
    long held = useDoubles ? doubles : floats;
    long needed = 1;
    for (long d : shape) {
      if (d < 0 || d > Integer.MAX_VALUE) {
        throw new WeightFileException(file, layer, ref.offset(), "blob has shape " + shape(shape)
            + ": dimensions must be between 0 and 2^31 - 1");
      }
      needed *= d;
      if (needed > Integer.MAX_VALUE) {
        throw new WeightFileException(file, layer, ref.offset(), "blob shape " + shape(shape) + " is too large");
      }
    }
    if (needed != held) {
      throw new WeightFileException(file, layer, ref.offset(), "blob shape " + shape(shape) + " needs " + needed
          + " values but the blob holds " + held + (useDoubles ? " (double_data)" : ""));
    }
    return new BlobInfo(ref, shape, (int) held, useDoubles);
  }

  /** Values in one occurrence of a repeated float/double field: packed (a run) or one fixed-width value. */
  private static long valueCount(ProtoReader r, int fixedWire, int size) throws WeightFileException {
    if (r.wireType() == fixedWire) {
      r.skip();
      return 1;
    }
    int start = r.lengthDelimited();
    int bytes = r.position() - start;
    if (bytes % size != 0) {
      throw r.error(r.tagOffset(), "packed field " + r.field() + " holds " + bytes + " bytes, not a whole number "
          + "of " + size + "-byte values");
    }
    return bytes / size;
  }

  private static long[] blobShape(ProtoReader r) throws WeightFileException {
    List<Long> dims = new ArrayList<>();
    while (r.next()) {
      if (r.field() != 1) {
        r.skip();
      } else if (r.wireType() == ProtoReader.LEN) {
        ProtoReader packed = r.message();
        while (packed.position() < packed.end()) {
          dims.add(packed.varint());
        }
      } else if (r.wireType() == ProtoReader.VARINT) {
        dims.add(r.varint());
      } else {
        throw r.error(r.tagOffset(), "BlobShape.dim has wire type " + r.wireType() + ", expected a varint");
      }
    }
    return dims.stream().mapToLong(Long::longValue).toArray();
  }

  /**
   * Second pass: streams the blob's values, in Caffe's C order over {@code view}, into their places in the
   * array transposed by {@code axes} (numpy's {@code transpose(axes)}), without an intermediate copy. The result
   * has the transposed shape, or {@code reshape} if given; {@code fortran} is how the file's order relates to it.
   */
  private WeightArray fill(BlobInfo blob, int[] view, int[] axes, int[] reshape, boolean fortran)
      throws WeightFileException {
    float[] out = new float[blob.count()];
    Scatter scatter = new Scatter(out, view, axes);
    ProtoReader r = new ProtoReader(buf, file, blob.ref().start(), blob.ref().end());
    int wanted = blob.doubles() ? 8 : 5;
    float[] chunk = new float[CHUNK];
    double[] dchunk = blob.doubles() ? new double[CHUNK] : null;
    while (r.next()) {
      if (r.field() != wanted) {
        r.skip();
      } else if (r.wireType() == ProtoReader.LEN) {
        int start = r.lengthDelimited();
        int size = blob.doubles() ? 8 : 4;
        int n = (r.position() - start) / size;
        for (int done = 0; done < n; ) {
          int k = Math.min(CHUNK, n - done);
          if (blob.doubles()) {
            r.doubles(start + done * size, dchunk, k);
            for (int i = 0; i < k; i++) {
              chunk[i] = (float) dchunk[i];
            }
          } else {
            r.floats(start + done * size, chunk, k);
          }
          scatter.accept(chunk, k);
          done += k;
        }
      } else {
        chunk[0] = blob.doubles() ? (float) r.fixed64Double() : r.fixed32Float();
        scatter.accept(chunk, 1);
      }
    }
    options.progress().progress(blob.ref().end(), buf.limit());
    return new WeightArray(reshape != null ? reshape : Transpose.permutedShape(view, axes), out,
        blob.doubles() ? "<f8" : "<f4", fortran);
  }

  private static String shape(long[] s) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < s.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(s[i]);
    }
    return sb.append(s.length == 1 ? ",)" : ")").toString();
  }

  /**
   * Puts values arriving in the source's C order at their places in the transposed array: one sequential read,
   * strided writes, an odometer over the source index.
   */
  private static final class Scatter {
    private final float[] out;
    private final int[] shape;
    private final int[] step;
    private final int[] idx;
    private int dst;
    private int written;

    Scatter(float[] out, int[] srcShape, int[] axes) {
      this.out = out;
      this.shape = srcShape.clone();
      int rank = srcShape.length;
      int[] outShape = Transpose.permutedShape(srcShape, axes);
      int[] outStride = new int[rank];
      for (int i = rank - 1, s = 1; i >= 0; i--) {
        outStride[i] = s;
        s *= outShape[i];
      }
      step = new int[rank];
      for (int k = 0; k < rank; k++) {
        step[axes[k]] = outStride[k];
      }
      idx = new int[rank];
    }

    void accept(float[] values, int n) {
      if (written + n > out.length) {
        throw new IllegalStateException("more values than the blob's shape; inspect() should have refused it");
      }
      int last = shape.length - 1;
      for (int i = 0; i < n; i++) {
        out[dst] = values[i];
        for (int k = last; k >= 0; k--) {
          dst += step[k];
          if (++idx[k] < shape[k]) {
            break;
          }
          dst -= step[k] * shape[k];
          idx[k] = 0;
        }
      }
      written += n;
    }

    @Override
    public String toString() {
      return "Scatter" + Arrays.toString(shape);
    }
  }
}
