package org.alexnettfj.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.alexnettfj.data.train.BatchPipeline;
import org.alexnettfj.graph.CpuFeatures;
import org.alexnettfj.graph.OneDnn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FinetuneCommandTest {

  @TempDir
  Path dir;

  /** Two classes a random network cannot confuse: dark and light grayscale squares. */
  private void writeTwoClasses(Path root, int perClass) throws IOException {
    for (String cls : new String[] {"dark", "light"}) {
      Path folder = Files.createDirectories(root.resolve(cls));
      for (int i = 0; i < perClass; i++) {
        BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
        int v = (cls.equals("dark") ? 20 : 235) + i;
        for (int y = 0; y < 8; y++) {
          for (int x = 0; x < 8; x++) {
            image.getRaster().setSample(x, y, 0, v);
          }
        }
        ImageIO.write(image, "png", folder.resolve(i + ".png").toFile());
      }
    }
  }

  @Test
  void learnsTwoSyntheticClassesFarAboveChance() throws Exception {
    writeTwoClasses(dir.resolve("train"), 8);
    writeTwoClasses(dir.resolve("val"), 4);
    // No pretrained weights here, so every layer starts fresh and is trained: frozen random features of a fresh
    // AlexNet do not separate even these two classes (see the commit that added this command).
    Run r = Run.of("finetune", "--train", dir.resolve("train").toString(), "--val", dir.resolve("val").toString(),
        "--weights", dir.resolve("absent.npy").toString(), "--train-layers",
        "conv1,conv2,conv3,conv4,conv5,fc6,fc7,fc8", "--epochs", "3", "--batch-size", "4", "--no-augment",
        "--learning-rate", "0.001", "--seed", "0", "--threads", "2", "--workers", "3", "--json",
        "--out", dir.resolve("model.npz").toString());

    assertThat(r.code()).as("exit code; stderr: %s", r.err()).isZero();
    assertThat(r.err()).as("the missing weight file is said in one line").contains("no weights at");
    assertThat(r.err()).contains("validating on 8 (3 decoding threads, large JPEGs DCT-scaled)");
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("epochs").asInt()).isEqualTo(3);
    assertThat(json.get("valImages").asInt()).isEqualTo(8);
    assertThat(json.get("valTop1").asDouble()).as("validation top-1 of 2 classes (chance 0.5): %s", r.out())
        .isGreaterThanOrEqualTo(0.85);
    assertThat(json.get("bestValTop1").asDouble()).as("the best epoch is at least as good as the last")
        .isGreaterThanOrEqualTo(json.get("valTop1").asDouble());
    assertThat(json.get("stoppedEarly").isNull()).isTrue();
    assertThat(json.get("checkpoint").asText()).as("checkpoints default to a folder beside --out")
        .isEqualTo(dir.resolve("model.checkpoints").resolve("ckpt-3").toAbsolutePath().toString());
    JsonNode perClass = json.get("perClass");
    assertThat(perClass).as("one row per class: %s", r.out()).hasSize(2);
    assertThat(perClass.get(0).get("class").asText()).isEqualTo("dark");
    assertThat(perClass.get(0).get("images").asInt() + perClass.get(1).get("images").asInt()).isEqualTo(8);
    assertThat(r.err()).as("the per-class summary goes to the log (stderr with --json)")
        .contains("validation per class, after epoch 3 (macro precision ");
    // precision, recall, F1 from the confusion matrix the JSON also gives (rows: truth)
    JsonNode confusion = json.get("confusion");
    long right0 = confusion.get(0).get(0).asLong();
    long calledDark = right0 + confusion.get(1).get(0).asLong();
    double precision0 = calledDark == 0 ? 0 : (double) right0 / calledDark;
    double recall0 = (double) right0 / perClass.get(0).get("images").asInt();
    assertThat(perClass.get(0).get("precision").asDouble()).isCloseTo(precision0, within(1e-12));
    assertThat(perClass.get(0).get("recall").asDouble()).isCloseTo(recall0, within(1e-12));
    assertThat(json.get("macroF1").asDouble()).isCloseTo((perClass.get(0).get("f1").asDouble()
        + perClass.get(1).get("f1").asDouble()) / 2, within(1e-12));

    // the saved model predicts with its own two classes, named from model.classes.txt beside it
    List<String> args = new ArrayList<>(List.of("predict", "--weights", dir.resolve("model.npz").toString(),
        "--top", "2", "--json"));
    List<String> truth = new ArrayList<>();
    for (String cls : new String[] {"dark", "light"}) {
      for (int i = 0; i < 4; i++) {
        args.add(dir.resolve("val").resolve(cls).resolve(i + ".png").toString());
        truth.add(cls);
      }
    }
    Run p = Run.of(args.toArray(String[]::new));
    assertThat(p.code()).as("predict with the fine-tuned model; stderr: %s", p.err()).isZero();
    JsonNode predictions = new ObjectMapper().readTree(p.out());
    int right = 0;
    for (int i = 0; i < truth.size(); i++) {
      JsonNode top = predictions.get(i).get("top");
      assertThat(top).hasSize(2);
      assertThat(top.get(0).get("label").asText()).isIn("dark", "light");
      right += top.get(0).get("label").asText().equals(truth.get(i)) ? 1 : 0;
    }
    assertThat(right).as("predict agrees with finetune's own validation accuracy: %s", p.out())
        .isGreaterThanOrEqualTo(7);

    // evaluate names what finetune names the same way (docs/cli.md, --json): the per-class rows and the macro means
    Run e = Run.of("evaluate", "--weights", dir.resolve("model.npz").toString(), "--data",
        dir.resolve("val").toString(), "--threads", "2", "--json");
    assertThat(e.code()).as("evaluate the fine-tuned model; stderr: %s", e.err()).isZero();
    JsonNode evaluated = new ObjectMapper().readTree(e.out());
    assertThat(fieldNames(evaluated.get("perClass").get(0))).as("evaluate's perClass keys against finetune's")
        .containsExactlyElementsOf(fieldNames(perClass.get(0)));
    for (String macro : List.of("macroPrecision", "macroRecall", "macroF1")) {
      assertThat(evaluated.has(macro) && json.has(macro)).as("both report %s", macro).isTrue();
    }
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void photosUnderTwiceTheResizeTrainAsWithExactDecodingAndLargeOnesAreDctScaled()
      throws Exception {
    Path photos = Path.of("../data/src/test/resources/images");
    for (String cls : new String[] {"llama", "zebra"}) {
      for (String split : new String[] {"train", "val"}) {
        Path folder = Files.createDirectories(dir.resolve(split).resolve(cls));
        Files.copy(photos.resolve(cls + ".jpeg"), folder.resolve("1.jpg"));
        Files.copy(photos.resolve("sealion.jpeg"), folder.resolve("2.jpg"));
      }
    }
    List<String> common = List.of("finetune", "--train", dir.resolve("train").toString(), "--val",
        dir.resolve("val").toString(), "--weights", dir.resolve("absent.npy").toString(), "--epochs", "1",
        "--batch-size", "2", "--seed", "3", "--threads", "2", "--no-checkpoints", "--json");
    Run fast = Run.of(with(common, "--out", dir.resolve("fast.npz").toString()));
    Run exact = Run.of(with(common, "--exact-decode", "--out", dir.resolve("exact.npz").toString()));
    assertThat(fast.code()).as("stderr: %s", fast.err()).isZero();
    assertThat(exact.code()).as("stderr: %s", exact.err()).isZero();
    assertThat(fast.err()).contains("large JPEGs DCT-scaled");
    assertThat(exact.err()).contains("JPEGs decoded in full");
    // 500 x 336-375 photos are under twice the 256 resize, so decoded in full by the JDK's reader: the same run
    JsonNode a = new ObjectMapper().readTree(fast.out());
    JsonNode b = new ObjectMapper().readTree(exact.out());
    assertThat(a.get("trainLoss").asDouble()).isEqualTo(b.get("trainLoss").asDouble());
    assertThat(Files.readAllBytes(dir.resolve("fast.npz"))).isEqualTo(Files.readAllBytes(dir.resolve("exact.npz")));

    // a 12-megapixel photo is decoded at 1/8 and trains with the rest; a corrupt one is reported and skipped
    BufferedImage big = new BufferedImage(4000, 3000, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < 3000; y += 10) {
      for (int x = 0; x < 4000; x++) {
        big.setRGB(x, y, x * 4096 + y);
      }
    }
    ImageIO.write(big, "jpeg", dir.resolve("train").resolve("zebra").resolve("3.jpg").toFile());
    Files.write(dir.resolve("train").resolve("llama").resolve("3.jpg"), new byte[] {(byte) 0xff, (byte) 0xd8,
        (byte) 0xff, (byte) 0xc0, 0, 11, 8, 0, 16, 0, 16, 3, 1, 0x22, 0});
    Run large = Run.of(with(common, "--out", dir.resolve("large.npz").toString()));
    assertThat(large.code()).as("one unreadable image: trained on the rest, then exit 3; stderr: %s", large.err())
        .isEqualTo(AlexNetCli.EXIT_SOME_INPUTS_FAILED);
    JsonNode c = new ObjectMapper().readTree(large.out());
    assertThat(c.get("trainImages").asInt()).isEqualTo(6);
    assertThat(c.get("skipped").asInt()).isEqualTo(1);
    assertThat(large.err()).contains("llama" + java.io.File.separator + "3.jpg");
  }

  @Test
  void bf16TrainsWhereTheCoreHasItAndIsRefusedInOneLineElsewhere() throws Exception {
    writeTwoClasses(dir.resolve("train"), 2);
    writeTwoClasses(dir.resolve("val"), 1);
    Run r = Run.of("finetune", "--train", dir.resolve("train").toString(), "--val", dir.resolve("val").toString(),
        "--weights", dir.resolve("absent.npy").toString(), "--epochs", "1", "--batch-size", "2", "--threads", "2",
        "--learning-rate", "1e-6", "--no-checkpoints", "--precision", "bf16", "--json");
    if (OneDnn.enabled() && CpuFeatures.bf16()) {
      assertThat(r.code()).as("stderr: %s", r.err()).isZero();
      assertThat(r.err()).contains("large JPEGs DCT-scaled, bf16)");
      assertThat(new ObjectMapper().readTree(r.out()).get("trainLoss").asDouble()).isFinite();
    } else {
      assertThat(r.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
      assertThat(r.err()).contains("alexnet finetune: precision bf16 needs").doesNotContain("\tat ");
    }
  }

  private static String[] with(List<String> common, String... more) {
    List<String> all = new ArrayList<>(common);
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  @Test
  void aDivergingLossStopsNamingEpochAndStepAndWritesNoCheckpointOrModel() throws Exception {
    writeTwoClasses(dir.resolve("train"), 2);
    writeTwoClasses(dir.resolve("val"), 1);
    Path checkpoints = dir.resolve("ck");
    // 1e30: weight decay alone multiplies fc8 by -5e26 a step, so after the second step fc8 is no longer finite
    // (caught by the step's cross-entropy or, when it is the epoch's last step, the check after the epoch).
    Run r = Run.of("finetune", "--train", dir.resolve("train").toString(), "--val", dir.resolve("val").toString(),
        "--weights", dir.resolve("absent.npy").toString(), "--epochs", "2", "--batch-size", "2",
        "--learning-rate", "1e30", "--threads", "2", "--checkpoint-dir", checkpoints.toString(), "--json",
        "--out", dir.resolve("model.npz").toString());

    assertThat(r.code()).as("non-zero exit; stderr: %s", r.err()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    String last = r.err().strip().lines().reduce((a, b) -> b).orElse("");
    assertThat(last).as("one line naming epoch and global step").startsWith("alexnet finetune: ")
        .contains("epoch 1, global step 2").contains("training diverged; lower the learning rate");
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("stoppedEarly").asText()).as("--json still ends with the object: %s", r.out())
        .contains("epoch 1, global step 2");
    assertThat(json.get("epochs").asInt()).as("epochs completed").isZero();
    assertThat(checkpoints.resolve("ckpt-1.index")).as("no checkpoint holding NaN").doesNotExist();
    assertThat(dir.resolve("model.npz")).as("no model holding NaN").doesNotExist();
  }

  @Test
  void logsLearningRateDropsAndResumesWithTheSameOptionsOnly() throws Exception {
    writeTwoClasses(dir.resolve("train"), 2);
    writeTwoClasses(dir.resolve("val"), 1);
    List<String> common = List.of("finetune", "--train", dir.resolve("train").toString(), "--val",
        dir.resolve("val").toString(), "--weights", dir.resolve("absent.npy").toString(), "--batch-size", "2",
        "--learning-rate", "1e-9", "--lr-patience", "1", "--threads", "2", "--checkpoint-dir",
        dir.resolve("ck").toString());
    // A rate too small to change a prediction: validation top-1 stays where epoch 1 put it.
    Run first = run(common, "--epochs", "2");

    assertThat(first.code()).as("stderr: %s", first.err()).isZero();
    assertThat(first.out()).contains("epoch 2/2  train loss")
        .as("an epoch line comes once its checkpoint is complete, and names it")
        .containsPattern("epoch 1/2  train loss [^\\n]*  saved ckpt-1\\R")
        .containsPattern("epoch 2/2  train loss [^\\n]*  saved ckpt-2\\R")
        .contains("learning rate 1E-9 -> 1E-10: validation top-1 has not improved for 1 epoch (best 0.500 at epoch 1)")
        .contains("best val top-1 0.500 at epoch 1")
        .containsPattern("  dark +1 +\\d\\.\\d{3}  ");

    Run other = run(common, "--epochs", "3", "--resume", "--keep-prob", "0.9");
    assertThat(other.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(other.err()).as("the difference is named").contains("cannot resume from")
        .contains("keep prob 0.5 (now 0.9)");

    Run fresh = run(common, "--epochs", "3");
    assertThat(fresh.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(fresh.err()).as("an earlier run's checkpoints are not silently replaced")
        .contains("holds checkpoints of an earlier run (latest ckpt-2): add --resume to continue it, or --force");

    Run resumed = run(common, "--epochs", "3", "--resume", "--json");
    assertThat(resumed.code()).as("stderr: %s", resumed.err()).isZero();
    assertThat(resumed.err()).contains("resuming from " + dir.resolve("ck").resolve("ckpt-2").toAbsolutePath()
        + ": 2 epochs done, global step 4, learning rate 1E-10").doesNotContain("epoch 2/3");
    JsonNode json = new ObjectMapper().readTree(resumed.out());
    assertThat(json.get("epochs").asInt()).isEqualTo(3);
    assertThat(json.get("globalStep").asInt()).isEqualTo(6);
    assertThat(json.get("learningRate").floatValue()).as("divided after epochs 2 and 3").isEqualTo(1e-10f * 0.1f);
    assertThat(json.get("bestEpoch").asInt()).isEqualTo(1);
    assertThat(json.get("resumedFrom").asText()).endsWith("ckpt-2");
  }

  @Test
  void classWeightsAutoAreInverseFrequencyAndResumeRefusesOthers() throws Exception {
    // 10 dark and 1 light training image: auto gives n / (classes * n_c) = 11/20 and 11/2, a ratio of 1:10
    writeTwoClasses(dir.resolve("train"), 10);
    Files.delete(dir.resolve("train/light/0.png"));
    for (int i = 2; i < 10; i++) {
      Files.delete(dir.resolve("train/light/" + i + ".png"));
    }
    writeTwoClasses(dir.resolve("val"), 1);
    List<String> common = List.of("finetune", "--train", dir.resolve("train").toString(), "--val",
        dir.resolve("val").toString(), "--weights", dir.resolve("absent.npy").toString(), "--batch-size", "4",
        "--learning-rate", "1e-9", "--threads", "2", "--checkpoint-dir", dir.resolve("ck").toString());
    Run first = run(common, "--epochs", "1", "--class-weights", "auto");
    assertThat(first.code()).as("stderr: %s", first.err()).isZero();
    assertThat(first.out()).contains("class weights: dark 0.5500, light 5.500");

    Path file = Files.writeString(dir.resolve("weights.txt"), "# equal\ndark 1\nlight 1\n");
    Run other = run(common, "--epochs", "2", "--resume", "--class-weights", file.toString());
    assertThat(other.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(other.err()).contains("cannot resume from").contains("class weights");
    Run bad = run(common, "--epochs", "1", "--force", "--class-weights",
        Files.writeString(dir.resolve("bad.txt"), "dark 1\ncat 2\n").toString());
    assertThat(bad.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(bad.err()).contains("bad.txt:2: expected 'class weight' with a class of [dark, light]");
  }

  private static Run run(List<String> common, String... more) {
    List<String> args = new ArrayList<>(common);
    args.addAll(List.of(more));
    return Run.of(args.toArray(String[]::new));
  }

  /**
   * --cache-features computes pool5 once and trains fc8 from it; with augmentation off it must be the same training
   * as from the images (same batches, same dropout masks: only conv rounding differs). Its TensorBoard log must
   * hold the run: a loss per step, validation top-1 per epoch, histograms and the graph.
   */
  @Test
  void cachedFeaturesTrainAsTheImagesDoAndTensorBoardRecordsTheRun() throws Exception {
    writeTwoClasses(dir.resolve("train"), 6);
    writeTwoClasses(dir.resolve("val"), 2);
    List<String> common = List.of("finetune", "--train", dir.resolve("train").toString(), "--val",
        dir.resolve("val").toString(), "--weights", dir.resolve("absent.npy").toString(), "--train-layers", "fc7,fc8",
        "--epochs", "2", "--batch-size", "4", "--no-augment", "--learning-rate", "0.001", "--keep-prob", "0.5",
        "--seed", "5", "--threads", "2", "--no-checkpoints", "--json");
    List<String> images = new ArrayList<>(common);
    images.addAll(List.of("--out", dir.resolve("images.npz").toString()));
    List<String> cached = new ArrayList<>(common);
    cached.addAll(List.of("--cache-features", "--out", dir.resolve("cached.npz").toString(), "--logdir",
        dir.resolve("runs").toString()));

    Run fromImages = Run.of(images.toArray(String[]::new));
    Run fromCache = Run.of(cached.toArray(String[]::new));

    assertThat(fromImages.code()).as("stderr: %s", fromImages.err()).isZero();
    assertThat(fromCache.code()).as("stderr: %s", fromCache.err()).isZero();
    assertThat(fromCache.err()).contains("pool5 features cached for 12 training and 4 validation images");
    JsonNode a = new ObjectMapper().readTree(fromImages.out());
    JsonNode b = new ObjectMapper().readTree(fromCache.out());
    assertThat(b.get("trainLoss").asDouble()).as("last epoch's loss, cached vs images")
        .isCloseTo(a.get("trainLoss").asDouble(), org.assertj.core.api.Assertions.within(
            1e-4 * Math.abs(a.get("trainLoss").asDouble())));
    assertThat(b.get("globalStep").asLong()).isEqualTo(a.get("globalStep").asLong()).isEqualTo(6);
    org.alexnettfj.weights.AlexNetWeights wa = org.alexnettfj.weights.AlexNetWeights.complete(
        org.alexnettfj.weights.WeightReader.read(dir.resolve("images.npz")));
    org.alexnettfj.weights.AlexNetWeights wb = org.alexnettfj.weights.AlexNetWeights.complete(
        org.alexnettfj.weights.WeightReader.read(dir.resolve("cached.npz")));
    assertThat(wb.weights("conv3").data()).as("frozen conv3 saved from the cache's weights, bit for bit")
        .isEqualTo(wa.weights("conv3").data());
    float[] fa = wa.weights("fc7").data();
    float[] fb = wb.weights("fc7").data();
    double diff = 0;
    double change = 0;
    float[] start = org.alexnettfj.graph.FreshInit.initialValue("fc7/weights", null, 2, 5).data();
    for (int i = 0; i < fa.length; i++) {
      diff = Math.max(diff, Math.abs(fa[i] - fb[i]));
      change = Math.max(change, Math.abs(fa[i] - start[i]));
    }
    assertThat(change).as("fc7 was trained").isGreaterThan(1e-5);
    assertThat(diff).as("fc7 trained from the cache vs from the images, against the largest change %s", change)
        .isLessThan(1e-3 * change);

    List<Path> files = org.alexnettfj.train.tensorboard.EventFileReader.eventFiles(dir.resolve("runs"));
    assertThat(files).as("one event file").hasSize(1);
    var events = org.alexnettfj.train.tensorboard.EventFileReader.read(files.get(0));
    assertThat(events.scalars("train/loss")).as("a loss per step").hasSize(6)
        .extracting(org.alexnettfj.train.tensorboard.EventFileReader.Scalar::step).containsExactly(1L, 2L, 3L, 4L,
            5L, 6L);
    var top1 = events.scalars("validation/top1");
    assertThat(top1).as("validation top-1 per epoch, at the epoch's last step").hasSize(2)
        .extracting(org.alexnettfj.train.tensorboard.EventFileReader.Scalar::step).containsExactly(3L, 6L);
    assertThat((double) top1.get(1).value()).isCloseTo(b.get("valTop1").asDouble(),
        org.assertj.core.api.Assertions.within(1e-6));
    assertThat(events.histograms("fc8/weights")).hasSize(2);
    assertThat(events.histograms("fc7/weights/gradient")).hasSize(2);
    assertThat(events.histograms("fc8/weights").get(1).histogram().getNum()).as("fc8/weights has 4096 x 2 values")
        .isEqualTo(8192);
    assertThat(events.graphDefs()).as("the training graph").hasSize(1);
    assertThat(events.graphDefs().get(0).length).isGreaterThan(1000);
  }

  @Test
  void cachedFeaturesNeedFrozenConvLayersAndNoAugmentation() throws Exception {
    writeTwoClasses(dir.resolve("train"), 2);
    Run augmented = Run.of("finetune", "--train", dir.resolve("train").toString(), "--cache-features");
    Run conv = Run.of("finetune", "--train", dir.resolve("train").toString(), "--cache-features", "--no-augment",
        "--train-layers", "conv5,fc6,fc7,fc8");

    assertThat(augmented.code()).isEqualTo(AlexNetCli.EXIT_USAGE);
    assertThat(augmented.err()).contains("--cache-features needs --no-augment");
    assertThat(conv.code()).isEqualTo(AlexNetCli.EXIT_USAGE);
    assertThat(conv.err()).contains("--cache-features trains fc6-fc8 only").contains("conv5,fc6,fc7,fc8");
  }

  @Test
  void missingTrainPathFailsWithOneLine() {
    Run r = Run.of("finetune", "--train", dir.resolve("nowhere").toString());

    assertThat(r.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(r.err().strip()).as("one line naming the path")
        .isEqualTo("alexnet finetune: --train " + dir.resolve("nowhere") + ": no such file or directory");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--train-layers | fc7 | must include fc8",
      "--workers      | 0   | --workers must be at least 1, was 0"})
  void optionsThatCannotTrainAreRefused(String option, String value, String message) throws Exception {
    writeTwoClasses(dir.resolve("train"), 2);
    Run r = Run.of("finetune", "--train", dir.resolve("train").toString(), option, value);

    assertThat(r.code()).as("exit code for %s %s", option, value).isEqualTo(AlexNetCli.EXIT_USAGE);
    assertThat(r.err()).contains(message);
  }

  @Test
  void trainsOnTheFirstCpuAndRefusesADeviceThatDoesNotExist() throws Exception {
    writeTwoClasses(dir.resolve("train"), 2);
    List<String> common = List.of("finetune", "--train", dir.resolve("train").toString(), "--val-split", "0.5",
        "--weights", dir.resolve("absent.npy").toString(), "--epochs", "1", "--batch-size", "2", "--no-augment",
        "--no-checkpoints");
    List<String> cpu = new ArrayList<>(common);
    cpu.addAll(List.of("--device", "/CPU:0", "--json"));
    List<String> missing = new ArrayList<>(common);
    missing.addAll(List.of("--device", "/GPU:99"));

    Run onCpu = Run.of(cpu.toArray(String[]::new));
    Run onNothing = Run.of(missing.toArray(String[]::new));

    assertThat(onCpu.code()).as("exit code on /CPU:0; stderr: %s", onCpu.err()).isZero();
    assertThat(onCpu.err()).as("on the CPU, the pipeline's default number of decoding threads")
        .contains("(" + BatchPipeline.defaultWorkers() + " decoding thread");
    assertThat(new ObjectMapper().readTree(onCpu.out()).get("epochs").asInt()).as("epochs reported").isEqualTo(1);
    assertThat(onNothing.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(onNothing.err().strip().lines().reduce((a, b) -> b).orElseThrow()).as("the last line of stderr")
        .startsWith("alexnet finetune: device /GPU:99 does not exist here: TensorFlow sees /CPU:0");
  }

  @Test
  void validationWithOtherClassesIsRefused() throws Exception {
    writeTwoClasses(dir.resolve("train"), 2);
    writeTwoClasses(dir.resolve("val"), 2);
    Files.move(dir.resolve("val/light"), dir.resolve("val/bright"));
    Run r = Run.of("finetune", "--train", dir.resolve("train").toString(), "--val", dir.resolve("val").toString());

    assertThat(r.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(r.err().strip()).as("one line naming both class lists")
        .isEqualTo("alexnet finetune: --val has classes [bright, dark] but --train has [dark, light]");
  }
}
