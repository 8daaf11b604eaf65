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
import org.alexnettfj.pictures.FilterGrid;
import org.alexnettfj.pictures.Png;
import org.alexnettfj.weights.AlexNetWeights;
import org.alexnettfj.weights.WeightArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code alexnet filters}: a convolution layer's kernels as one PNG, conv1 as the paper's Figure 3. */
@Command(name = "filters", mixinStandardHelpOptions = true,
    description = "Draw a convolution layer's kernels as a PNG grid: conv1's 96 as the paper's Figure 3 (8 rows of "
        + "12, each kernel min-max scaled, BGR drawn as RGB, the two GPUs' halves in two bands). Deeper "
        + "layers are drawn in grey, as the mean over their input channels (or --channels first).")
final class FiltersCommand implements Callable<Integer> {

  private static final List<String> LAYERS = List.of("conv1", "conv2", "conv3", "conv4", "conv5");

  @Spec
  CommandSpec spec;

  @Option(names = "--weights", paramLabel = "FILE", defaultValue = "weights/bvlc_alexnet.npy",
      description = SharedOptions.WEIGHTS + " Default: ${DEFAULT-VALUE}")
  Path weights;

  @Option(names = "--layer", paramLabel = "LAYER", defaultValue = "conv1",
      description = "conv1 .. conv5. Default: ${DEFAULT-VALUE}.")
  String layer;

  @Option(names = "--channels", paramLabel = "mean|first",
      description = "For conv2-conv5: grey from the mean over the input channels (default) or the first one.")
  String channels;

  @Option(names = "--scale", paramLabel = "N",
      description = "Pixels per weight (default: about 44 pixels a kernel: 4 for conv1, 9 for conv2, 15 after).")
  Integer scale;

  @Option(names = "--out", required = true, paramLabel = "FILE.png", description = "The PNG to write.")
  Path out;

  @Option(names = "--force", description = SharedOptions.FORCE)
  boolean force;

  @Option(names = "--json",
      description = SharedOptions.JSON + " One object: the picture written, the layer, its kernels"
          + " and their shape.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (!LAYERS.contains(layer)) {
      throw new UsageError("--layer " + layer + ": convolution layers are " + String.join(", ",
          LAYERS));
    }
    FilterGrid.Channels mode;
    if (channels == null) {
      mode = layer.equals("conv1") ? FilterGrid.Channels.COLOUR : FilterGrid.Channels.MEAN;
    } else if (layer.equals("conv1")) {
      throw new UsageError("--channels is for conv2-conv5; conv1's three channels are drawn in colour");
    } else {
      mode = switch (channels) {
        case "mean" -> FilterGrid.Channels.MEAN;
        case "first" -> FilterGrid.Channels.FIRST;
        default -> throw new UsageError("--channels " + channels + ": mean or first");
      };
    }
    if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
      throw new UsageError("--out " + out + ": the picture is a PNG; name it .png");
    }
    if (!force && Files.exists(out)) {
      throw new IllegalArgumentException(out + " exists; add --force to overwrite");
    }
    Inputs.requireWeightsFile(weights);
    WeightArray kernels;
    try (Progress progress = new Progress("Reading " + weights.getFileName())) {
      kernels = AlexNetWeights.complete(weights, progress).weights(layer);
    }
    int[] s = kernels.shape();
    int pixels = scale != null ? scale : Math.max(1, Math.round(44f / s[0]));
    Png.write(FilterGrid.render(kernels, mode, pixels), out);
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("output", out.toString());
      m.put("layer", layer);
      m.put("kernels", s[3]);
      m.put("kernelShape", List.of(s[0], s[1], s[2]));
      m.put("channels", mode.name().toLowerCase(Locale.ROOT));
      m.put("scale", pixels);
      Json.print(o, m);
      return 0;
    }
    o.printf(Locale.ROOT, "wrote %s: %s's %d kernels of %dx%dx%d, %s, %d pixels a weight%n", out, layer, s[3], s[0],
        s[1], s[2], mode == FilterGrid.Channels.COLOUR ? "BGR drawn as RGB" : mode == FilterGrid.Channels.MEAN
            ? "grey: mean over input channels" : "grey: first input channel", pixels);
    o.flush();
    return 0;
  }
}
