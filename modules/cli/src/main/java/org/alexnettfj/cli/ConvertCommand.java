package org.alexnettfj.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.alexnettfj.command.UsageError;
import org.alexnettfj.graph.AlexNetOnnx;
import org.alexnettfj.graph.AlexNetSavedModel;
import org.alexnettfj.graph.Labels;
import org.alexnettfj.graph.TfCheckpoint;
import org.alexnettfj.weights.AlexNetWeights;
import org.alexnettfj.weights.CaffePrototxt;
import org.alexnettfj.weights.CaffeReader;
import org.alexnettfj.weights.NpyWriter;
import org.alexnettfj.weights.NpzWriter;
import org.alexnettfj.weights.WeightArray;
import org.alexnettfj.weights.WeightFile;
import org.alexnettfj.weights.WeightReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code alexnet convert IN OUT}: any weight file the reader takes (classic or re-saved {@code .npy}, {@code .npz},
 * compressed copies, Caffe {@code .caffemodel}) or a TensorFlow checkpoint to the classic {@code .npy}, a
 * pickle-free {@code .npz}, a TensorFlow checkpoint ({@code OUT.index} + {@code OUT.data-00000-of-00001}) or a
 * TensorFlow SavedModel folder with a {@code serving_default} signature.
 *
 * <p>The {@code .npy} target keeps each array's stored order: arrays read Fortran-ordered (fc7 and fc8 weights of
 * the original {@code bvlc_alexnet.npy}) are written Fortran-ordered, so classic in, classic out reproduces the
 * file byte for byte; everything else is written in C order, which numpy loads the same way.
 */
@Command(name = "convert", mixinStandardHelpOptions = true, sortOptions = false,
    header = "Convert weights between the classic .npy, .npz, Caffe's .caffemodel, TensorFlow checkpoints, "
        + "SavedModel and ONNX.",
    description = {"Convert weights: anything inspect reads, a Caffe .caffemodel (converted to",
        "TensorFlow layout as caffe-tensorflow did) or a TensorFlow checkpoint (IN is",
        "its prefix, e.g. model.ckpt, or its .index file), to:",
        "  .npy        the classic pickled dict of [weights, biases] per layer",
        "  .npz        plain float32 arrays (numpy.load(p, allow_pickle=False))",
        "  .ckpt       a TensorFlow V2 checkpoint: OUT is the prefix, written as",
        "              OUT.index + OUT.data-00000-of-00001 (conv1/weights ...)",
        "  savedmodel  a SavedModel folder (OUT named *saved_model*, or --to",
        "              savedmodel); tag serve, signature serving_default: images",
        "              float32 [N,227,227,3] (BGR, mean-subtracted) -> probabilities",
        "              and logits [N,classes], fc7 [N,4096]. Needs a complete",
        "              AlexNet; classes from fc8.",
        "Writes in a temporary file or folder and renames it into place; prints",
        "layers, parameters and each output file's sha256."})
final class ConvertCommand implements Callable<Integer> {

  enum Source { auto, caffe, checkpoint }

