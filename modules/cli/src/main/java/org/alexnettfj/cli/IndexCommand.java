package org.alexnettfj.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.alexnettfj.command.UsageError;
import org.alexnettfj.graph.AlexNetPredictor;
import org.alexnettfj.search.FeatureIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code alexnet index}: a layer's features of many images, written as an index that {@code similar} searches. */
@Command(name = "index", mixinStandardHelpOptions = true, exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:every input was read", "1:bad input; nothing (more) was written",
        "2:a usage error (an unknown option, a missing value, a value the option cannot take)",
        "3:some inputs could not be read (each named on stderr); the others were indexed"},
    description = "Index images by one layer's features (default fc7) for `alexnet similar`: a folder holding "
        + "features.npy (float32, or float16 with --float16), paths.txt and index.properties (the layer, "
        + "weights and preprocessing, which similar reuses for its queries).")
final class IndexCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  ModelOptions model;

  @Option(names = "--layer", paramLabel = "LAYER", defaultValue = "fc7",
      description = "conv1..conv5, norm1, norm2, pool1, pool2, pool5, fc6, fc7, fc8, prob (default ${DEFAULT-VALUE}).")
  String layer;

  @Option(names = "--out", required = true, paramLabel = "NAME.index", description = "The index folder to write.")
  Path out;

  @Option(names = "--float16",
      description = "Store the features as float16: half the size (a million fc7 rows: 8 GB, not 16), about three "
          + "significant digits; distances change in the third digit.")
  boolean float16;

  @Option(names = "--force", description = SharedOptions.FORCE)
  boolean force;

  @Option(names = "--json",
      description = SharedOptions.JSON + " One object: the index written, its rows, layer and width.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (model.inputTensor != null) {
      throw new UsageError("--input-tensor has no image paths to index: give IMAGE files or --list");
    }
    List<Path> images = model.imagePaths();
    if (!force && Files.exists(out)) {
      throw new IllegalArgumentException(out + " exists; add --force to replace it");
    }
    PrintWriter err = spec.commandLine().getErr();
    int skipped;
    long rows;
    int width;
    try (AlexNetPredictor predictor = model.predictor()) {
      width = predictor.model().featureSize(layer);
      model.logPlacement(predictor, layer, err);
      try (FeatureIndex.Writer index = FeatureIndex.writer(out, width, float16, properties())) {
        skipped = model.runImages(predictor, images, layer, "index", "Indexing " + layer, err,
            (image, row) -> index.add(row, image.toString()));
        if (index.count() == 0) {
          throw new IllegalArgumentException("none of the " + images.size() + " images could be read; nothing "
              + "written");
        }
        rows = index.count();
        index.commit();
      }
    }
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("output", out.toString());
      m.put("rows", rows);
      m.put("layer", layer);
      m.put("columns", width);
      m.put("dtype", float16 ? "float16" : "float32");
      m.put("skipped", skipped);
      Json.print(o, m);
      return skipped > 0 ? AlexNetCli.EXIT_SOME_INPUTS_FAILED : 0;
    }
    o.printf(Locale.ROOT, "indexed %d images by %s (%d values each, %s) in %s%s%n", rows, layer, width,
        float16 ? "float16" : "float32", out, skipped > 0 ? "; " + skipped + " unreadable images skipped" : "");
    o.flush();
    return skipped > 0 ? AlexNetCli.EXIT_SOME_INPUTS_FAILED : 0;
  }

  /** What similar needs to compute its queries' features the same way. */
  private Map<String, String> properties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("layer", layer);
    p.put("weights", model.weights.toAbsolutePath().normalize().toString());
    p.put("oversample", Boolean.toString(model.oversample));
    if (model.meanImage != null) {
      p.put("meanImage", model.meanImage.toAbsolutePath().normalize().toString());
    }
    return p;
  }
}
