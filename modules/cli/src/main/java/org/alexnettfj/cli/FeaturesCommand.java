package org.alexnettfj.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.alexnettfj.graph.AlexNetPredictor;
import org.alexnettfj.weights.NpyWriter;
import org.alexnettfj.weights.PartialWrite;
import org.alexnettfj.weights.WeightArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code alexnet features}: one layer's activations for each image, as a float32 [N, D] .npy. */
@Command(name = "features", mixinStandardHelpOptions = true, exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:every input was read", "1:bad input; nothing (more) was written",
        "2:a usage error (an unknown option, a missing value, a value the option cannot take)",
        "3:some inputs could not be read (each named on stderr); the others were processed and written"},
    description = "Write one layer's output (default fc7) for each image as a float32 [N, D] .npy, and the inputs "
        + "in row order beside it (OUT with .txt). Unreadable images are reported and skipped (or --strict).")
final class FeaturesCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  ModelOptions model;

  @Option(names = "--layer", paramLabel = "LAYER", defaultValue = "fc7",
      description = "conv1..conv5, norm1, norm2, pool1, pool2, pool5, fc6, fc7, fc8, prob (default ${DEFAULT-VALUE}).")
  String layer;

  @Option(names = "--out", required = true, paramLabel = "FEATS.npy", description = "Output .npy file.")
  Path out;

  @Option(names = "--force", description = SharedOptions.FORCE)
  boolean force;

  @Option(names = "--json",
      description = SharedOptions.JSON + " One object: the files written, their rows and columns.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    List<Path> images = model.imagePaths();
    Path listOut = out.resolveSibling(stem(out) + ".txt");
    if (!force && (Files.exists(out) || Files.exists(listOut))) {
      throw new IllegalArgumentException(out + " or " + listOut + " exists; add --force to overwrite");
    }
    PrintWriter err = spec.commandLine().getErr();
    List<String> written = new ArrayList<>();
    int skipped = 0;
    int width;
    try (AlexNetPredictor predictor = model.predictor();
         NpyWriter.RowWriter rows = new NpyWriter.RowWriter(out, width = predictor.model().featureSize(layer))) {
      model.logPlacement(predictor, layer, err);
      if (model.inputTensor != null) {
        WeightArray t = model.tensor();
        float[][] f = predictor.featuresTensor(t.data(), t.dim(0), layer);
        for (int i = 0; i < f.length; i++) {
          rows.write(f[i]);
          written.add(model.inputTensor + "[" + i + "]");
        }
      } else {
        skipped = model.runImages(predictor, images, layer, "features", "Extracting " + layer, err,
            (image, row) -> {
              rows.write(row);
              written.add(image.toString());
            });
      }
      if (written.isEmpty() && skipped > 0) {
        // closed uncommitted: no [0, D] file that a script would take for a result
        throw new IllegalArgumentException("none of the " + images.size() + " images could be read; nothing "
            + "written");
      }
      rows.commit();
    }
    PartialWrite.writeLines(listOut, written);
    // what was written is the result: stdout, as convert and make-lists print theirs
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("output", out.toString());
      m.put("list", listOut.toString());
      m.put("layer", layer);
      m.put("rows", written.size());
      m.put("columns", width);
      m.put("skipped", skipped);
      Json.print(o, m);
    } else {
      o.printf("wrote %s [%d, %d] and %s%s%n", out, written.size(), width, listOut,
          skipped > 0 ? " (" + skipped + " unreadable images skipped)" : "");
      o.flush();
    }
    return skipped > 0 ? AlexNetCli.EXIT_SOME_INPUTS_FAILED : 0;
  }

  private static String stem(Path p) {
    String n = p.getFileName().toString();
    return n.endsWith(".npy") ? n.substring(0, n.length() - 4) : n;
  }
}
