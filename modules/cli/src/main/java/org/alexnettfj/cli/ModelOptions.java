package org.alexnettfj.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.alexnettfj.command.UsageError;
import org.alexnettfj.data.Mean;
import org.alexnettfj.data.PreprocessConfig;
import org.alexnettfj.graph.AlexNetModel;
import org.alexnettfj.graph.AlexNetPredictor;
import org.alexnettfj.graph.Precision;
import org.alexnettfj.graph.Labels;
import org.alexnettfj.graph.Placement;
import org.alexnettfj.weights.WeightArray;
import org.alexnettfj.weights.WeightFileException;
import org.alexnettfj.weights.WeightReader;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * What predict and features share: the weights, the inputs (images, a list, or a preprocessed tensor), and the
 * devices the model runs on.
 */
final class ModelOptions {

  @Option(names = "--weights", paramLabel = "FILE", defaultValue = "weights/bvlc_alexnet.npy",
      description = SharedOptions.WEIGHTS + " Default: ${DEFAULT-VALUE}")
  Path weights;

  /** The class names, for the commands that print them (predict's --labels). */
  Path labels;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "64",
      description = SharedOptions.BATCH_SIZE + " Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(names = "--mean-image", paramLabel = "MEAN.npy",
      description = "Subtract a per-pixel BGR mean image, (3, H, W) like Caffe's ilsvrc_2012_mean.npy, instead of "
          + "the per-channel mean [104, 117, 124] the classic notebook uses.")
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

  @Mixin
  SharedOptions.Strict strict;

  @Option(names = "--precision", paramLabel = "fp32|bf16", defaultValue = "fp32",
      converter = PrecisionConverter.class,
      description = "Arithmetic: fp32 (default, exact) or bf16 (faster, approximate: oneDNN's bfloat16 kernels, on "
          + "cores with avx512_bf16 or AMX; refused elsewhere). See docs/building.md, Speed.")
  Precision precision;

  /** picocli's converter for {@code --precision}: the values {@link Precision#parse} reads. */
  static final class PrecisionConverter implements picocli.CommandLine.ITypeConverter<Precision> {
    @Override
    public Precision convert(String value) {
      return Precision.parse(value);
    }
  }

  @Mixin
  SharedOptions.Threads threads;

  @Mixin
  SharedOptions.Device device;

  @Option(names = "--towers", paramLabel = "2",
      description = "Split AlexNet over two devices as the paper did (needs --devices): each tower runs one group "
          + "of conv2, conv4 and conv5 and half of conv3, fc6 and fc7; conv1, norm1, pool1, norm2, pool2 and fc8 "
          + "run on the first. Results are those of one device.")
  Integer towers;

  @Option(names = "--devices", paramLabel = "D0,D1", split = ",", hideParamSyntax = true,
      description = "The two towers' devices, e.g. /GPU:0,/GPU:1.")
  List<String> devices;

  @Option(names = "--cpu-devices", paramLabel = "N", defaultValue = "1",
      description = "Split the CPU into N TensorFlow devices /CPU:0 ... /CPU:N-1 sharing its cores: to try "
          + "--towers (--devices /CPU:0,/CPU:1) or --device /CPU:1 without GPUs. Default: ${DEFAULT-VALUE}.")
  int cpuDevices;

  @Option(names = "--log-placement",
      description = "Print to stderr the device of every op (per layer, then op by op), from TensorFlow's "
          + "partition graphs of a run of one blank image before the real work.")
  boolean logPlacement;

  @Parameters(paramLabel = "IMAGE", arity = "0..*", description = "Images: JPEG, PNG, GIF (first frame), BMP.")
  List<Path> images = new ArrayList<>();

  AlexNetPredictor predictor() throws IOException {
    if (batchSize < 1) {
      throw new UsageError("--batch-size must be at least 1, was " + batchSize);
    }
    return predictor(weights, labels, meanImage, oversample, threads.count(), placement(), precision,
        batchSize);
  }

  /** The predictor these options describe; {@code serve} builds its own from the same few options. */
  static AlexNetPredictor predictor(Path weights, Path labels, Path meanImage, boolean oversample, int threads,
      Placement placement, Precision precision) throws IOException {
    return predictor(weights, labels, meanImage, oversample, threads, placement, precision,
        AlexNetModel.DEFAULT_MAX_BATCH);
  }

  /** As above, {@code batchSize} images per forward pass. */
  static AlexNetPredictor predictor(Path weights, Path labels, Path meanImage, boolean oversample, int threads,
      Placement placement, Precision precision, int batchSize) throws IOException {
    Inputs.requireWeightsFile(weights);
    AlexNetPredictor.Builder b = AlexNetPredictor.builder().setWeightsFile(weights).optOversample(oversample)
        .optIntraOpThreads(threads).optPlacement(placement).optPrecision(precision).optBatchSize(batchSize);
    if (meanImage != null) {
      b.optPreprocess(PreprocessConfig.NOTEBOOK.toBuilder().mean(Mean.caffeMeanImage(meanImage)).build());
    }
    Path names = labels != null ? labels : Labels.classesFileBeside(weights);
    if (names != null) {
      b.optLabels(Labels.fromFile(names));
    }
    return b.build();
  }

  /** Receives each readable image's row of a layer. */
  @FunctionalInterface
  interface RowSink {
    void accept(Path image, float[] row) throws IOException;
  }

  /**
   * {@code layer} of every image, to {@code rows} in order, a progress bar titled {@code title} meanwhile; an
   * unreadable image is named on {@code err} ("alexnet COMMAND: skipped ...") and left out, or stops the run with
   * --strict. Returns how many were left out.
   */
  int runImages(AlexNetPredictor predictor, List<Path> images, String layer, String command, String title,
      PrintWriter err, RowSink rows) throws IOException {
    int[] skipped = {0};
    try (Progress progress = Progress.items(title)) {
      predictor.run(images, layer, strict.on(), new AlexNetPredictor.Sink() {
        @Override
        public void accept(AlexNetPredictor.Outcome o) throws IOException {
          if (!o.ok()) {
            skipped[0]++;
            err.println("alexnet " + command + ": skipped " + o.error().getMessage());
            return;
          }
          rows.accept(o.path(), o.output());
        }

        @Override
        public void progress(int done, int total) {
          progress.progress(done, total);
        }
      });
    }
    return skipped[0];
  }

  /** --device, or --towers 2 --devices D0,D1, with --cpu-devices; TensorFlow's choice without them. */
  Placement placement() {
    if (devices != null && towers == null) {
      throw new UsageError("--devices goes with --towers 2; for one device use --device");
    }
    Placement p = Placement.DEFAULT;
    if (towers != null) {
      if (towers != 2) {
        throw new UsageError("--towers must be 2, AlexNet's two towers (the paper's two GPUs), was "
            + towers + "; for one device use --device");
      }
      if (device.name() != null) {
        throw new UsageError("give --device or --towers 2 --devices D0,D1, not both");
      }
      if (devices == null || devices.size() != 2) {
        throw new UsageError("--towers 2 needs two devices, e.g. --devices /GPU:0,/GPU:1"
            + (devices == null ? "" : "; got " + String.join(",", devices)));
      }
      p = Placement.towers(devices.get(0), devices.get(1));
    } else {
      p = device.placement();
    }
    return cpuDevices == 1 ? p : p.withCpuDevices(cpuDevices);
  }

  /** With --log-placement: where each op runs when {@code layer} is computed, on {@code err}. */
  void logPlacement(AlexNetPredictor predictor, String layer, PrintWriter err) {
    if (logPlacement) {
      err.printf("op placement (%s) computing %s, from a run of one blank image:%n",
          predictor.model().placement(), layer);
      err.print(predictor.model().opPlacement(layer).format());
      err.flush();
    }
  }

  /** The images named on the command line and in --list, in that order; refuses none given. */
  List<Path> imagePaths() throws IOException {
    // what the command line names is a usage error; a --list file that names no image is unusable input
    if (images.isEmpty() && list == null && inputTensor == null) {
      throw new UsageError("no inputs: give IMAGE files, --list FILE or --input-tensor BATCH.npy");
    }
    if (inputTensor != null && (!images.isEmpty() || list != null)) {
      throw new UsageError("--input-tensor replaces images: give one or the other");
    }
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
    if (all.isEmpty() && inputTensor == null) {
      throw new IllegalArgumentException("no inputs: " + list + " names no image");
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
      throw new UsageError("--oversample crops images; it cannot apply to --input-tensor");
    }
    return a;
  }
}
