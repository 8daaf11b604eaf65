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
import java.util.TreeMap;
import org.alexnettfj.weights.AlexNetSpec;
import org.alexnettfj.weights.WeightArray;
import org.alexnettfj.weights.WeightFile;
import org.alexnettfj.weights.WeightFileException;
import org.tensorflow.Graph;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.internal.c_api.TF_CheckpointReader;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.internal.c_api.global.tensorflow;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.DataType;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

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

  /** The prefix a user means: {@code x.ckpt.index} and {@code x.ckpt.data-00000-of-00001} both mean {@code x.ckpt}. */
  public static Path prefixOf(Path path) {
    String name = path.getFileName() == null ? "" : path.getFileName().toString();
    String stem = name.replaceFirst("(\\.index|\\.data-\\d{5}-of-\\d{5})$", "");
    return stem.equals(name) || stem.isEmpty() ? path : path.resolveSibling(stem);
  }

  /** Whether {@code path} names a checkpoint that is there: its prefix's {@code .index} exists. */
  public static boolean exists(Path path) {
    return Files.isRegularFile(indexOf(prefixOf(path)));
  }

  /** The files of checkpoint {@code prefix} that exist now (index and any data shards). */
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
   * @throws java.nio.file.FileAlreadyExistsException if a file of the checkpoint exists and not {@code overwrite}
   */
  public static void write(Path prefix, Map<String, WeightArray> arrays, boolean overwrite) throws IOException {
    Path abs = prefix.toAbsolutePath();
    List<Path> existing = files(abs);
    if (!existing.isEmpty() && !overwrite) {
      throw new java.nio.file.FileAlreadyExistsException(abs.toString(), null, "checkpoint exists ("
          + existing.get(0).getFileName() + "); add --force to overwrite it");
    }
    if (arrays.isEmpty()) {
      throw new IllegalArgumentException("nothing to write: no arrays");
    }
    Files.createDirectories(abs.getParent());
    Path temp = Files.createTempDirectory(abs.getParent(), "." + abs.getFileName() + ".partial");
    try {
      Path tempPrefix = temp.resolve(abs.getFileName().toString());
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
      } catch (IOException | RuntimeException e) {
        for (Path partial : files(abs)) {
          Files.deleteIfExists(partial);
        }
        for (Path[] m : movedAside) {
          AtomicFiles.move(m[1], m[0]);
        }
        throw e;
      }
    } finally {
      AtomicFiles.deleteTree(temp);
    }
  }

  /**
   * Reads every float32 tensor named {@code <layer>/weights} or {@code <layer>/biases} — AlexNet's variables, so
   * fc8's shape (the number of classes) comes from the checkpoint itself. Other tensors (an optimizer's slots such
   * as {@code fc8/weights/Momentum}, a global step) are left out and named in {@link WeightFile#format()}.
   *
   * @param path the prefix ({@code model.ckpt}) or either of its files
   * @throws FileNotFoundException if there is no {@code PREFIX.index}
   * @throws WeightFileException if the checkpoint cannot be read or holds no such tensor
   */
  public static WeightFile read(Path path) throws IOException {
    Path prefix = prefixOf(path);
    if (!Files.isRegularFile(indexOf(prefix))) {
      throw new FileNotFoundException(path + ": not a TensorFlow checkpoint: no " + indexOf(prefix).getFileName()
          + (Files.exists(prefix) ? "" : " (and no such file)"));
    }
    try (Graph g = new Graph()) {
      Map<String, long[]> shapes = new TreeMap<>();
      List<String> skipped = new ArrayList<>();
      list(prefix, path.toString(), shapes, skipped);
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
  private static void list(Path prefix, String source, Map<String, long[]> shapes, List<String> skipped)
      throws WeightFileException {
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
          if (dtype != tensorflow.TF_FLOAT || !name.matches("[^/]+/(weights|biases)")) {
            skipped.add(name);
            continue;
          }
          long[] dims = new long[tensorflow.TF_CheckpointReaderGetVariableNumDims(reader, name)];
          tensorflow.TF_CheckpointReaderGetVariableShape(reader, name, dims, dims.length, status);
          status.throwExceptionIfNotOK();
          shapes.put(name, dims);
        }
      } finally {
        tensorflow.TF_DeleteCheckpointReader(reader);
      }
    } finally {
      status.delete();
    }
  }

  /** conv1 … fc8 first, weights before biases, as every other AlexNet file; anything else after, sorted. */
  private static List<String> inAlexNetOrder(java.util.Set<String> names) {
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
    if (!name.matches("[A-Za-z0-9.][A-Za-z0-9_.\\-/]*") || name.startsWith("save/")) {
      throw new IllegalArgumentException("array name '" + name + "' cannot be a TensorFlow variable name");
    }
    Operation op = g.opBuilder("VariableV2", name, tf.scope())
        .setAttr("shape", shape)
        .setAttr("dtype", DataType.DT_FLOAT)
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
