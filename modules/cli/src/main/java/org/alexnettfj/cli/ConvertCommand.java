package org.alexnettfj.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
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
 * compressed copies, Caffe {@code .caffemodel}) to the classic {@code .npy} or to a pickle-free {@code .npz}.
 *
 * <p>The {@code .npy} target keeps each array's stored order: arrays read Fortran-ordered (fc7 and fc8 weights of
 * the original {@code bvlc_alexnet.npy}) are written Fortran-ordered, so classic in, classic out reproduces the
 * file byte for byte; everything else is written in C order, which numpy loads the same way.
 */
@Command(name = "convert", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Convert weights: anything inspect reads, or a Caffe .caffemodel (converted to TensorFlow",
        "layout as caffe-tensorflow did), to the classic .npy (a pickled dict of [weights, biases] per layer)",
        "or to an .npz of plain float32 arrays (numpy.load(path, allow_pickle=False)). Writes a temporary",
        "file and renames it into place; prints layers, parameters and the output's sha256."})
final class ConvertCommand implements Callable<Integer> {

  enum Source { auto, caffe }

  private static final String SUPPORTED = ".npy (the classic bvlc_alexnet.npy form: a pickled dict of "
      + "[weights, biases] lists) and .npz (a numpy archive of plain float32 arrays, no pickle)";

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "IN", description = "Weight file to read, e.g. weights/bvlc_alexnet.caffemodel")
  Path in;

  @Parameters(index = "1", paramLabel = "OUT", description = "File to write: .npy or .npz")
  Path out;

  @Option(names = "--from", paramLabel = "FORMAT", defaultValue = "auto",
      description = "Input format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}: recognised from the "
          + "content; .caffemodel also by name). caffe reads IN as a Caffe model whatever it is called.")
  Source from;

  @Option(names = "--to", paramLabel = "FORMAT", description = "Output format: npy or npz (default: OUT's extension).")
  String to;

  @Option(names = "--force", description = "Overwrite OUT if it exists.")
  boolean force;

  @Option(names = "--check", description = "Refuse (and write nothing) unless the weights are a complete AlexNet "
      + "(shapes as the classic file, fc8 outputs from the file, no NaN/Inf).")
  boolean check;

  @Option(names = "--fc-input", paramLabel = "LAYER=CxHxW", description = {"Caffe only: the feature map an fc layer "
      + "reads, when its blobs cannot tell (not square), e.g. fc6=256x6x6."})
  Map<String, String> fcInputs = new LinkedHashMap<>();

  @Option(names = "--prototxt", paramLabel = "DEPLOY.prototxt", description = {"Caffe only: the network's "
      + "description. It must describe AlexNet (nothing is written otherwise); it also gives the fc layers' input "
      + "shapes."})
  Path prototxt;

  @Override
  public Integer call() throws Exception {
    String target = target();
    Inputs.requireWeightsFile(in);
    if (Files.isDirectory(out)) {
      throw new FileAlreadyExistsException(out.toString(), null, "is a directory; give a file name ending in .npy "
          + "or .npz");
    }
    if (Files.exists(out) && !force) {
      throw new FileAlreadyExistsException(out.toString(), null, "exists; add --force to overwrite it");
    }
    WeightFile weights = read();
    Map<String, WeightArray> arrays = weights.arrays();
    String checked = null;
    if (check) {
      int numClasses = InspectCommand.guessClasses(weights);
      List<String> problems = AlexNetWeights.problems(weights, Set.of(), numClasses);
      if (!problems.isEmpty()) {
        throw new IllegalStateException(in + " does not match AlexNet (" + numClasses + " classes), so nothing was "
            + "written: " + String.join("; ", problems));
      }
      checked = "matches AlexNet (" + numClasses + " classes)";
    }
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
    summary(weights, target, checked);
    return 0;
  }

  /** npy or npz, decided before anything is read; other targets fail with what is supported. */
  private String target() {
    String name = out.getFileName() == null ? "" : out.getFileName().toString().toLowerCase(Locale.ROOT);
    String t = to != null ? to.toLowerCase(Locale.ROOT).replaceFirst("^\\.", "") : null;
    if (t == null) {
      if (name.endsWith(".npy")) {
        t = "npy";
      } else if (name.endsWith(".npz")) {
        t = "npz";
      } else if (name.endsWith(".ckpt") || name.contains(".ckpt-") || name.endsWith(".index")
          || name.contains(".data-0")) {
        t = "checkpoint";
      } else if (name.endsWith(".pb") || name.contains("saved_model") || name.contains("savedmodel")) {
        t = "savedmodel";
      } else {
        throw new IllegalArgumentException("cannot tell the output format from '" + out.getFileName()
            + "': supported are " + SUPPORTED + "; name OUT so, or give --to npy|npz");
      }
    }
    return switch (t) {
      case "npy", "npz" -> t;
      case "checkpoint", "ckpt", "tf", "tensorflow" -> throw new UnsupportedOperationException(
          "writing a TensorFlow checkpoint is not supported yet; write .npz or .npy, which the TensorFlow graph "
              + "loads");
      case "savedmodel", "saved_model", "pb" -> throw new UnsupportedOperationException(
          "writing a TensorFlow SavedModel is not supported yet; write .npz or .npy, which the TensorFlow graph "
              + "loads");
      default -> throw new IllegalArgumentException("unknown output format '" + to + "': supported are "
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

  private void summary(WeightFile w, String target, String checked) throws IOException {
    PrintWriter o = spec.commandLine().getOut();
    o.printf("converted %s -> %s%n", in, out);
    o.printf("  from:       %s%n", w.format());
    o.printf("  to:         %s%n", target.equals("npz") ? "npz, plain <f4 arrays (no pickle)"
        : "npy, classic pickled dict of [weights, biases]");
    o.printf("  layers:     %d (%s)%n", w.layerNames().size(), String.join(", ", w.layerNames()));
    o.printf("  arrays:     %d%n", w.arrays().size());
    o.printf("  parameters: %,d%n", w.parameterCount());
    if (checked != null) {
      o.printf("  check:      %s%n", checked);
    }
    o.printf("  bytes:      %,d%n", Files.size(out));
    o.printf("  sha256:     %s%n", sha256(out));
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
