package org.alexnettfj.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.alexnettfj.command.UsageError;
import org.alexnettfj.graph.AlexNetPredictor;
import org.alexnettfj.graph.Prediction;
import org.alexnettfj.weights.WeightArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code alexnet predict}: the top ImageNet classes of each image. */
@Command(name = "predict", mixinStandardHelpOptions = true, exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:every input was read", "1:bad input; nothing (more) was written",
        "2:a usage error (an unknown option, a missing value, a value the option cannot take)",
        "3:some inputs could not be read (each named on stderr); the others were processed and written"},
    description = "Print the most probable classes of each image (or of each row of --input-tensor).")
final class PredictCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  ModelOptions model;

  @Option(names = "--top", paramLabel = "K", defaultValue = "5", description = "Classes per image (default 5).")
  int top;

  @Option(names = "--json", description = SharedOptions.JSON + " One array, an element per input.")
  boolean json;

  @Option(names = "--labels", paramLabel = "FILE",
      description = SharedOptions.LABELS)
  Path labels;

  @Override
  public Integer call() throws Exception {
    if (top < 1) {
      throw new UsageError("--top must be at least 1");
    }
    model.labels = labels;
    var images = model.imagePaths();
    List<Map<String, Object>> report = new ArrayList<>();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int[] failed = {0};
    try (AlexNetPredictor predictor = model.predictor(); Progress progress = Progress.items("Predicting")) {
      model.logPlacement(predictor, "prob", err);
      if (model.inputTensor != null) {
        WeightArray t = model.tensor();
        for (Prediction p : predictor.predictTensor(t.data(), t.dim(0), top, model.inputTensor.toString())) {
          emit(p, out, report);
        }
      } else {
        predictor.run(images, "prob", model.strict.on(), new AlexNetPredictor.Sink() {
          @Override
          public void accept(AlexNetPredictor.Outcome o) {
            if (!o.ok()) {
              failed[0]++;
              err.println("alexnet predict: skipped " + o.error().getMessage());
              Map<String, Object> m = new LinkedHashMap<>();
              m.put("input", o.path().toString());
              m.put("error", o.error().reason());
              report.add(m);
              return;
            }
            emit(predictor.topK(o.path().toString(), o.output(), top), out, report);
          }

          @Override
          public void progress(int done, int total) {
            progress.progress(done, total);
          }
        });
      }
    }
    if (json) {
      out.println(Json.of(report));
    }
    out.flush();
    if (failed[0] > 0) {
      err.println("alexnet predict: " + failed[0] + " of " + images.size() + " images could not be read");
      return AlexNetCli.EXIT_SOME_INPUTS_FAILED;
    }
    return 0;
  }

  /** A prediction's classes as {@code --json} (and {@code serve}) write them: index, label, probability. */
  static List<Map<String, Object>> topJson(Prediction p) {
    List<Map<String, Object>> top = new ArrayList<>();
    for (Prediction.ClassScore s : p.top()) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("index", s.index());
      c.put("label", s.label());
      c.put("probability", s.probability());
      top.add(c);
    }
    return top;
  }

  private void emit(Prediction p, PrintWriter out, List<Map<String, Object>> report) {
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("input", p.input());
      m.put("top", topJson(p));
      report.add(m);
      return;
    }
    out.println(p.input());
    for (Prediction.ClassScore s : p.top()) {
      out.printf("  %-50s %.4f%n", s.label(), s.probability());
    }
  }
}
