package org.alexnettfj.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.alexnettfj.weights.AlexNetSpec;
import org.alexnettfj.weights.AlexNetWeights;
import org.alexnettfj.weights.ArrayStats;
import org.alexnettfj.weights.WeightArray;
import org.alexnettfj.weights.WeightFile;
import org.alexnettfj.weights.WeightReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code alexnet inspect FILE}: what a weight file holds, array by array, and whether it is AlexNet. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Print each array of a weight file (.npy, .npz, .caffemodel, compressed copies): shape, dtype, "
        + "stored order, min/max/mean, NaN/Inf counts, and whether it matches AlexNet.")
final class InspectCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "Weight file, e.g. weights/bvlc_alexnet.npy")
  Path file;

  @Option(names = "--json", description = SharedOptions.JSON + " One object, instead of a table.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    WeightFile weights;
    Inputs.requireWeightsFile(file);
    try (Progress progress = new Progress("Reading")) {
      weights = WeightReader.read(file, progress);
    }
    int numClasses = guessClasses(weights);
    List<String> problems = AlexNetWeights.problems(weights, Set.of(), numClasses);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.of(report(weights, numClasses, problems)));
    } else {
      printTable(out, weights, numClasses, problems);
    }
    out.flush();
    return 0;
  }

  /** fc8's output count decides which AlexNet the file is checked against (1000 for ImageNet). */
  static int guessClasses(WeightFile weights) {
    WeightArray fc8 = weights.array("fc8/biases");
    return fc8 != null && fc8.rank() == 1 && fc8.size() > 0 ? fc8.size() : AlexNetSpec.IMAGENET_CLASSES;
  }

  private static String match(String name, WeightArray a, int numClasses) {
    String layer = name.contains("/") ? name.substring(0, name.lastIndexOf('/')) : name;
    String param = name.substring(name.lastIndexOf('/') + 1);
    if (!AlexNetSpec.LAYER_NAMES.contains(layer)) {
      return "not an AlexNet layer";
    }
    AlexNetSpec.Layer spec = AlexNetSpec.layer(layer, numClasses);
    int[] expected = switch (param) {
      case "weights" -> spec.weightsShape();
      case "biases" -> spec.biasesShape();
      default -> null;
    };
    if (expected == null) {
      return "not an AlexNet parameter";
    }
    return a.hasShape(expected) ? "ok" : "expected " + WeightArray.shapeString(expected);
  }

  private static void printTable(PrintWriter out, WeightFile w, int numClasses, List<String> problems) {
    out.printf("%s%nformat: %s%nparameters: %,d in %d arrays%n%n", w.source(), w.format(), w.parameterCount(),
        w.arrays().size());
    out.printf("%-16s %-20s %-5s %-7s %12s %12s %12s %6s %6s  %s%n", "array", "shape", "dtype", "order", "min",
        "max", "mean", "nan", "inf", "AlexNet");
    w.arrays().forEach((name, a) -> {
      ArrayStats s = ArrayStats.of(a.data());
      out.printf("%-16s %-20s %-5s %-7s %12.6g %12.6g %12.6g %6d %6d  %s%n", name, a.shapeString(),
          a.storedDtype(), a.storedFortranOrder() ? "Fortran" : "C", s.min(), s.max(), s.mean(), s.nanCount(),
          s.infCount(), match(name, a, numClasses));
    });
    out.println();
    if (problems.isEmpty()) {
      out.printf("matches AlexNet (%d classes)%n", numClasses);
    } else {
      out.printf("does not match AlexNet (%d classes):%n", numClasses);
      problems.forEach(p -> out.println("  - " + p));
    }
  }

  private static Map<String, Object> report(WeightFile w, int numClasses, List<String> problems) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("file", w.source());
    r.put("format", w.format());
    r.put("parameters", w.parameterCount());
    r.put("numClasses", numClasses);
    r.put("matchesAlexNet", problems.isEmpty());
    r.put("problems", problems);
    List<Map<String, Object>> arrays = new ArrayList<>();
    w.arrays().forEach((name, a) -> {
      ArrayStats s = ArrayStats.of(a.data());
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", name);
      m.put("shape", a.shape());
      m.put("dtype", a.storedDtype());
      m.put("order", a.storedFortranOrder() ? "F" : "C");
      m.put("min", finite(s.min()));
      m.put("max", finite(s.max()));
      m.put("mean", finite(s.mean()));
      m.put("nan", s.nanCount());
      m.put("inf", s.infCount());
      m.put("alexnet", match(name, a, numClasses));
      arrays.add(m);
    });
    r.put("arrays", arrays);
    return r;
  }

  /** JSON has no NaN: an array with no finite values reports null. */
  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }
}
