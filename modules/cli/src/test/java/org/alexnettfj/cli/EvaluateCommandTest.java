package org.alexnettfj.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.alexnettfj.data.Preprocessor;
import org.alexnettfj.graph.AlexNetModel;
import org.alexnettfj.testfixtures.RandomAlexNet;
import org.alexnettfj.weights.AlexNetSpec;
import org.alexnettfj.weights.AlexNetWeights;
import org.alexnettfj.weights.NpzWriter;
import org.alexnettfj.weights.WeightReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code evaluate} end to end: a 6-class model fine-tuned (briefly, so it is right on some images and wrong on
 * others) by {@code finetune --out}, evaluated, and its numbers checked against a count made here from the model's
 * own fc8 on each image.
 */
class EvaluateCommandTest {

  private static final String[] CLASSES = {"c0", "c1", "c2", "c3", "c4", "c5"};

  @TempDir
  static Path shared;

  static Path model;
  static Path val;

  @TempDir
  Path dir;

  /** {@code perClass} noisy images per class; class k is a grey level and a stripe period of its own. */
  private static void writeImages(Path root, int perClass, long seed) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    for (int k = 0; k < CLASSES.length; k++) {
      Path folder = Files.createDirectories(root.resolve(CLASSES[k]));
      for (int i = 0; i < perClass; i++) {
        BufferedImage image = new BufferedImage(24, 24, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 24; y++) {
          for (int x = 0; x < 24; x++) {
            int stripe = (x / (k + 2)) % 2 == 0 ? 30 : -30;
            int v = 40 + 30 * k + stripe + random.nextInt(-40, 41);
            image.getRaster().setSample(x, y, 0, Math.max(0, Math.min(255, v)));
          }
        }
        ImageIO.write(image, "png", folder.resolve("img " + i + ".png").toFile());
      }
    }
  }

  /**
   * Stand-in pretrained weights (the real ones are not on CI): uniform with He variance {@code 2 / fan_in}, so
   * random features still carry the image; conv1 scaled down by 50 so that activations are of order 1 for pixels
   * of order 50. fc8 has ImageNet's 1000 outputs, as in bvlc_alexnet.npy.
   */
  private static void writeStandInWeights(Path file) throws IOException {
    NpzWriter.write(file, RandomAlexNet.of(AlexNetSpec.IMAGENET_CLASSES, 7,
        layer -> RandomAlexNet.heHalfWidth(layer) / (layer.name().equals("conv1") ? 50 : 1), layer -> 0));
  }

  @BeforeAll
  static void fineTuneASmallModel() throws Exception {
    writeImages(shared.resolve("train"), 4, 1);
    val = shared.resolve("val");
    writeImages(val, 3, 2);
    Path pretrained = shared.resolve("stand-in.npz");
    writeStandInWeights(pretrained);
    model = shared.resolve("model.npz");
    // fc8 only, on the stand-in's frozen random features, briefly: right on some images and wrong on others.
    Run r = Run.of("finetune", "--train", shared.resolve("train").toString(), "--val", val.toString(),
        "--weights", pretrained.toString(), "--train-layers", "fc8", "--epochs", "4", "--batch-size", "4",
        "--no-augment", "--keep-prob", "1", "--learning-rate", "0.00001", "--seed", "0", "--threads", "2",
        "--out", model.toString(), "--report", shared.resolve("finetune.html").toString());
    assertThat(r.code()).as("finetune; stderr: %s", r.err()).isZero();
    Files.delete(pretrained);
  }

  /** The count made here: each image preprocessed alone, the model's fc8, ranks with ties to the lower index. */
  private record Expected(int images, int top1, int top5, Map<String, int[]> perClass,
      Map<String, Map<String, Integer>> mistakes) {
  }

  private static Expected countDirectly(Path root) throws Exception {
    Preprocessor pre = new Preprocessor(EvaluateCommand.PREPROCESS);
    int images = 0;
    int top1 = 0;
    int top5 = 0;
    Map<String, int[]> perClass = new TreeMap<>();
    Map<String, Map<String, Integer>> mistakes = new TreeMap<>();
    try (AlexNetModel m = AlexNetModel.builder().setWeights(AlexNetWeights.complete(WeightReader.read(model)))
        .build()) {
      for (int k = 0; k < CLASSES.length; k++) {
        List<Path> files;
        try (Stream<Path> s = Files.list(root.resolve(CLASSES[k]))) {
          files = s.sorted().toList();
        }
        for (Path f : files) {
          float[] scores = m.logits(pre.apply(f), 1)[0];
          List<Integer> order = new ArrayList<>();
          for (int c = 0; c < scores.length; c++) {
            order.add(c);
          }
          order.sort((a, b) -> Float.compare(scores[b], scores[a]));   // stable: ties keep the lower index first
          int rank = order.indexOf(k);
          images++;
          top1 += rank == 0 ? 1 : 0;
          top5 += rank < 5 ? 1 : 0;
          int[] t = perClass.computeIfAbsent(CLASSES[k], x -> new int[2]);
          t[0]++;
          t[1] += rank == 0 ? 1 : 0;
          if (rank != 0) {
            mistakes.computeIfAbsent(CLASSES[k], x -> new TreeMap<>()).merge(CLASSES[order.get(0)], 1, Integer::sum);
          }
        }
      }
    }
    return new Expected(images, top1, top5, perClass, mistakes);
  }

  private static void assertMatches(JsonNode json, Expected e) {
    assertThat(json.get("images").asInt()).isEqualTo(e.images());
    assertThat(json.get("top1").asDouble()).as("top-1").isCloseTo((double) e.top1() / e.images(), within(1e-12));
    assertThat(json.get("top5").asDouble()).as("top-5").isCloseTo((double) e.top5() / e.images(), within(1e-12));
    assertThat(json.get("perClass")).hasSize(e.perClass().size());
    for (JsonNode c : json.get("perClass")) {
      String name = c.get("class").asText();
      int[] t = e.perClass().get(name);
      assertThat(c.get("images").asInt()).as("images of %s", name).isEqualTo(t[0]);
      assertThat(c.get("top1").asDouble()).as("top-1 of %s", name).isCloseTo((double) t[1] / t[0], within(1e-12));
      // precision: right / all images the model called this class (counted here from every class's mistakes)
      long calledIt = t[1];
      for (Map<String, Integer> wrongs : e.mistakes().values()) {
        calledIt += wrongs.getOrDefault(name, 0);
      }
      double precision = calledIt == 0 ? 0 : (double) t[1] / calledIt;
      double recall = (double) t[1] / t[0];
      assertThat(c.get("precision").asDouble()).as("precision of %s", name).isCloseTo(precision, within(1e-12));
      assertThat(c.get("recall").asDouble()).as("recall of %s", name).isCloseTo(recall, within(1e-12));
      assertThat(c.get("f1").asDouble()).as("F1 of %s", name).isCloseTo(precision + recall == 0 ? 0
          : 2 * precision * recall / (precision + recall), within(1e-12));
      Map<String, Integer> wrong = e.mistakes().getOrDefault(name, Map.of());
      if (wrong.isEmpty()) {
        assertThat(c.get("mistakenFor").isNull()).as("%s: no mistakes", name).isTrue();
      } else {
        int most = wrong.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
        String first = wrong.entrySet().stream().filter(x -> x.getValue() == most).map(Map.Entry::getKey)
            .findFirst().orElseThrow();   // names c0..c5 sort as their indices
        assertThat(c.get("mistakenFor").asText()).as("most confused with, for %s: %s", name, wrong)
            .isEqualTo(first);
        assertThat(c.get("mistakes").asInt()).isEqualTo(most);
      }
    }
  }

  private static int count(String html, String regex) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(regex).matcher(html);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  /** The heat map's cells ({@code "c1 as c3: 2"}) hold the confusion counted here from the model's own scores. */
  private static void assertHeatMapMatches(String html, Expected e) {
    for (String truth : CLASSES) {
      int[] t = e.perClass().get(truth);
      for (String predicted : CLASSES) {
        int expected = truth.equals(predicted) ? t[1]
            : e.mistakes().getOrDefault(truth, Map.of()).getOrDefault(predicted, 0);
        assertThat(html).as("cell %s as %s", truth, predicted)
            .contains("<title>" + truth + " as " + predicted + ": " + expected + "</title>");
      }
    }
  }

  @Test
  void evaluateReportHoldsTheConfusionAndTheMistakes() throws Exception {
    Path report = dir.resolve("eval.html");
    Run r = Run.of("evaluate", "--weights", model.toString(), "--data", val.toString(), "--threads", "2",
        "--report", report.toString());
    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    assertThat(r.err()).contains("wrote " + report);
    String html = Files.readString(report);
    Expected e = countDirectly(val);
    assertHeatMapMatches(html, e);
    assertThat(html).doesNotContain("<svg class=\"chart\"");
    int wrong = e.images() - e.top1();
    assertThat(count(html, "<figure class=\"mistake\"")).isEqualTo(Math.min(wrong, 32));
    assertThat(count(html, "<img alt=\"[^\"]*\" src=\"data:image/jpeg;base64,")).isEqualTo(Math.min(wrong, 32));
  }

  @Test
  void finetuneReportHasTheCurvesOfEveryEpochAndTheLastValidation() throws Exception {
    String html = Files.readString(shared.resolve("finetune.html"));
    assertThat(count(html, "<svg class=\"chart\"")).isEqualTo(2);
    // 4 epochs: four points on each line (loss; top-1 and top-5 for 6 classes)
    assertThat(count(html, "<circle ")).isEqualTo(3 * 4);
    assertThat(count(html, "<tr><td class=\"n\">")).as("the epochs table").isEqualTo(4);
    // the last epoch's validation is the model saved by --out: the same confusion as evaluating it
    assertHeatMapMatches(html, countDirectly(val));
    assertThat(html).contains("train layers").contains("fc8");
  }

  @Test
  void topOneTopFiveAndPerClassEqualACountFromTheModelsOwnScores() throws Exception {
    Run r = Run.of("evaluate", "--weights", model.toString(), "--data", val.toString(), "--batch-size", "4",
        "--threads", "2", "--json");

    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(r.out());
    Expected e = countDirectly(val);
    System.out.printf("evaluate: top-1 %d/%d, top-5 %d/%d%n", e.top1(), e.images(), e.top5(), e.images());
    assertThat(e.top1()).as("a model that is neither always right nor always wrong tests more")
        .isBetween(1, e.images() - 1);
    assertMatches(json, e);
    assertThat(json.get("skipped").asInt()).isZero();
    assertThat(json.get("imagesPerSecond").asDouble()).isPositive();
    assertThat(json.get("perClass").get(0).get("class").asText()).as("names from model.classes.txt").isEqualTo("c0");

    Run text = Run.of("evaluate", "--weights", model.toString(), "--data", val.toString(), "--threads", "2");
    assertThat(text.code()).isZero();
    assertThat(text.out()).contains("18 images of 6 classes, 0 skipped")
        .contains(String.format(java.util.Locale.ROOT, "top-1 %.4f  top-5 %.4f", e.top1() / 18.0, e.top5() / 18.0))
        .contains("most confused with").containsPattern("(?m)^c3 +3 +\\d\\.\\d{3}  ");
  }

  @Test
  void aListFileAndAZipOfTheSameImagesGiveTheSameNumbers() throws Exception {
    Path lists = dir.resolve("lists");
    assertThat(Run.of("make-lists", val.toString(), "--val-split", "0", "--out", lists.toString()).code()).isZero();
    Path zip = dir.resolve("val.zip");
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip)); Stream<Path> files = Files.walk(val)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        z.putNextEntry(new ZipEntry("val/" + val.relativize(f).toString().replace('\\', '/')));
        Files.copy(f, (OutputStream) z);
        z.closeEntry();
      }
    }
    Expected e = countDirectly(val);

    for (Path data : List.of(lists.resolve("train.txt"), zip)) {
      Run r = Run.of("evaluate", "--weights", model.toString(), "--data", data.toString(), "--threads", "2",
          "--json");
      assertThat(r.code()).as("%s; stderr: %s", data, r.err()).isZero();
      assertMatches(new ObjectMapper().readTree(r.out()), e);
    }
  }

  @Test
  void classFoldersTheModelDoesNotHaveAreRefusedNamingBothLists() throws Exception {
    writeImages(dir.resolve("data"), 1, 3);
    Files.move(dir.resolve("data/c5"), dir.resolve("data/zebra"));

    Run r = Run.of("evaluate", "--weights", model.toString(), "--data", dir.resolve("data").toString());

    assertThat(r.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(r.err().strip()).as("one line").isEqualTo("alexnet evaluate: --data " + dir.resolve("data")
        + " has classes [c0, c1, c2, c3, c4, zebra] but the model " + model + " has [c0, c1, c2, c3, c4, c5] (from "
        + shared.resolve("model.classes.txt") + "); not in the model: [zebra]");
  }

  @Test
  void aListLabelBeyondTheModelsClassesIsRefused() throws Exception {
    Path list = Files.writeString(dir.resolve("list.txt"), val.resolve("c0/img 0.png") + " 0\n"
        + val.resolve("c1/img 0.png") + " 6\n");

    Run r = Run.of("evaluate", "--weights", model.toString(), "--data", list.toString());

    assertThat(r.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(r.err()).contains("label 6 (" + val.resolve("c1/img 0.png") + ") is not a class of the model, which "
        + "has 6 (labels 0 to 5)");
  }

  @Test
  void anUnreadableImageIsReportedAndSkippedOrStopsTheRunWhenStrict() throws Exception {
    Path data = dir.resolve("data");
    writeImages(data, 1, 4);
    Path broken = Files.writeString(data.resolve("c2/broken.jpg"), "not a JPEG");

    Run r = Run.of("evaluate", "--weights", model.toString(), "--data", data.toString(), "--json");

    assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(AlexNetCli.EXIT_SOME_INPUTS_FAILED);
    assertThat(r.err()).contains("1 unreadable images skipped, first: " + broken.toAbsolutePath());
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("images").asInt()).isEqualTo(6);
    assertThat(json.get("skipped").asInt()).isEqualTo(1);
    assertThat(json.get("firstSkipped").get(0).get("source").asText()).isEqualTo(broken.toAbsolutePath().toString());

    Run strict = Run.of("evaluate", "--weights", model.toString(), "--data", data.toString(), "--strict");
    assertThat(strict.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(strict.err().strip()).as("one line naming the file").startsWith("alexnet evaluate: strict mode: ")
        .contains("broken.jpg").doesNotContain("\n");
    assertThat(strict.out()).isEmpty();
  }

  @Test
  void aMissingModelFailsWithOneLine() {
    Run r = Run.of("evaluate", "--weights", dir.resolve("none.npz").toString(), "--data", val.toString());

    assertThat(r.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(r.err().strip()).isEqualTo("alexnet evaluate: " + dir.resolve("none.npz") + ": no such file");
  }
}
