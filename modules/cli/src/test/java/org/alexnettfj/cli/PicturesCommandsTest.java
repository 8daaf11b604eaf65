package org.alexnettfj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.alexnettfj.pictures.FilterGrid;
import org.alexnettfj.testfixtures.RandomAlexNet;
import org.alexnettfj.weights.NpzWriter;
import org.alexnettfj.weights.WeightArray;
import org.alexnettfj.weights.WeightReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** filters, index and similar end to end, on a full-size model of random weights. */
class PicturesCommandsTest {

  private static final Path IMAGES = Path.of("../data/src/test/resources/images");

  @TempDir
  static Path shared;
  private static Path weights;
  private static Map<String, WeightArray> arrays;

  @TempDir
  Path tmp;

  @BeforeAll
  static void writeWeights() throws Exception {
    arrays = RandomAlexNet.uniform(10, 3, 0.01, 0.1);
    weights = shared.resolve("model.npz");
    NpzWriter.write(weights, arrays);
  }

  @Test
  void filtersDrawsConv1sKernelsAsTheirScaledWeights() throws Exception {
    Path png = tmp.resolve("conv1.png");
    Run r = Run.of("filters", "--weights", weights.toString(), "--out", png.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("conv1's 96 kernels of 11x11x3").contains("4 pixels a weight");
    BufferedImage image = ImageIO.read(png.toFile());
    WeightArray w = arrays.get("conv1/weights");
    int k = 77;
    int y = 3;
    int x = 9;
    float min = Float.MAX_VALUE;
    float max = -Float.MAX_VALUE;
    for (int i = 0; i < 11 * 11 * 3; i++) {
      float v = w.data()[i * 96 + k];   // [y, x, c] of kernel k: every 96th value from k
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    int rgb = image.getRGB(FilterGrid.originX(w.shape(), 4, k) + x * 4, FilterGrid.originY(w.shape(), 4, k) + y * 4);
    for (int c = 0; c < 3; c++) {
      float v = w.data()[((y * 11 + x) * 3 + c) * 96 + k];
      int expected = (int) Math.round(255.0 * (v - min) / (max - min));
      assertThat((rgb >> (8 * c)) & 0xff).as("channel %d (BGR: B low, R high)", c).isEqualTo(expected);
    }

    Run again = Run.of("filters", "--weights", weights.toString(), "--out", png.toString());
    assertThat(again.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(again.err()).contains("exists; add --force");
    Run conv2 = Run.of("filters", "--weights", weights.toString(), "--layer", "conv2", "--channels", "first",
        "--out", tmp.resolve("conv2.png").toString());
    assertThat(conv2.code()).as(conv2.err()).isZero();
    assertThat(conv2.out()).contains("256 kernels of 5x5x48").contains("first input channel");
    Run fc = Run.of("filters", "--weights", weights.toString(), "--layer", "fc6", "--out",
        tmp.resolve("fc6.png").toString());
    assertThat(fc.code()).as("a layer filters cannot draw: a usage error").isEqualTo(AlexNetCli.EXIT_USAGE);
    assertThat(fc.err()).contains("--layer fc6: convolution layers are conv1");
    Run none = Run.of("filters", "--weights", tmp.resolve("bvlc_alexnet.npy").toString(), "--out",
        tmp.resolve("x.png").toString());
    assertThat(none.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(none.err()).contains("no such file").contains("not bundled");
  }

  @Test
  void similarFindsEachIndexedImageItselfFirstAndRanksTheRestAsFeaturesDo() throws Exception {
    Path photos = Files.createDirectories(tmp.resolve("photos"));
    List<String> paths = new ArrayList<>();
    for (String name : List.of("zebra.jpeg", "llama.jpeg", "sealion.jpeg")) {
      Path p = photos.resolve(name);
      Files.copy(IMAGES.resolve(name), p);
      paths.add(p.toString());
    }
    Path empty = Files.write(photos.resolve("empty.jpg"), new byte[0]);
    Path index = tmp.resolve("photos.index");
    List<String> args = new ArrayList<>(List.of("index", "--weights", weights.toString(), "--threads", "2",
        "--out", index.toString()));
    args.addAll(paths);
    args.add(empty.toString());
    Run idx = Run.of(args.toArray(String[]::new));
    assertThat(idx.code()).as(idx.err()).isEqualTo(AlexNetCli.EXIT_SOME_INPUTS_FAILED);
    assertThat(idx.err()).contains("empty.jpg");
    assertThat(idx.out()).contains("indexed 3 images by fc7 (4096 values each, float32)");

    // the same rows through features: the distances to expect, computed here in double
    Path feats = tmp.resolve("feats.npy");
    List<String> fargs = new ArrayList<>(List.of("features", "--weights", weights.toString(), "--threads", "2",
        "--out", feats.toString()));
    fargs.addAll(paths);
    assertThat(Run.of(fargs.toArray(String[]::new)).code()).isZero();
    float[] f = WeightReader.readArray(feats).data();

    Path sheet = tmp.resolve("sheet.html");
    List<String> sargs = new ArrayList<>(List.of("similar", "--index", index.toString(), "--threads", "2", "-k",
        "3", "--json", "--html", sheet.toString()));
    sargs.addAll(paths);
    sargs.add(empty.toString());
    Run sim = Run.of(sargs.toArray(String[]::new));
    assertThat(sim.code()).as(sim.err()).isEqualTo(AlexNetCli.EXIT_SOME_INPUTS_FAILED);
    JsonNode json = new ObjectMapper().readTree(sim.out());
    assertThat(json).hasSize(4);
    for (int q = 0; q < 3; q++) {
      JsonNode ns = json.get(q).get("neighbours");
      assertThat(json.get(q).get("query").asText()).isEqualTo(paths.get(q));
      int query = q;
      List<Integer> order = new ArrayList<>(List.of(0, 1, 2));
      order.sort(Comparator.comparingDouble(r -> distance(f, query, r)));
      for (int rank = 0; rank < 3; rank++) {
        int row = order.get(rank);
        assertThat(ns.get(rank).get("path").asText()).isEqualTo(paths.get(row));
        assertThat(ns.get(rank).get("distance").asDouble()).isCloseTo(distance(f, q, row),
            org.assertj.core.data.Offset.offset(1e-3 * (1 + distance(f, q, row))));
      }
      assertThat(ns.get(0).get("distance").asDouble()).as("an image's distance to itself").isZero();
    }
    assertThat(json.get(3).get("error").asText()).contains("empty.jpg");
    String html = Files.readString(sheet);
    assertThat(html.split("<div class=\"row\">", -1)).hasSize(5);
    assertThat(html.split("src=\"data:image/jpeg;base64,", -1)).as("3 queries, 3 neighbours each").hasSize(13);

    Run text = Run.of("similar", "--index", index.toString(), "--metric", "cosine", "-k", "1", paths.get(1));
    assertThat(text.code()).as(text.err()).isZero();
    assertThat(text.out()).isEqualToNormalizingNewlines(paths.get(1) + "\n   1      0.0000  " + paths.get(1) + "\n");

    Run wrongLayer = Run.of("similar", "--index", index.toString(), "--layer", "fc6", paths.get(0));
    assertThat(wrongLayer.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(wrongLayer.err()).contains("holds fc7 features");
    Run exists = Run.of("index", "--weights", weights.toString(), "--out", index.toString(), paths.get(0));
    assertThat(exists.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(exists.err()).contains("exists; add --force");
  }

  @Test
  void aFloat16IndexStillFindsEachImageAtZero() throws Exception {
    Path index = tmp.resolve("half.index");
    String zebra = IMAGES.resolve("zebra.jpeg").toString();
    String llama = IMAGES.resolve("llama.jpeg").toString();
    Run idx = Run.of("index", "--weights", weights.toString(), "--float16", "--layer", "fc6", "--out",
        index.toString(), zebra, llama);
    assertThat(idx.code()).as(idx.err()).isZero();
    assertThat(Files.size(index.resolve("features.npy"))).isLessThan(2 * 4096 * 2 + 256);
    // queried in the batch they were indexed in: the same features to the bit (another batch size may differ
    // in the last float digit)
    Run sim = Run.of("similar", "--index", index.toString(), "--json", "-k", "2", zebra, llama);
    assertThat(sim.code()).as(sim.err()).isZero();
    JsonNode n = new ObjectMapper().readTree(sim.out()).get(1).get("neighbours");
    assertThat(n.get(0).get("path").asText()).isEqualTo(llama);
    assertThat(n.get(0).get("distance").asDouble()).isZero();
    assertThat(n.get(1).get("distance").asDouble()).isPositive();
    Run none = Run.of("index", "--weights", weights.toString(), "--out", tmp.resolve("none.index").toString(),
        Files.write(tmp.resolve("bad.jpg"), new byte[3]).toString());
    assertThat(none.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(none.err()).contains("none of the 1 images could be read; nothing written");
    try (var files = Files.list(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString())).doesNotContain("none.index", ".none.index.partial");
    }
  }

  private static double distance(float[] f, int a, int b) {
    double s = 0;
    for (int j = 0; j < 4096; j++) {
      double d = (double) f[a * 4096 + j] - f[b * 4096 + j];
      s += d * d;
    }
    return Math.sqrt(s);
  }
}
