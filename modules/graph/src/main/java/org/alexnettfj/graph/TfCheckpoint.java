package org.alexnettfj.graph;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.alexnettfj.weights.AlexNetSpec;
import org.alexnettfj.weights.WeightArray;
import org.alexnettfj.weights.WeightFile;
import org.alexnettfj.weights.WeightFileException;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.internal.c_api.TF_CheckpointReader;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.internal.c_api.global.tensorflow;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.proto.DataType;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * Weight arrays to and from a TensorFlow checkpoint in TF's own (V2) format, so that TensorFlow's tools
 * ({@code tf.train.load_checkpoint}, {@code tf.compat.v1.train.Saver}) read what we write and we read what they, or
 * a fine-tuning run, wrote.
 *
 * <p>A checkpoint is a prefix, not a file: {@code model.ckpt} is the two files {@code model.ckpt.index} and
 * {@code model.ckpt.data-00000-of-00001}. Each array is a float32 tensor keyed by its name, {@code conv1/weights}
 * … {@code fc8/biases}, exactly the variable names of {@link AlexNetGraph}, so {@code Session.restore} of an
 * AlexNet graph takes it as is.
 *
 * <pre>{@code
 * TfCheckpoint.write(Path.of("out/alexnet.ckpt"), WeightReader.read(npy).arrays(), false);
 * WeightFile back = TfCheckpoint.read(Path.of("out/alexnet.ckpt"));
 * }</pre>
 *
 * <p>Both directions go through TF Java's {@link Session#save}/{@link Session#restore} on a graph holding one
 * variable per array (1.1.0's saver writes {@code SaveV2}, i.e. the V2 format). What a checkpoint holds — names,
 * dtypes, shapes — is listed with the C API's checkpoint reader, which TF Java 1.1.0 only exposes in
 * {@code org.tensorflow.internal.c_api}: that is the one internal call here, used for listing, not for values.
 */
public final class TfCheckpoint {

  /** The index file is {@code PREFIX + INDEX}. */
  public static final String INDEX = ".index";
  /** The (single-shard) data file is {@code PREFIX + DATA}. */
  public static final String DATA = ".data-00000-of-00001";

  private TfCheckpoint() {
  }

  /**
   * The prefix a user means: {@code x.ckpt.index} and {@code x.ckpt.data-00000-of-00001} both mean {@code x.ckpt}.
   *
   * @param path a checkpoint's prefix or one of its files; need not exist
   * @return the prefix, or {@code path} itself when it names neither an index nor a data file
   */
  public static Path prefixOf(Path path) {
    String name = path.getFileName() == null ? "" : path.getFileName().toString();
    String stem = name.replaceFirst("(\\.index|\\.data-\\d{5}-of-\\d{5})$", "");
    return stem.equals(name) || stem.isEmpty() ? path : path.resolveSibling(stem);
  }

  /**
   * Whether a path names a checkpoint that is there: its prefix's {@code .index} exists.
   *
   * @param path a checkpoint's prefix or one of its files
   * @return true when {@code PREFIX.index} is a regular file
   */
  public static boolean exists(Path path) {
    return Files.isRegularFile(indexOf(prefixOf(path)));
  }

  /**
   * The files of a checkpoint that exist now (index and any data shards), e.g.&nbsp;to delete or copy it.
   *
   * @param prefix the checkpoint's prefix, e.g. {@code out/alexnet.ckpt}
   * @return the files, sorted by name, absolute; empty when there are none or the folder does not exist
   * @throws IOException if the folder cannot be listed
   */
  public static List<Path> files(Path prefix) throws IOException {
    Path abs = prefix.toAbsolutePath();
    String name = abs.getFileName().toString();
    List<Path> found = new ArrayList<>();
    if (Files.isDirectory(abs.getParent())) {
      try (var list = Files.list(abs.getParent())) {
        list.filter(p -> {
          String n = p.getFileName().toString();
          return n.equals(name + INDEX) || n.matches(java.util.regex.Pattern.quote(name) + "\\.data-\\d{5}-of-\\d{5}");
        }).sorted().forEach(found::add);
      }
    }
    return found;
  }

  static Path indexOf(Path prefix) {
    return prefix.resolveSibling(prefix.getFileName() + INDEX);
  }

  /**
   * Writes {@code arrays} as checkpoint {@code prefix}. The files are written in a temporary folder beside the
   * target and moved into place data first, index last: an interrupted write leaves no {@code .index}, so no
   * checkpoint that a reader would take.
   *
   * @param prefix the checkpoint to write, e.g. {@code out/alexnet.ckpt}
   * @param arrays float32 tensors by name, e.g. {@code conv1/weights}; at least one, each name a valid TensorFlow
   *     variable name
   * @param overwrite whether an existing checkpoint there is replaced (it is kept if the write fails)
   * @throws java.nio.file.FileAlreadyExistsException if a file of the checkpoint exists and not {@code overwrite}
   * @throws IOException if the files cannot be written or moved into place
   * @throws IllegalArgumentException if {@code arrays} is empty or a name cannot be a variable name
   */
  public static void write(Path prefix, Map<String, WeightArray> arrays, boolean overwrite) throws IOException {
    if (arrays.isEmpty()) {
      throw new IllegalArgumentException("nothing to write: no arrays");
    }
    writeAtomically(prefix, overwrite, tempPrefix -> {
      try (Graph g = new Graph()) {
        Ops tf = Ops.create(g);
        Map<String, Placeholder<TFloat32>> values = new LinkedHashMap<>();
        Map<String, org.tensorflow.op.Op> assigns = new LinkedHashMap<>();
        arrays.forEach((name, a) -> {
          Output<TFloat32> v = variable(g, tf, name, toShape(a.shape()));
          Placeholder<TFloat32> value = tf.placeholder(TFloat32.class, Placeholder.shape(toShape(a.shape())));
          values.put(name, value);
          assigns.put(name, tf.assign(v, value));
        });
        try (Session s = new Session(g)) {
          // One array per run, so at most one array is held twice in native memory.
          for (Map.Entry<String, WeightArray> e : arrays.entrySet()) {
            WeightArray a = e.getValue();
            try (TFloat32 t = TFloat32.tensorOf(toShape(a.shape()), DataBuffers.of(a.data(), true, false))) {
              s.runner().feed(values.get(e.getKey()), t).addTarget(assigns.get(e.getKey())).run().close();
            }
          }
          s.save(tempPrefix.toString());
        }
      }
    });
  }

  /**
   * Saves every variable of {@code session}'s graph as checkpoint {@code prefix} with TensorFlow's own saver
   * ({@link Session#save}), as atomically as {@link #write}: into a temporary folder, synced to disk, then moved
   * into place data first, index last. For a training session: weights, optimizer slots and any state variables
   * go into one checkpoint that TensorFlow's tools read.
   *
   * <pre>{@code
   * TfCheckpoint.save(session, Path.of("checkpoints/ckpt-3"), true);
   * }</pre>
   *
   * @param session the session whose variables are written; it is not closed, and must not run while it saves
   * @param prefix the checkpoint to write
   * @param overwrite whether an existing checkpoint there is replaced (it is kept if the save fails)
   * @throws java.nio.file.FileAlreadyExistsException if a file of the checkpoint exists and not {@code overwrite}
   * @throws IOException if the files cannot be written or moved into place
   */
  public static void save(Session session, Path prefix, boolean overwrite) throws IOException {
    writeAtomically(prefix, overwrite, tempPrefix -> session.save(tempPrefix.toString()));
  }

  /**
   * Adds to {@code graph} the saver that {@link Session#save} and {@link Session#restore} use: TF Java 1.1.0 takes
   * a graph's own {@code save/filename}, {@code save/control_dependency} and {@code save/restore_all} ops when
   * there are some, and otherwise builds its own. This one is TF Java's (every {@code VariableV2}, keyed by its op
   * name) except that the variables named in {@code transposed} are written transposed and transposed back on
   * restore: a graph that holds fc weights {@code [out, in]} (see {@link AlexNetGraph}) writes and reads checkpoints
   * in AlexNet's layout, the same as any other TensorFlow tool and any checkpoint written before.
   *
   * <p>Call it once the graph has all its variables (ones added later are neither saved nor restored) and before
   * the first save or restore.
   *
   * @param graph the graph to add the {@code save/…} ops to
   * @param transposed op names of variables held transposed, e.g. {@link AlexNetGraph#transposedVariables()};
   *     may be empty
   * @throws IllegalArgumentException if the graph has no variables, or a name in {@code transposed} is not a 2-D
   *     float variable of it
   * @throws IllegalStateException if the graph already has a saver
   */
  public static void addSaver(Graph graph, Set<String> transposed) {
    if (graph.operation("save/restore_all") != null || graph.operation("save/filename") != null) {
      throw new IllegalStateException("the graph already has a saver (save/restore_all)");
    }
    List<Operation> variables = savedVariables(graph);
    Set<String> unknown = new TreeSet<>(transposed);
    for (Operation v : variables) {
      if (unknown.remove(v.name())
          && (!TFloat32.class.equals(v.output(0).type()) || v.output(0).shape().numDimensions() != 2)) {
        throw new IllegalArgumentException("variable " + v.name() + " is not a 2-D float array: cannot transpose it");
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("no variables " + unknown + " in the graph to save transposed");
    }
    if (variables.isEmpty()) {
      throw new IllegalArgumentException("the graph has no variables to save");
    }
    Ops save = Ops.create(graph).withSubScope("save");
    Placeholder<TString> filename = save.withName("filename").placeholder(TString.class);
    String[] keys = variables.stream().map(Operation::name).toArray(String[]::new);
    String[] wholeTensors = new String[keys.length];
    Arrays.fill(wholeTensors, "");
    Operand<TString> names = save.constant(StdArrays.ndCopyOf(keys));
    Operand<TString> slices = save.constant(StdArrays.ndCopyOf(wholeTensors));
    List<Operand<?>> tensors = new ArrayList<>();
    List<Class<? extends TType>> types = new ArrayList<>();
    for (Operation v : variables) {
      Output<? extends TType> value = v.output(0);
      tensors.add(transposed.contains(v.name()) ? transpose(save, value) : value);
      types.add(value.type());
    }
    Op written = save.train.save(filename, names, slices, tensors);
    save.withControlDependencies(List.of(written)).withName("control_dependency").identity(filename);
    List<Output<?>> restored = save.train.restore(filename, names, slices, types).tensors();
    List<Op> assigns = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      Operation v = variables.get(i);
      Operand<? extends TType> value = transposed.contains(v.name()) ? transpose(save, restored.get(i))
          : restored.get(i);
      assigns.add(assign(save, v.output(0), value));
    }
    save.withControlDependencies(assigns).withName("restore_all").noOp();
  }

  /** A 2-D float tensor transposed (the caller has checked that it is one). */
  @SuppressWarnings("unchecked")
  private static Operand<TFloat32> transpose(Ops tf, Output<?> x) {
    return tf.linalg.transpose((Output<TFloat32>) x, tf.constant(new int[] {1, 0}));
  }

  /** {@code variable := value}; the restored value has the variable's dtype, as its RestoreV2 output was asked. */
  @SuppressWarnings("unchecked")
  private static <T extends TType> Op assign(Ops tf, Output<?> variable, Operand<?> value) {
    return tf.assign((Output<T>) variable, (Operand<T>) value);
  }

  /** Writes a checkpoint at a temporary prefix it is given. */
  @FunctionalInterface
  private interface Saver {
    void save(Path tempPrefix) throws IOException;
  }

  private static void writeAtomically(Path prefix, boolean overwrite, Saver saver) throws IOException {
    Path abs = prefix.toAbsolutePath();
    List<Path> existing = files(abs);
    if (!existing.isEmpty() && !overwrite) {
      throw new java.nio.file.FileAlreadyExistsException(abs.toString(), null, "checkpoint exists ("
          + existing.get(0).getFileName() + "); add --force to overwrite it");
    }
    try (org.alexnettfj.weights.PartialWrite partial = org.alexnettfj.weights.PartialWrite.folder(abs)) {
      Path temp = partial.path();
      Path tempPrefix = temp.resolve(abs.getFileName().toString());
      saver.save(tempPrefix);
      // On disk before the index is renamed into place: a machine that loses power right after the rename still
      // has the whole checkpoint, not an index pointing at unwritten data.
      for (Path f : files(tempPrefix)) {
        sync(f);
      }
      // The checkpoint being replaced is moved aside (into the temporary folder) rather than deleted, and moved
      // back if the new one cannot be put in place: --force never leaves the user with neither.
      Path aside = Files.createDirectory(temp.resolve("previous"));
      List<Path[]> movedAside = new ArrayList<>();
      try {
        for (Path old : existing) {
          Path to = aside.resolve(old.getFileName());
          AtomicFiles.move(old, to);
          movedAside.add(new Path[] {old, to});
        }
        for (Path f : files(tempPrefix)) {
          if (!f.getFileName().toString().endsWith(INDEX)) {
            AtomicFiles.move(f, abs.resolveSibling(f.getFileName()));
          }
        }
        AtomicFiles.move(indexOf(tempPrefix), indexOf(abs));
        sync(abs.getParent());
      } catch (IOException | RuntimeException e) {
        for (Path half : files(abs)) {
          Files.deleteIfExists(half);
        }
        for (Path[] m : movedAside) {
          AtomicFiles.move(m[1], m[0]);
        }
        throw e;
      }
    }
  }

  /** fsync of a file or (on Linux) a folder; a folder that cannot be opened for it is left to the OS. */
  static void sync(Path path) throws IOException {
    boolean folder = Files.isDirectory(path);
    try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(path,
        folder ? java.nio.file.StandardOpenOption.READ : java.nio.file.StandardOpenOption.WRITE)) {
      c.force(true);
    } catch (IOException e) {
      if (!folder) {
        throw e;
      }
    }
  }

  /**
   * A tensor as a checkpoint lists it: dtype and shape.
   *
   * @param dtype its element type, {@link DataType#UNRECOGNIZED} for one this TensorFlow does not know
   * @param shape its dimensions; empty for a scalar
   */
  public record TensorInfo(DataType dtype, long[] shape) {
  }

  /**
   * Every tensor of a checkpoint by name, sorted, with its dtype and shape, from TensorFlow's checkpoint reader
   * (as {@code tf.train.list_variables}). Reads no values.
   *
   * @param path the prefix ({@code model.ckpt}) or either of its files
   * @return each tensor's dtype and shape, by name, sorted by name
   * @throws FileNotFoundException if there is no {@code PREFIX.index}
   * @throws WeightFileException if TensorFlow cannot read the checkpoint
   * @throws IOException if it cannot be read otherwise
   */
  public static Map<String, TensorInfo> contents(Path path) throws IOException {
    Path prefix = requireCheckpoint(path);
    try (Graph g = new Graph()) {   // loads the native library the reader needs
      Map<String, TensorInfo> out = new TreeMap<>();
      list(prefix, path.toString(), out);
      return out;
    }
  }

  /**
   * Reads scalar tensors by name, as Java values: int64 as {@link Long}, int32 as {@link Integer}, float32 as
   * {@link Float}, float64 as {@link Double}, string as {@link String} (UTF-8). Restores only those tensors, so it is
   * cheap on a checkpoint that also holds a whole network.
   *
   * <pre>{@code
   * long step = (Long) TfCheckpoint.readScalars(Path.of("checkpoints/ckpt-3"), List.of("global_step"))
   *     .get("global_step");
   * }</pre>
   *
   * @param path the prefix ({@code model.ckpt}) or either of its files
   * @param names the tensors to read, e.g. {@code global_step}
   * @return each value by name, in the order of {@code names}
   * @throws FileNotFoundException if there is no {@code PREFIX.index}
   * @throws WeightFileException naming every tensor that is missing or not a scalar of those types, or if
   *     TensorFlow cannot restore them
   * @throws IOException if the checkpoint cannot be read otherwise
   */
  public static Map<String, Object> readScalars(Path path, java.util.Collection<String> names) throws IOException {
    Map<String, TensorInfo> all = contents(path);
    List<String> problems = new ArrayList<>();
    for (String name : names) {
      TensorInfo info = all.get(name);
      if (info == null) {
        problems.add(name + " is missing");
      } else if (info.shape().length != 0 || !SCALAR_TYPES.contains(info.dtype())) {
        problems.add(name + " is " + info.dtype() + " " + Arrays.toString(info.shape()) + ", not a scalar of "
            + SCALAR_TYPES);
      }
    }
    if (!problems.isEmpty()) {
      throw new WeightFileException(path.toString(), null, -1, String.join("; ", problems));
    }
    Path prefix = prefixOf(path);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Map<String, Output<?>> variables = new LinkedHashMap<>();
      for (String name : names) {
        variables.put(name, variable(g, tf, name, Shape.scalar(), all.get(name).dtype()));
      }
      Map<String, Object> out = new LinkedHashMap<>();
      try (Session s = new Session(g)) {
        try {
          s.restore(prefix.toString());
        } catch (RuntimeException e) {
          throw new WeightFileException(path.toString(), null, -1, "TensorFlow could not restore it: "
              + firstLine(e.getMessage()));
        }
        for (Map.Entry<String, Output<?>> e : variables.entrySet()) {
          try (Result r = s.runner().fetch(e.getValue()).run()) {
            Object t = r.get(0);
            Object value;
            if (t instanceof TInt64 v) {
              value = v.getLong();
            } else if (t instanceof TInt32 v) {
              value = v.getInt();
            } else if (t instanceof TFloat32 v) {
              value = v.getFloat();
            } else if (t instanceof TFloat64 v) {
              value = v.getDouble();
            } else {
              value = new String(((TString) t).asBytes().getObject(), java.nio.charset.StandardCharsets.UTF_8);
            }
            out.put(e.getKey(), value);
          }
        }
      }
      return out;
    }
  }

  /**
   * Checks, before a restore, that checkpoint {@code path} holds every variable {@link #addSaver}'s saver restores
   * into {@code graph} with the dtype and shape it is saved in (AlexNet's layout for the variables in
   * {@code transposed}): TensorFlow's own restore stops at the first misfit with the shape the graph holds, which
   * for a transposed variable is not the one the checkpoint and the user know.
   *
   * @param path the prefix ({@code model.ckpt}) or either of its files
   * @param graph the graph to restore into; only its {@code VariableV2} ops are looked at
   * @param transposed op names of variables held transposed, as given to {@link #addSaver}
   * @throws FileNotFoundException if there is no {@code PREFIX.index}
   * @throws WeightFileException naming every missing or misfit tensor, with what is there and what is expected
   */
  public static void checkRestorable(Path path, Graph graph, Set<String> transposed) throws IOException {
    Map<String, TensorInfo> held = contents(path);
    List<String> problems = new ArrayList<>();
    for (Operation op : savedVariables(graph)) {
      long[] shape = op.output(0).shape().asArray();
      if (transposed.contains(op.name())) {
        shape = new long[] {shape[1], shape[0]};
      }
      DataType dtype = DataType.forNumber(op.output(0).dataType().getNumber() % 100);   // DT_FLOAT_REF -> DT_FLOAT
      TensorInfo there = held.get(op.name());
      if (there == null) {
        problems.add(op.name() + " is missing (expected " + dtype + " " + Arrays.toString(shape) + ")");
      } else if (there.dtype() != dtype || !Arrays.equals(there.shape(), shape)) {
        problems.add(op.name() + " is " + there.dtype() + " " + Arrays.toString(there.shape()) + ", expected "
            + dtype + " " + Arrays.toString(shape));
      }
    }
    if (!problems.isEmpty()) {
      problems.sort(null);
      throw new WeightFileException(path.toString(), problems);
    }
  }

  /** What {@link #addSaver}'s saver writes and restores: every {@code VariableV2} of the graph. */
  private static List<Operation> savedVariables(Graph graph) {
    List<Operation> variables = new ArrayList<>();
    graph.operations().forEachRemaining(op -> {
      if (op.type().equals("VariableV2")) {
        variables.add(op);
      }
    });
    return variables;
  }

  private static final Set<DataType> SCALAR_TYPES = java.util.EnumSet.of(DataType.DT_INT64,
      DataType.DT_INT32, DataType.DT_FLOAT, DataType.DT_DOUBLE, DataType.DT_STRING);

  private static Path requireCheckpoint(Path path) throws FileNotFoundException {
    Path prefix = prefixOf(path);
    if (!Files.isRegularFile(indexOf(prefix))) {
      throw new FileNotFoundException(path + ": not a TensorFlow checkpoint: no " + indexOf(prefix).getFileName()
          + (Files.exists(prefix) ? "" : " (and no such file)"));
    }
    return prefix;
  }

  /**
   * Reads every float32 tensor named {@code <layer>/weights} or {@code <layer>/biases} — AlexNet's variables, so
   * fc8's shape (the number of classes) comes from the checkpoint itself. Other tensors (an optimizer's slots such
   * as {@code fc8/weights/Momentum}, a global step) are left out and named in {@link WeightFile#format()}.
   *
   * @param path the prefix ({@code model.ckpt}) or either of its files
   * @return the arrays in AlexNet's order (conv1 … fc8, weights before biases, anything else after), in the layout
   *     the checkpoint holds them
   * @throws FileNotFoundException if there is no {@code PREFIX.index}
   * @throws WeightFileException if the checkpoint cannot be read or holds no such tensor
   */
  public static WeightFile read(Path path) throws IOException {
    Path prefix = requireCheckpoint(path);
    try (Graph g = new Graph()) {
      Map<String, TensorInfo> all = new TreeMap<>();
      list(prefix, path.toString(), all);
      Map<String, long[]> shapes = new TreeMap<>();
      List<String> skipped = new ArrayList<>();
      all.forEach((name, info) -> {
        if (info.dtype() == DataType.DT_FLOAT && name.matches("[^/]+/(weights|biases)")) {
          shapes.put(name, info.shape());
        } else {
          skipped.add(name);
        }
      });
      if (shapes.isEmpty()) {
        throw new WeightFileException(path.toString(), null, -1, "no float32 <layer>/weights or <layer>/biases "
            + "tensor in the checkpoint" + (skipped.isEmpty() ? "" : "; it holds " + skipped));
      }
      Ops tf = Ops.create(g);
      Map<String, Output<TFloat32>> variables = new LinkedHashMap<>();
      for (String name : inAlexNetOrder(shapes.keySet())) {
        variables.put(name, variable(g, tf, name, Shape.of(shapes.get(name))));
      }
      Map<String, WeightArray> arrays = new LinkedHashMap<>();
      try (Session s = new Session(g)) {
        try {
          s.restore(prefix.toString());
        } catch (RuntimeException e) {
          throw new WeightFileException(path.toString(), null, -1, "TensorFlow could not restore it: "
              + firstLine(e.getMessage()));
        }
        for (Map.Entry<String, Output<TFloat32>> e : variables.entrySet()) {
          int[] shape = Arrays.stream(shapes.get(e.getKey())).mapToInt(Math::toIntExact).toArray();
          float[] data = new float[Math.toIntExact(Arrays.stream(shape).asLongStream().reduce(1, Math::multiplyExact))];
          try (Result r = s.runner().fetch(e.getValue()).run()) {
            ((TFloat32) r.get(0)).copyTo(DataBuffers.of(data, false, false));
          }
          arrays.put(e.getKey(), WeightArray.of(shape, data));
        }
      }
      String format = "TensorFlow checkpoint (V2), " + arrays.size() + " float32 tensors"
          + (skipped.isEmpty() ? "" : "; left out " + skipped);
      return new WeightFile(path.toString(), format, arrays);
    }
  }

  /** Names, dtypes and shapes from the C API's checkpoint reader; needs the native library (a Graph) loaded. */
  private static void list(Path prefix, String source, Map<String, TensorInfo> out) throws WeightFileException {
    TF_Status status = TF_Status.newStatus();
    try {
      TF_CheckpointReader reader = tensorflow.TF_NewCheckpointReader(prefix.toString(), status);
      try {
        status.throwExceptionIfNotOK();
      } catch (RuntimeException e) {
        throw new WeightFileException(source, null, -1, "not a readable TensorFlow checkpoint: "
            + firstLine(e.getMessage()));
      }
      try {
        int n = tensorflow.TF_CheckpointReaderSize(reader);
        for (int i = 0; i < n; i++) {
          String name = tensorflow.TF_CheckpointReaderGetVariable(reader, i).getString();
          int dtype = tensorflow.TF_CheckpointReaderGetVariableDataType(reader, name);
          long[] dims = new long[tensorflow.TF_CheckpointReaderGetVariableNumDims(reader, name)];
          tensorflow.TF_CheckpointReaderGetVariableShape(reader, name, dims, dims.length, status);
          status.throwExceptionIfNotOK();
          DataType type = DataType.forNumber(dtype);
          out.put(name, new TensorInfo(type == null ? DataType.UNRECOGNIZED : type, dims));
        }
      } finally {
        tensorflow.TF_DeleteCheckpointReader(reader);
      }
    } finally {
      status.delete();
    }
  }

  /** conv1 … fc8 first, weights before biases, as every other AlexNet file; anything else after, sorted. */
  private static List<String> inAlexNetOrder(Set<String> names) {
    List<String> ordered = new ArrayList<>();
    for (String layer : AlexNetSpec.LAYER_NAMES) {
      for (String param : List.of("/weights", "/biases")) {
        if (names.contains(layer + param)) {
          ordered.add(layer + param);
        }
      }
    }
    names.stream().filter(n -> !ordered.contains(n)).forEach(ordered::add);
    return ordered;
  }

  /**
   * A {@code VariableV2} op called exactly {@code name}, slashes and all: the saver keys each tensor by its
   * variable's op name. Built directly rather than through {@code Ops}, whose names may not hold a slash and whose
   * sub-scopes reserve their names ({@code fc8/weights/Momentum} next to {@code fc8/weights} would not come out
   * as given).
   */
  private static Output<TFloat32> variable(Graph g, Ops tf, String name, Shape shape) {
    return variable(g, tf, name, shape, DataType.DT_FLOAT);
  }

  private static <T extends org.tensorflow.types.family.TType> Output<T> variable(Graph g, Ops tf, String name,
      Shape shape, DataType dtype) {
    if (!name.matches("[A-Za-z0-9.][A-Za-z0-9_.\\-/]*") || name.startsWith("save/")) {
      throw new IllegalArgumentException("array name '" + name + "' cannot be a TensorFlow variable name");
    }
    Operation op = g.opBuilder("VariableV2", name, tf.scope())
        .setAttr("shape", shape)
        .setAttr("dtype", dtype)
        .build();
    return op.output(0);
  }

  private static Shape toShape(int[] dims) {
    return Shape.of(Arrays.stream(dims).asLongStream().toArray());
  }

  /** TensorFlow's messages run over several lines; the CLI prints one. */
  static String firstLine(String message) {
    if (message == null) {
      return "unknown error";
    }
    String line = message.strip().lines().findFirst().orElse("");
    return line.length() > 300 ? line.substring(0, 300) + "…" : line;
  }
}
