package org.alexnettfj.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.alexnettfj.cli.AlexNetCli;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Extraction on Spark, the fc layers on one machine: {@code alexnet finetune --features} on the pool5 rows that
 * {@code alexnet-spark features --layer pool5} wrote trains as {@code --cache-features} does on the images.
 */
class SparkFeaturesTrainingTest {

  @TempDir
  static Path tmp;

  @AfterAll
  static void free() {
    ExecutorModels.closeAll();
  }

  private record Run(int code, String out, String err) {
  }

  private static Run spark(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = AlexNetSpark.run(args, new PrintWriter(out), new PrintWriter(err));
    return new Run(code, out.toString(), err.toString());
  }

  private static Run alexnet(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = AlexNetCli.run(args, new PrintWriter(out), new PrintWriter(err));
    return new Run(code, out.toString(), err.toString());
  }

  /** Two classes of striped images, five each. */
  private static Path classFolders(Path root) throws Exception {
    SplittableRandom random = new SplittableRandom(3);
    for (int k = 0; k < 2; k++) {
      Path folder = Files.createDirectories(root.resolve(k == 0 ? "cats" : "dogs"));
      for (int i = 0; i < 5; i++) {
        BufferedImage image = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 40; y++) {
          for (int x = 0; x < 40; x++) {
            int v = ((k == 0 ? x : y) / 5) % 2 == 0 ? 200 : 40;
            v = Math.max(0, Math.min(255, v + random.nextInt(-30, 31)));
            image.setRGB(x, y, (v << 16) | (v << 8) | v);
          }
        }
        ImageIO.write(image, "png", folder.resolve("img" + i + ".png").toFile());
      }
    }
    return root;
  }

  @Test
  void finetuneOnSparksPool5RowsTrainsAsCacheFeaturesDoesOnTheImages() throws Exception {
    Path images = classFolders(tmp.resolve("photos"));
    Files.write(images.resolve("dogs").resolve("broken.png"), new byte[] {1, 2, 3});
    String weights = TestWeights.file().toString();
    Path rows = tmp.resolve("pool5.parquet");
    Run extract = spark("features", "--weights", weights, "--input", images.toString(), "--out", rows.toString(),
        "--layer", "pool5", "--center-crop", "--master", "local[2]", "--batch-size", "3");
    assertThat(extract.code()).as(extract.err()).isEqualTo(AlexNetSpark.EXIT_SOME_INPUTS_FAILED);
    assertThat(extract.err()).contains("11 rows of pool5");

    String[] common = {"--weights", weights, "--val-split", "0.4", "--epochs", "2", "--batch-size", "4",
        "--seed", "3", "--threads", "2", "--no-checkpoints", "--keep-prob", "1", "--learning-rate", "0.001",
        "--json"};
    Run fromRows = alexnet(concat(new String[] {"finetune", "--features", rows.toString()}, common));
    Files.delete(images.resolve("dogs").resolve("broken.png"));   // the image run must see the same 10 images
    Run fromImages = alexnet(concat(new String[] {"finetune", "--train", images.toString(), "--cache-features",
        "--no-augment"}, common));
    assertThat(fromImages.code()).as(fromImages.err()).isZero();
    assertThat(fromRows.code()).as("the error row is reported, the rest trained: exit 3; %s", fromRows.err())
        .isEqualTo(AlexNetCli.EXIT_SOME_INPUTS_FAILED);
    assertThat(fromRows.err()).contains("1 error rows (images Spark could not read) left out")
        .contains("broken.png");
    JsonNode a = new ObjectMapper().readTree(fromRows.out());
    JsonNode b = new ObjectMapper().readTree(fromImages.out());
    assertThat(a.get("classes")).isEqualTo(b.get("classes"));
    assertThat(a.get("trainImages").asInt()).isEqualTo(b.get("trainImages").asInt()).isEqualTo(6);
    assertThat(a.get("valImages").asInt()).isEqualTo(b.get("valImages").asInt()).isEqualTo(4);
    assertThat(a.get("globalStep").asLong()).isEqualTo(b.get("globalStep").asLong());
    // pool5 from Spark's batches of 3 and the trainer's own batches round in the last bits, nothing more
    assertThat(a.get("trainLoss").asDouble()).isCloseTo(b.get("trainLoss").asDouble(),
        within(1e-4 * Math.abs(b.get("trainLoss").asDouble())));
    assertThat(a.get("valTop1").asDouble()).isEqualTo(b.get("valTop1").asDouble());
    assertThat(a.get("confusion")).isEqualTo(b.get("confusion"));
  }

  @Test
  void rowsWithoutLabelsOrNotParquetAreRefusedClearly() throws Exception {
    Run none = alexnet("finetune", "--features", tmp.resolve("nowhere.parquet").toString());
    assertThat(none.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(none.err()).contains("no such Parquet file or folder");
    Run both = alexnet("finetune", "--features", tmp.toString(), "--train", tmp.toString());
    assertThat(both.code()).isEqualTo(AlexNetCli.EXIT_USAGE);
    assertThat(both.err()).contains("give --train (images) or --features");
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
