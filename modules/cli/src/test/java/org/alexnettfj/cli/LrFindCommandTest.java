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
}
