package org.alexnettfj.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.alexnettfj.data.PreprocessConfig;
import org.alexnettfj.data.Preprocessor;
import org.alexnettfj.data.train.BatchPipeline;
import org.alexnettfj.data.train.Dataset;
import org.alexnettfj.graph.FreshInit;
import org.alexnettfj.weights.WeightArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pool5 cache on small striped images: its rows against pool5 computed image by image on the training graph,
 * its epochs against {@link BatchPipeline}'s order, memory against file, and unreadable images.
 */
class FeatureCacheTest {

  private static final PreprocessConfig CENTRE_CROP = PreprocessConfig.builder()
      .geometry(PreprocessConfig.Geometry.RESIZE_SQUARE_THEN_CENTER_CROP).build();
  /** conv1 … conv5 only: the fc layers' 220 MB would stay on the heap for the other test classes too. */
  private static final Map<String, WeightArray> PARAMETERS = convOnly(Fixtures.randomParameters(21, 2, 1));

  @TempDir
  Path dir;

  private static Map<String, WeightArray> convOnly(Map<String, WeightArray> parameters) {
    Map<String, WeightArray> conv = new LinkedHashMap<>();
    parameters.forEach((name, value) -> {
      if (name.startsWith("conv")) {
        conv.put(name, value);
      }
    });
    return conv;
  }

