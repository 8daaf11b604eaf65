package org.alexnettfj.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.alexnettfj.data.Mean;
import org.alexnettfj.data.PreprocessConfig;
import org.alexnettfj.graph.AlexNetPredictor;
import org.alexnettfj.graph.Labels;
import org.alexnettfj.weights.WeightArray;
import org.alexnettfj.weights.WeightFileException;
import org.alexnettfj.weights.WeightReader;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What predict and features share: the weights, the inputs (images, a list, or a preprocessed tensor). */
final class ModelOptions {

  @Option(names = "--weights", paramLabel = "FILE", defaultValue = "weights/bvlc_alexnet.npy",
      description = "Pretrained weights (any form `inspect` reads). Default: ${DEFAULT-VALUE}")
  Path weights;

  @Option(names = "--labels", paramLabel = "FILE",
      description = {"Class names, one per line in output order (default: MODEL.classes.txt beside the weights if",
          "there is one, as finetune --out writes it; else the 1000 ImageNet classes)."})
  Path labels;

  @Option(names = "--mean-image", paramLabel = "MEAN.npy",
      description = {"Subtract a per-pixel BGR mean image, (3, H, W) like Caffe's ilsvrc_2012_mean.npy, instead of",
          "the per-channel mean [104, 117, 124] the classic notebook uses."})
  Path meanImage;

  @Option(names = "--oversample",
      description = "The paper's 10-crop: corners and centre of a 256x256 resize and their mirrors, averaged.")
  boolean oversample;

  @Option(names = "--input-tensor", paramLabel = "BATCH.npy",
      description = "A float32 [N, 227, 227, 3] array already preprocessed (BGR, mean subtracted), instead of images.")
  Path inputTensor;

  @Option(names = "--list", paramLabel = "FILE",
      description = "A file of image paths, one per line (relative paths are relative to the list's folder).")
  Path list;

  @Option(names = "--strict", description = "Stop at the first unreadable image instead of reporting and skipping it.")
  boolean strict;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
      description = "TensorFlow intra-op threads (default: all cores).")
  int threads;

  @Parameters(paramLabel = "IMAGE", arity = "0..*", description = "Images: JPEG, PNG, GIF (first frame), BMP.")
  List<Path> images = new ArrayList<>();

  AlexNetPredictor predictor() throws IOException {
    Inputs.requireWeightsFile(weights);
    AlexNetPredictor.Builder b = AlexNetPredictor.builder().setWeightsFile(weights).optOversample(oversample)
        .optIntraOpThreads(threads);
    if (meanImage != null) {
      b.optPreprocess(PreprocessConfig.NOTEBOOK.toBuilder().mean(Mean.caffeMeanImage(meanImage)).build());
    }
    Path names = labels != null ? labels : classesBeside(weights);
    if (names != null) {
      b.optLabels(Labels.fromFile(names));
    }
    return b.build();
  }

  /** {@code MODEL.classes.txt} beside {@code MODEL.npz}, as {@code finetune --out} writes them, if it exists. */
  static Path classesBeside(Path weights) {
    String name = weights.getFileName().toString();
    int dot = name.lastIndexOf('.');
    Path names = weights.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".classes.txt");
    return Files.isRegularFile(names) ? names : null;
  }

  /** The images named on the command line and in --list, in that order; refuses none given. */
  List<Path> imagePaths() throws IOException {
    List<Path> all = new ArrayList<>(images);
    if (list != null) {
      Path base = list.toAbsolutePath().getParent();
      for (String line : Files.readAllLines(list)) {
        if (!line.isBlank()) {
          Path p = Path.of(line.strip());
          all.add(p.isAbsolute() ? p : base.resolve(p));
        }
      }
    }
    if (all.isEmpty() == (inputTensor == null)) {
      throw new IllegalArgumentException(inputTensor == null
          ? "no inputs: give IMAGE files, --list FILE or --input-tensor BATCH.npy"
          : "--input-tensor replaces images: give one or the other");
    }
    return all;
  }

  /** The --input-tensor array, checked to be [N, 227, 227, 3]. */
  WeightArray tensor() throws IOException {
    WeightArray a = WeightReader.readArray(inputTensor);
    if (a.rank() != 4 || a.dim(1) != 227 || a.dim(2) != 227 || a.dim(3) != 3) {
      throw new WeightFileException(inputTensor.toString(), null, -1, "input tensor has shape " + a.shapeString()
          + ", expected (N, 227, 227, 3): NHWC, BGR, mean subtracted");
    }
    if (oversample) {
      throw new IllegalArgumentException("--oversample crops images; it cannot apply to --input-tensor");
    }
    return a;
  }
}