  private static final String SUPPORTED = ".npy (the classic bvlc_alexnet.npy form: a pickled dict of "
      + "[weights, biases] lists), .npz (a numpy archive of plain float32 arrays, no pickle), .ckpt (a TensorFlow "
      + "checkpoint prefix), savedmodel (a TensorFlow SavedModel folder) and .onnx (an ONNX model for ONNX Runtime and "
      + "the rest)";

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "IN", description = "Weight file to read, e.g. weights/bvlc_alexnet.caffemodel,"
      + " or a checkpoint prefix, e.g. runs/model.ckpt")
  Path in;

  @Parameters(index = "1", paramLabel = "OUT", description = "What to write: x.npy, x.npz, x.ckpt (prefix), x.onnx "
      + "or a SavedModel folder, e.g. out/alexnet_saved_model")
  Path out;

  @Option(names = "--from", paramLabel = "FORMAT", defaultValue = "auto",
      description = "Input format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}: recognised from the "
          + "content; .caffemodel also by name; a checkpoint by a name ending .ckpt/.index or an existing "
          + "IN.index). caffe reads IN as a Caffe model, checkpoint as a checkpoint prefix, whatever it is called.")
  Source from;

  @Option(names = "--to", paramLabel = "FORMAT", description = "Output format: npy, npz, checkpoint (ckpt), "
      + "savedmodel or onnx (default: from OUT's name).")
  String to;

  @Option(names = "--batch", paramLabel = "N|dynamic", defaultValue = "dynamic",
      description = "ONNX only: the input's batch size, or dynamic (default: ${DEFAULT-VALUE}).")
  String batch;

  @Option(names = "--opset", paramLabel = "N", defaultValue = "" + AlexNetOnnx.DEFAULT_OPSET,
      description = "ONNX only: the opset to write, 13 to 19 (default: ${DEFAULT-VALUE}).")
  int opset;

  @Option(names = "--force", description = SharedOptions.FORCE)
  boolean force;

  @Option(names = "--json",
      description = SharedOptions.JSON + " One object: what was read and what was written, with each"
          + " file's size and SHA-256.")
  boolean json;

  @Option(names = "--check", description = "Refuse (and write nothing) unless the weights are a complete AlexNet "
      + "(shapes as the classic file, fc8 outputs from the file, no NaN/Inf).")
  boolean check;

  @Option(names = "--fc-input", paramLabel = "LAYER=CxHxW", description = "Caffe only: the feature map an fc layer "
      + "reads, when its blobs cannot tell (not square), e.g. fc6=256x6x6.")
  Map<String, String> fcInputs = new LinkedHashMap<>();

  @Option(names = "--prototxt", paramLabel = "DEPLOY.prototxt", description = "Caffe only: the network's "
      + "description. It must describe AlexNet (nothing is written otherwise); it also gives the fc layers' "
      + "input shapes.")
  Path prototxt;

  @Override
  public Integer call() throws Exception {
    String target = target();
    boolean checkpointIn = from == Source.checkpoint || (from == Source.auto && fcInputs.isEmpty()
        && looksLikeCheckpoint(in));
    if (!checkpointIn) {
      Inputs.requireWeightsFile(in);
    }
    AlexNetOnnx.Options onnx = target.equals("onnx") ? onnxOptions() : null;
    refuseToClobber(target);
    WeightFile weights = checkpointIn ? TfCheckpoint.read(in) : read();
    Map<String, WeightArray> arrays = weights.arrays();
    String checked = null;
    if (target.equals("savedmodel")) {
      int numClasses = InspectCommand.guessClasses(weights);
      List<String> problems = AlexNetWeights.problems(weights, Set.of(), numClasses);
      if (!problems.isEmpty()) {
        throw new IllegalStateException(in + " is not a complete AlexNet (" + numClasses + " classes), which a "
            + "SavedModel needs, so nothing was written: " + String.join("; ", problems));
      }
    }
    if (check) {
      int numClasses = InspectCommand.guessClasses(weights);
      List<String> problems = AlexNetWeights.problems(weights, Set.of(), numClasses);
      if (!problems.isEmpty()) {
        throw new IllegalStateException(in + " does not match AlexNet (" + numClasses + " classes), so nothing was "
            + "written: " + String.join("; ", problems));
      }
      checked = "matches AlexNet (" + numClasses + " classes)";
    }
    if (target.equals("checkpoint")) {
      TfCheckpoint.write(TfCheckpoint.prefixOf(out), arrays, force);
    } else if (target.equals("savedmodel")) {
      AlexNetSavedModel.export(weights, out, force);
    } else if (target.equals("onnx")) {
      AlexNetOnnx.export(weights, out, force, onnx);
    } else {
  try (Progress progress = new Progress("Writing")) {
        if (target.equals("npz")) {
          NpzWriter.write(out, arrays, progress);
        } else {
          try {
            NpyWriter.writeClassic(out, arrays, name -> arrays.get(name).storedFortranOrder(), progress);
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + ": the classic .npy holds [weights, biases] per layer;"
                + " write an .npz for other layouts", e);
          }
        }
      }
    }
    summary(weights, target, checked);
    return 0;
  }

  /** --batch and --opset, checked before anything is read; a fine-tuned model's classes.txt beside IN. */
  private AlexNetOnnx.Options onnxOptions() throws IOException {
    int n;
    if (batch.equalsIgnoreCase("dynamic")) {
      n = 0;
    } else {
      try {
        n = Integer.parseInt(batch);
      } catch (NumberFormatException e) {
        n = -1;
      }
      if (n < 1) {
        throw new UsageError("--batch " + batch + ": give a size of at least 1, or dynamic");
      }
    }
    Path classes = Labels.classesFileBeside(in);
    return new AlexNetOnnx.Options(n, opset, classes == null ? null
        : org.alexnettfj.graph.Labels.fromFile(classes).names());
  }

  /** A checkpoint is a prefix, not a file: recognised by its name or by the {@code .index} beside it. */
  static boolean looksLikeCheckpoint(Path path) {
    String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".ckpt") || name.matches(".*\\.ckpt-\\d+") || name.endsWith(".index")
        || name.matches(".*\\.data-\\d{5}-of-\\d{5}") || (!Files.isRegularFile(path) && TfCheckpoint.exists(path));
  }

  /** Checked before reading, so a long read is not wasted on a target that will be refused. */
  private void refuseToClobber(String target) throws IOException {
    switch (target) {
      case "checkpoint" -> {
        List<Path> existing = TfCheckpoint.files(TfCheckpoint.prefixOf(out));
        if (!existing.isEmpty() && !force) {
          throw new FileAlreadyExistsException(existing.get(0).toString(), null, "exists; add --force to overwrite "
              + "the checkpoint");
        }
      }
      case "savedmodel" -> {
        if (Files.exists(out) && !force) {
          throw new FileAlreadyExistsException(out.toString(), null, "exists; add --force to overwrite it");
        }
        if (Files.exists(out) && !Files.isRegularFile(out.resolve("saved_model.pb"))) {
          throw new FileAlreadyExistsException(out.toString(), null, "exists and is not a SavedModel (no "
              + "saved_model.pb); not replacing it even with --force");
        }
      }
      default -> {
        if (Files.isDirectory(out)) {
          throw new FileAlreadyExistsException(out.toString(), null, "is a directory; give a file name ending in "
              + ".npy or .npz, or --to savedmodel");
        }
        if (Files.exists(out) && !force) {
          throw new FileAlreadyExistsException(out.toString(), null, "exists; add --force to overwrite it");
        }
      }
    }
  }

  /** npy, npz, checkpoint or savedmodel, decided before anything is read. */
  private String target() {
    String name = out.getFileName() == null ? "" : out.getFileName().toString().toLowerCase(Locale.ROOT);
    String t = to != null ? to.toLowerCase(Locale.ROOT).replaceFirst("^\\.", "") : null;
    if (t == null) {
      if (name.endsWith(".npy")) {
        t = "npy";
      } else if (name.endsWith(".npz")) {
        t = "npz";
      } else if (name.endsWith(".onnx")) {
        t = "onnx";
      } else if (name.endsWith(".ckpt") || name.contains(".ckpt-") || name.endsWith(".index")
          || name.contains(".data-0")) {
        t = "checkpoint";
      } else if (name.endsWith(".pb")) {
        throw new UsageError("a SavedModel is a folder, not '" + out.getFileName() + "': give the "
            + "folder to create, e.g. " + out.resolveSibling("alexnet_saved_model"));
      } else if (name.contains("saved_model") || name.contains("savedmodel")) {
        t = "savedmodel";
      } else {
        throw new UsageError("cannot tell the output format from '" + out.getFileName()
            + "': supported are " + SUPPORTED + "; name OUT so, or give --to npy|npz|checkpoint|savedmodel|onnx");
      }
    }
    return switch (t) {
      case "npy", "npz", "onnx" -> t;
      case "checkpoint", "ckpt" -> "checkpoint";
      case "savedmodel", "saved_model" -> "savedmodel";
      default -> throw new UsageError("unknown output format '" + to + "': supported are "
          + SUPPORTED);
    };
  }

  private WeightFile read() throws IOException {
    try (Progress progress = new Progress("Reading")) {
      boolean caffe = from == Source.caffe;
      if ((!fcInputs.isEmpty() || prototxt != null) && !caffe) {
        if (!CaffeReader.looksLikeCaffeModel(in)) {
          throw new IllegalArgumentException((prototxt != null ? "--prototxt" : "--fc-input")
              + " applies to Caffe models, and " + in + " is not one (use --from caffe if it is)");
        }
        caffe = true;
      }
      if (!caffe) {
        return WeightReader.read(in, progress);
      }
      CaffeReader.Options options = CaffeReader.Options.defaults().withProgress(progress);
      if (prototxt != null) {
        Inputs.requireWeightsFile(prototxt);
        CaffePrototxt net = CaffePrototxt.read(prototxt);
        List<String> problems = net.alexNetProblems();
        if (!problems.isEmpty()) {
          throw new IllegalStateException(prototxt + " does not describe AlexNet, so nothing was written: "
              + String.join("; ", problems));
        }
        for (Map.Entry<String, CaffeReader.FcInput> e : net.fcInputs().entrySet()) {
          options = options.withFcInput(e.getKey(), e.getValue());
        }
      }
      for (Map.Entry<String, String> e : fcInputs.entrySet()) {
        options = options.withFcInput(e.getKey(), CaffeReader.FcInput.parse(e.getValue()));
      }
      return CaffeReader.read(in, options);
    }
  }

  /** The files convert wrote: one, a checkpoint's index and data, or a SavedModel's folder. */
  private List<Path> writtenFiles(String target) throws IOException {
    return switch (target) {
      case "checkpoint" -> TfCheckpoint.files(TfCheckpoint.prefixOf(out));
      case "savedmodel" -> {
        try (var walk = Files.walk(out)) {
          yield walk.filter(Files::isRegularFile).sorted().toList();
        }
      }
      default -> List.of(out);
    };
  }

  private void summary(WeightFile w, String target, String checked) throws IOException {
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("input", in.toString());
      m.put("output", out.toString());
      m.put("from", w.format());
      m.put("to", target);
      m.put("layers", w.layerNames());
      m.put("arrays", w.arrays().size());
      m.put("parameters", w.parameterCount());
      m.put("check", checked);
      List<Map<String, Object>> written = new ArrayList<>();
      for (Path f : writtenFiles(target)) {
        written.add(Map.of("path", f.toString(), "bytes", Files.size(f), "sha256", sha256(f)));
      }
      m.put("files", written);
      Json.print(o, m);
      return;
    }
    o.printf("converted %s -> %s%n", in, out);
    o.printf("  from:       %s%n", w.format());
    o.printf("  to:         %s%n", switch (target) {
      case "npz" -> "npz, plain <f4 arrays (no pickle)";
      case "checkpoint" -> "TensorFlow checkpoint (V2), prefix " + TfCheckpoint.prefixOf(out);
      case "onnx" -> "ONNX model, opset " + opset + ", batch " + batch + ": images -> prob, logits, fc7";
      case "savedmodel" -> "TensorFlow SavedModel, tag " + AlexNetSavedModel.TAG + ", signature "
          + AlexNetSavedModel.SIGNATURE + ": " + AlexNetSavedModel.IMAGES + " -> " + AlexNetSavedModel.PROBABILITIES
          + ", " + AlexNetSavedModel.LOGITS + ", " + AlexNetSavedModel.FC7;
      default -> "npy, classic pickled dict of [weights, biases]";
    });
    o.printf("  layers:     %d (%s)%n", w.layerNames().size(), String.join(", ", w.layerNames()));
    o.printf("  arrays:     %d%n", w.arrays().size());
    o.printf("  parameters: %,d%n", w.parameterCount());
    if (checked != null) {
      o.printf("  check:      %s%n", checked);
    }
    List<Path> files = writtenFiles(target);
    if (files.size() == 1) {
      o.printf("  bytes:      %,d%n", Files.size(out));
      o.printf("  sha256:     %s%n", sha256(out));
    } else {
      for (Path f : files) {
        o.printf("  file:       %s  %,d bytes  sha256 %s%n", f, Files.size(f), sha256(f));
      }
    }
    o.flush();
  }

  static String sha256(Path file) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] buf = new byte[1 << 20];
    try (InputStream s = Files.newInputStream(file)) {
      int n;
      while ((n = s.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
