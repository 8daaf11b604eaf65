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
import org.alexnettfj.data.BgrImage;
import org.alexnettfj.data.PreprocessConfig;
import org.alexnettfj.data.Preprocessor;
import org.alexnettfj.graph.GradCam;
import org.alexnettfj.pictures.HeatOverlay;
import org.alexnettfj.pictures.Png;
import org.alexnettfj.weights.AlexNetWeights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code alexnet explain}: Grad-CAM of one image, the map drawn over it as a PNG. */
@Command(name = "explain", mixinStandardHelpOptions = true,
    description = "Grad-CAM: where in IMAGE a class's logit comes from, as a heat map over the image (PNG). Each "
        + "channel of the layer (conv5 by default) is weighted by the mean gradient of the logit over its positions; "
        + "the map is ReLU of the weighted sum, scaled to [0, 1]. Default class: the top prediction.")
final class ExplainCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The image: JPEG, PNG, GIF, BMP.")
  Path image;

  @Option(names = "--weights", paramLabel = "FILE", defaultValue = "weights/bvlc_alexnet.npy",
      description = SharedOptions.WEIGHTS + " Default: ${DEFAULT-VALUE}")
  Path weights;

  @Option(names = "--layer", paramLabel = "LAYER", defaultValue = "conv5",
      description = "conv1 .. conv5. Default: ${DEFAULT-VALUE}.")
  String layer;

  @Option(names = "--class", paramLabel = "K|NAME",
      description = "The class to explain: an index or a name (default: the top prediction).")
  String target;

  @Option(names = "--labels", paramLabel = "FILE",
      description = SharedOptions.LABELS)
  Path labels;

  @Option(names = "--out", required = true, paramLabel = "CAM.png", description = "The PNG to write.")
  Path out;

  @Option(names = "--max-side", paramLabel = "PIXELS", defaultValue = "800",
      description = "Largest side of the picture. Default: ${DEFAULT-VALUE}.")
  int maxSide;

  @Option(names = "--json", description = SharedOptions.JSON + " One object: the class, its probability, the map.")
  boolean json;

  @Option(names = "--force", description = SharedOptions.FORCE)
  boolean force;

  @Override
  public Integer call() throws Exception {
    if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
      throw new UsageError("--out " + out + ": the picture is a PNG; name it .png");
    }
    if (!force && Files.exists(out)) {
      throw new IllegalArgumentException(out + " exists; add --force to overwrite");
    }
    Inputs.requireWeightsFile(weights);
    AlexNetWeights w;
    try (Progress progress = new Progress("Reading " + weights.getFileName())) {
      w = AlexNetWeights.complete(weights, progress);
    }
    List<String> names = EvaluateCommand.classNames(labels, weights, w.numClasses());
    Preprocessor pre = new Preprocessor(PreprocessConfig.NOTEBOOK);   // predict's: the whole image, resized to 227
    BgrImage decoded = PreprocessConfig.NOTEBOOK.decoder().decode(image);
    float[] input = pre.apply(decoded);
    try (GradCam cam = new GradCam(w, layer)) {
      GradCam.Map2D first = cam.compute(input, 0);
      int k = target == null ? EvaluateCommand.argmax(first.logits()) : classIndex(target, names);
      GradCam.Map2D m = k == 0 ? first : cam.compute(input, k);
      double probability = org.alexnettfj.train.Validation.softmax(m.logits(), k);
      Png.write(HeatOverlay.render(decoded, m.map(), m.height(), m.width(), maxSide), out);
      PrintWriter o = spec.commandLine().getOut();
      if (json) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("image", image.toString());
        j.put("class", k);
        j.put("label", names.get(k));
        j.put("probability", probability);
        j.put("layer", layer);
        j.put("height", m.height());
        j.put("width", m.width());
        j.put("map", m.map());
        j.put("out", out.toString());
        o.println(Json.of(j));
      } else {
        o.printf(Locale.ROOT, "wrote %s: Grad-CAM of %s for class %d (%s, probability %.4f) on %s%n", out, layer,
            k, names.get(k), probability, image);
      }
      o.flush();
    }
    return 0;
  }

  private static int classIndex(String target, List<String> names) {
    int byName = names.indexOf(target);
    if (byName >= 0) {
      return byName;
    }
    try {
      int k = Integer.parseInt(target);
      if (k >= 0 && k < names.size()) {
        return k;
      }
    } catch (NumberFormatException e) {
      // not a number: fall through
    }
    throw new IllegalArgumentException("--class " + target + ": not a class of the model (an index 0 to "
        + (names.size() - 1) + " or a name such as '" + names.get(0) + "')");
  }
}
