package org.alexnettfj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** audit on the bundled demo data, with a copied image, a CMYK JPEG, a tiny image and an unreadable one added. */
class AuditCommandTest {

  private static final Path DEMO = Path.of("../../weights/demo/fashion-mnist");

  @TempDir
  Path dir;

  private static void copyTree(Path from, Path to) throws Exception {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : all.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  private static List<String> sources(JsonNode findings) {
    List<String> out = new ArrayList<>();
    findings.forEach(f -> out.add(Path.of(f.get("source").asText()).getFileName().toString()));
    return out;
  }

  @Test
  void findsTheCopyTheOddImagesAndTheSmallSplit() throws Exception {
    Path train = dir.resolve("train");
    Path val = dir.resolve("val");
    copyTree(DEMO.resolve("train"), train);
    copyTree(DEMO.resolve("val"), val);
    Files.copy(train.resolve("Bag/00023.png"), val.resolve("Bag/copy.png"));
    Files.copy(Path.of("../data/src/test/resources/decode/cmyk.jpg"), train.resolve("Bag/cmyk.jpg"));
    Files.write(train.resolve("Sneaker/empty.png"), new byte[0]);
    BufferedImage small = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
    small.setRGB(1, 1, 0xff0000);
    ImageIO.write(small, "png", train.resolve("Trouser/tiny.png").toFile());

    Run r = Run.of("audit", train.toString(), "--val", val.toString(), "--weights",
        dir.resolve("absent.npy").toString(), "--min-side", "16", "--threads", "2", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("classes").toString()).isEqualTo("[\"Bag\",\"Sneaker\",\"Trouser\"]");
    assertThat(json.get("trainCounts").toString()).isEqualTo("[61,61,61]");
    assertThat(json.get("valCounts").toString()).isEqualTo("[21,20,20]");
    assertThat(json.get("valSmallerThanBatch").asBoolean()).isTrue();
    assertThat(sources(json.get("unreadable"))).containsExactly("empty.png");
    assertThat(sources(json.get("cmyk"))).containsExactly("cmyk.jpg");
    assertThat(sources(json.get("tiny"))).containsExactly("tiny.png");
    assertThat(json.get("grayscale").size()).as("Fashion-MNIST is grayscale").isEqualTo(180 + 61);
    JsonNode copies = json.get("nearCopies");
    assertThat(copies).as("only the copy: %s", copies).hasSize(1);
    assertThat(copies.get(0).get("val").asText()).endsWith("copy.png");
    assertThat(copies.get(0).get("train").asText()).endsWith("Bag/00023.png");
    assertThat(copies.get(0).get("cosine").asDouble()).isGreaterThan(0.9999);

    Run text = Run.of("audit", train.toString(), "--val", val.toString(), "--no-duplicates");
    assertThat(text.code()).as(text.err()).isZero();
    assertThat(text.out()).contains("imbalance: 1.0").contains("fewer than one batch of 128")
        .contains("unreadable: 1").contains("near-copies: not searched");
  }
}
