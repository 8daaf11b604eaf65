package org.alexnettfj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LrFindCommandTest {

  @TempDir
  Path dir;

  /** A loss that is flat, falls fastest around 1e-3 and blows up past 1e-1: the suggestion is near 1e-3. */
  @Test
  void suggestsWhereTheLossFallsFastest() {
    int n = 100;
    double[] rates = new double[n];
    double[] loss = new double[n];
    for (int i = 0; i < n; i++) {
      rates[i] = 1e-7 * Math.pow(1e8, i / (n - 1.0));
      double x = Math.log10(rates[i]);
      loss[i] = 1.0 + 1.0 / (1 + Math.exp(2 * (x + 3)))   // falls from 2 to 1 around 1e-3
          + (x > -1 ? Math.pow(10, 2 * (x + 1)) - 1 : 0);   // and blows up past 1e-1
    }
    double suggested = LrFindCommand.suggest(rates, loss);
    assertThat(Math.log10(suggested)).isBetween(-3.3, -2.7);
    double[] flat = new double[n];
    java.util.Arrays.fill(flat, 1);
    assertThat(LrFindCommand.suggest(rates, flat)).as("a loss that never falls").isNaN();
  }

  @Test
  void sweepsPrintsJsonAndAPlotAndWritesNoCheckpoints() throws Exception {
    for (String cls : List.of("dark", "light")) {
      Path folder = Files.createDirectories(dir.resolve("train").resolve(cls));
      for (int i = 0; i < 6; i++) {
        BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 8; y++) {
          for (int x = 0; x < 8; x++) {
            image.getRaster().setSample(x, y, 0, (cls.equals("dark") ? 20 : 235) + i);
          }
        }
        ImageIO.write(image, "png", folder.resolve(i + ".png").toFile());
      }
    }
    Path plot = dir.resolve("lr.svg");
    Run r = Run.of("lr-find", "--train", dir.resolve("train").toString(), "--weights",
        dir.resolve("absent.npy").toString(), "--steps", "30", "--batch-size", "4", "--threads", "2", "--json",
        "--plot", plot.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(r.out());
    JsonNode steps = json.get("steps");
    assertThat(steps.size()).isBetween(11, 30);
    double previous = 0;
    for (JsonNode s : steps) {
      assertThat(s.get("rate").asDouble()).as("rates grow").isGreaterThan(previous);
      previous = s.get("rate").asDouble();
    }
    assertThat(steps.get(0).get("rate").asDouble()).isEqualTo(1e-7);
    assertThat(json.get("stopped").asText()).isNotEmpty();
    String svg = Files.readString(plot);
    assertThat(svg).startsWith("<?xml").contains("<svg").contains("<polyline");
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("train", "lr.svg");
    }
    Run bad = Run.of("lr-find", "--train", dir.resolve("train").toString(), "--min-lr", "1", "--max-lr", "0.1");
    assertThat(bad.code()).as("a value the option cannot take").isEqualTo(AlexNetCli.EXIT_USAGE);
    assertThat(bad.err()).contains("need 0 < --min-lr < --max-lr");
  }

  /**
   * The check, on the demo data: conv layers that mean something (learnt on the demo images, as
   * {@code tools/finetune-demo} learns them without ImageNet's weights) under a fresh fc6-fc8; lr-find's suggestion
   * lies in [1e-4, 1e-1], fine-tuning at it learns, and at 10 times it the divergence stop ends the run.
   */
  @Test
  void onTheDemoDataTheSuggestionLearnsAndTenTimesItDiverges() throws Exception {
    Path demo = Path.of("../../weights/demo/fashion-mnist");
    assertThat(demo.resolve("train")).as("the demo's Fashion-MNIST subset").isDirectory();
    Path model = dir.resolve("demo.npz");
    Run learnt = Run.of("finetune", "--train", demo.resolve("train").toString(), "--val",
        demo.resolve("val").toString(), "--weights", dir.resolve("absent.npy").toString(), "--train-layers",
        "conv1,conv2,conv3,conv4,conv5,fc6,fc7,fc8", "--keep-prob", "1", "--no-augment", "--learning-rate", "3e-4",
        "--epochs", "3", "--batch-size", "10", "--seed", "0", "--threads", "2", "--no-checkpoints",
        "--out", model.toString());
    assertThat(learnt.code()).as(learnt.err()).isZero();

    Run found = Run.of("lr-find", "--weights", model.toString(), "--train", demo.resolve("train").toString(),
        "--train-layers", "fc6,fc7,fc8", "--seed", "1", "--threads", "2", "--json");
    assertThat(found.code()).as(found.err()).isZero();
    double rate = new ObjectMapper().readTree(found.out()).get("suggested").asDouble();
    assertThat(rate).as("the suggested rate").isBetween(1e-4, 1e-1);

    double guessing = Math.log(3);
    List<Double> atRate = epochLosses(finetuneFromFeatures(model, demo, rate));
    assertThat(atRate).as("6 epochs at %s", rate).hasSize(6);
    assertThat(atRate.get(5)).as("the loss falls").isLessThan(atRate.get(0));
    assertThat(atRate).as("and stays near guessing's").allSatisfy(l -> assertThat(l).isLessThan(3 * guessing));

    Run atTen = finetuneFromFeatures(model, demo, 10 * rate);
    assertThat(atTen.code()).as("10 times the suggestion: " + atTen.err()).isEqualTo(1);
    assertThat(atTen.err()).contains("is more than 10 times guessing's 1.099 and rising")
        .contains("training diverged; lower the learning rate");
  }

  private Run finetuneFromFeatures(Path model, Path demo, double rate) {
    return Run.of("finetune", "--weights", model.toString(), "--train", demo.resolve("train").toString(), "--val",
        demo.resolve("val").toString(), "--train-layers", "fc6,fc7,fc8", "--seed", "1", "--cache-features",
        "--no-augment", "--epochs", "6", "--no-checkpoints", "--threads", "2", "--learning-rate",
        Double.toString(rate));
  }

  /** The train loss of each "epoch N/M  train loss L ..." line. */
  private static List<Double> epochLosses(Run run) {
    List<Double> losses = new java.util.ArrayList<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^epoch \\d+/\\d+ +train loss ([0-9.]+)")
        .matcher(run.err() + run.out());
    while (m.find()) {
      losses.add(Double.parseDouble(m.group(1)));
    }
    return losses;
  }
}
