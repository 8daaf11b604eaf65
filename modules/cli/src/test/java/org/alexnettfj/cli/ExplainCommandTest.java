package org.alexnettfj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.alexnettfj.testfixtures.RandomAlexNet;
import org.alexnettfj.weights.NpzWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExplainCommandTest {

  @TempDir
  Path dir;

  @Test
  void drawsTheMapOverTheImageForTheTopClassOrAGivenOne() throws Exception {
    Path model = dir.resolve("model.npz");
    NpzWriter.write(model, RandomAlexNet.uniform(4, 11, 0.01, 0.1));
    Files.write(dir.resolve("model.classes.txt"), List.of("cat", "dog", "zebra", "llama"));
    String zebra = Path.of("../data/src/test/resources/images/zebra.jpeg").toString();
    Path png = dir.resolve("cam.png");
    Run r = Run.of("explain", "--weights", model.toString(), zebra, "--out", png.toString(), "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("height").asInt() * json.get("width").asInt()).isEqualTo(13 * 13);
    double max = 0;
    for (JsonNode v : json.get("map")) {
      assertThat(v.asDouble()).isBetween(0.0, 1.0);
      max = Math.max(max, v.asDouble());
    }
    assertThat(max).as("scaled to its maximum").isIn(0.0, 1.0);
    BufferedImage picture = ImageIO.read(png.toFile());
    BufferedImage original = ImageIO.read(Path.of(zebra).toFile());
    assertThat(picture.getWidth()).isEqualTo(original.getWidth());
    assertThat(picture.getHeight()).isEqualTo(original.getHeight());

    Run byName = Run.of("explain", "--weights", model.toString(), zebra, "--out", png.toString(), "--force",
        "--class", "llama");
    assertThat(byName.code()).as(byName.err()).isZero();
    assertThat(byName.out()).contains("for class 3 (llama");
    Run bad = Run.of("explain", "--weights", model.toString(), zebra, "--out", dir.resolve("x.png").toString(),
        "--class", "horse");
    assertThat(bad.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(bad.err()).contains("--class horse: not a class of the model");
    Run layer = Run.of("explain", "--weights", model.toString(), zebra, "--out", dir.resolve("y.png").toString(),
        "--layer", "fc7");
    assertThat(layer.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(layer.err()).contains("needs a convolution layer");
  }
}