  /** {@code perClass} striped PNGs of assorted sizes in class folders {@code horizontal} and {@code vertical}. */
  private Path writeImages(int perClass) throws IOException {
    Path root = dir.resolve("images");
    for (String cls : new String[] {"horizontal", "vertical"}) {
      Path folder = Files.createDirectories(root.resolve(cls));
      for (int i = 0; i < perClass; i++) {
        int w = 40 + 7 * i;
        int h = 30 + 5 * i;
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            int t = cls.equals("horizontal") ? y : x;
            int v = ((t / (2 + i)) % 2) * 200 + 20;
            image.setRGB(x, y, (v << 16) | ((255 - v) << 8) | (v / 2 + 40 * i));
          }
        }
        ImageIO.write(image, "png", folder.resolve("img " + i + ".png").toFile());
      }
    }
    return root;
  }

  private static FeatureCache.Builder cache(Dataset data) {
    return FeatureCache.builder().setDataset(data).setParameters(PARAMETERS).optPreprocess(CENTRE_CROP)
        .optComputeBatch(3).optWorkers(2).optIntraOpThreads(2);
  }

  /** pool5 of the given images preprocessed one by one, on the training graph (basic-op LRN). */
  private static float[] expectedPool5(Map<String, WeightArray> parameters, List<String> sources) throws Exception {
    Preprocessor p = new Preprocessor(CENTRE_CROP);
    float[] images = new float[sources.size() * Trainer.IMAGE_VALUES];
    for (int i = 0; i < sources.size(); i++) {
      System.arraycopy(p.apply(Path.of(sources.get(i))), 0, images, i * Trainer.IMAGE_VALUES, Trainer.IMAGE_VALUES);
    }
    return Fixtures.pool5(parameters, images, sources.size());
  }

  private static void assertRowsMatch(FeatureCache cache, float[] expected) {
    double largest = 0;
    for (float v : expected) {
      largest = Math.max(largest, Math.abs(v));
    }
    assertThat(largest).as("pool5 is not all zeros, or the comparison proves nothing").isGreaterThan(1);
    for (int r = 0; r < cache.size(); r++) {
      float[] row = cache.features(r);
      for (int j = 0; j < FeatureCache.VALUES; j++) {
        assertThat((double) row[j]).as("row %d (%s) value %d", r, cache.source(r), j)
            .isCloseTo(expected[r * FeatureCache.VALUES + j], within(1e-4 * largest));
      }
    }
  }

  @Test
  void cachesEachImagesPool5AsTheConvLayersComputeItAloneAndReportsProgress() throws Exception {
    try (Dataset data = Dataset.fromImageFolder(writeImages(4))) {
      List<long[]> progress = new ArrayList<>();
      try (FeatureCache cache = cache(data).optProgress((done, total) -> progress.add(new long[] {done, total}))
          .build()) {
        assertThat(cache.size()).isEqualTo(8);
        assertThat(cache.inMemory()).isTrue();
        assertThat(cache.report().skippedCount()).isZero();
        List<String> sources = new ArrayList<>();
        for (int r = 0; r < cache.size(); r++) {
          assertThat(cache.source(r)).as("rows in dataset order").isEqualTo(data.items().get(r).source());
          assertThat(cache.label(r)).isEqualTo(data.items().get(r).label());
          sources.add(cache.source(r));
        }
        assertRowsMatch(cache, expectedPool5(PARAMETERS, sources));
      }
      assertThat(progress).as("after each batch of 3 (done, total)")
          .extracting(p -> p[0] + "/" + p[1]).containsExactly("3/8", "6/8", "8/8");
    }
  }

  @Test
  void freshConvLayersAreTheOnesAFreshTrainerHas() throws Exception {
    try (Dataset data = Dataset.fromImageFolder(writeImages(1));
        FeatureCache cache = FeatureCache.builder().setDataset(data).setFreshInit().optSeed(5)
            .optPreprocess(CENTRE_CROP).build()) {
      Map<String, WeightArray> fresh = new LinkedHashMap<>();
      for (String layer : FeatureCache.CONV_LAYERS) {
        fresh.put(layer + "/weights", FreshInit.initialValue(layer + "/weights", null, 2, 5));
        fresh.put(layer + "/biases", FreshInit.initialValue(layer + "/biases", null, 2, 5));
      }
      assertRowsMatch(cache, expectedPool5(fresh, List.of(cache.source(0), cache.source(1))));
    }
  }

  @Test
  void servesEpochsInThePipelinesOrderTheSameFromMemoryAndFromFile() throws Exception {
    Path temp = Files.createDirectories(dir.resolve("temp"));
    try (Dataset data = Dataset.fromImageFolder(writeImages(5));
        FeatureCache memory = cache(data).optBatchSize(4).optSeed(7).build();
        FeatureCache file = cache(data).optBatchSize(4).optSeed(7).optMemoryLimit(0).optTempDirectory(temp).build();
        BatchPipeline pipeline = BatchPipeline.builder().setDataset(data).optBatchSize(4).optSeed(7).build()) {
      assertThat(memory.inMemory()).isTrue();
      assertThat(file.inMemory()).isFalse();
      assertThat(file.file().getParent()).isEqualTo(temp);
      try (var left = Files.list(temp)) {
        assertThat(left).as("unlinked while open: a killed run leaves no features behind").isEmpty();
      }

      List<List<String>> orders = new ArrayList<>();
      for (int epoch = 0; epoch < 2; epoch++) {
        List<String> expected = Arrays.stream(pipeline.order(epoch)).mapToObj(i -> data.items().get(i).source())
            .toList();
        List<String> seen = new ArrayList<>();
        Iterator<FeatureCache.Batch> a = memory.epoch(epoch);
        Iterator<FeatureCache.Batch> b = file.epoch(epoch);
        List<Integer> sizes = new ArrayList<>();
        while (a.hasNext()) {
          assertThat(b.hasNext()).isTrue();
          FeatureCache.Batch x = a.next();
          FeatureCache.Batch y = b.next();
          assertThat(y.sources()).isEqualTo(x.sources());
          assertThat(y.labels()).isEqualTo(x.labels());
          assertThat(Arrays.equals(y.features(), x.features())).as("file and memory give the same bits, batch %d",
              x.index()).isTrue();
          for (int k = 0; k < x.size(); k++) {
            int row = data.items().stream().map(it -> it.source()).toList().indexOf(x.sources().get(k));
            assertThat(Arrays.copyOfRange(x.features(), k * 9216, (k + 1) * 9216)).as("batch row %d", k)
                .isEqualTo(memory.features(row));
            assertThat(x.labels()[k]).isEqualTo(data.items().get(row).label());
          }
          sizes.add(x.size());
          seen.addAll(x.sources());
        }
        assertThat(b.hasNext()).isFalse();
        assertThat(sizes).containsExactly(4, 4, 2);
        assertThat(seen).as("epoch %d visits the items in BatchPipeline's order", epoch).isEqualTo(expected);
        orders.add(seen);
      }
      assertThat(orders.get(1)).as("each epoch its own shuffle").isNotEqualTo(orders.get(0));
      List<String> again = new ArrayList<>();
      memory.epoch(1).forEachRemaining(x -> again.addAll(x.sources()));
      assertThat(again).as("epoch 1 asked for twice").isEqualTo(orders.get(1));

      Path f = file.file();
      file.close();
      assertThat(f).as("close deletes the temporary file").doesNotExist();
    }
  }

  @Test
  void reportsAndLeavesOutAnUnreadableImageOrStopsOnItWhenStrict() throws Exception {
    Path root = writeImages(2);
    Path broken = root.resolve("vertical/broken.jpg");
    Files.writeString(broken, "not a JPEG");
    Path temp = Files.createDirectories(dir.resolve("temp"));
    try (Dataset data = Dataset.fromImageFolder(root)) {
      try (FeatureCache cache = cache(data).optSeed(3).build()) {
        assertThat(cache.size()).as("5 items, one unreadable").isEqualTo(4);
        assertThat(cache.report().skippedCount()).isEqualTo(1);
        assertThat(cache.report().firstSkipped().get(0).source()).isEqualTo(broken.toAbsolutePath().toString());
        for (int epoch = 0; epoch < 2; epoch++) {
          List<String> seen = new ArrayList<>();
          cache.epoch(epoch).forEachRemaining(b -> seen.addAll(b.sources()));
          assertThat(seen).as("epoch %d", epoch).hasSize(4).doesNotContain(broken.toAbsolutePath().toString())
              .doesNotHaveDuplicates();
        }
        List<String> sources = new ArrayList<>();
        for (int r = 0; r < cache.size(); r++) {
          sources.add(cache.source(r));
        }
        assertRowsMatch(cache, expectedPool5(PARAMETERS, sources));
      }

      assertThatThrownBy(() -> cache(data).optStrict(true).optMemoryLimit(0).optTempDirectory(temp).build())
          .isInstanceOf(UncheckedIOException.class).hasMessageContaining("broken.jpg");
      try (Stream<Path> left = Files.list(temp)) {
        assertThat(left).as("a failed build deletes its temporary file").isEmpty();
      }
    }
  }

  @Test
  void refusesMissingOrSeveralSourcesOfTheConvLayers() throws Exception {
    try (Dataset data = Dataset.fromImageFolder(writeImages(1))) {
      assertThatThrownBy(() -> FeatureCache.builder().setDataset(data).build())
          .hasMessageContaining("exactly one source");
      assertThatThrownBy(() -> FeatureCache.builder().setDataset(data).setFreshInit().setParameters(PARAMETERS)
          .build()).hasMessageContaining("exactly one source");
      Map<String, WeightArray> noConv3 = new LinkedHashMap<>(PARAMETERS);
      noConv3.remove("conv3/biases");
      assertThatThrownBy(() -> FeatureCache.builder().setDataset(data).setParameters(noConv3).build())
          .hasMessageContaining("[conv3/biases]");
    }
  }
}
