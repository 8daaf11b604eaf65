package org.alexnettfj.data.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.alexnettfj.data.ImageDecodeException;
import org.alexnettfj.data.UnloadableReaderSpi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchPipelineTest {

  @TempDir
  Path temp;

  /** 3 classes x 7 tiny noise PNGs of varied sizes, plus, if asked, an empty and a garbage "image". */
  private Dataset tinyDataset(boolean withBadFiles) throws IOException {
    Path root = temp.resolve("data");
    Random rng = new Random(5);
    for (String cls : List.of("ant", "bee", "cat")) {
      Files.createDirectories(root.resolve(cls));
      for (int i = 0; i < 7; i++) {
        BufferedImage img = new BufferedImage(30 + rng.nextInt(20), 30 + rng.nextInt(20), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.getHeight(); y++) {
          for (int x = 0; x < img.getWidth(); x++) {
            img.setRGB(x, y, rng.nextInt());
          }
        }
        ImageIO.write(img, "png", root.resolve(cls + "/" + i + ".png").toFile());
      }
    }
    if (withBadFiles) {
      Files.write(root.resolve("bee/empty.jpg"), new byte[0]);
      Files.writeString(root.resolve("cat/not-really.png"), "<html>404</html>");
    }
    return Dataset.fromImageFolder(root);
  }

  private static BatchPipeline.Builder builder(Dataset d) {
    return BatchPipeline.builder().setDataset(d).optPreprocess(AugmentationTest.SMALL)
        .optAugmentation(Augmentation.PAPER).optBatchSize(4).optSeed(42);
  }

  private static List<BatchPipeline.Batch> run(BatchPipeline p, int epoch) {
    List<BatchPipeline.Batch> out = new ArrayList<>();
    BatchPipeline.Epoch it = p.epoch(epoch);
    it.forEachRemaining(out::add);
    return out;
  }

  private static void assertSameBatches(List<BatchPipeline.Batch> a, List<BatchPipeline.Batch> b, String what) {
    assertThat(b).as(what).hasSameSizeAs(a);
    for (int i = 0; i < a.size(); i++) {
      assertThat(b.get(i).sources()).as("%s: batch %d sources", what, i).isEqualTo(a.get(i).sources());
      assertThat(b.get(i).labels()).as("%s: batch %d labels", what, i).isEqualTo(a.get(i).labels());
      assertThat(Arrays.equals(b.get(i).images(), a.get(i).images())).as("%s: batch %d pixels", what, i).isTrue();
    }
  }

  @Test
  void givesIdenticalBatchesForTheSameSeedAcrossRunsAndWorkerCounts() throws IOException {
    try (Dataset d = tinyDataset(false);
         BatchPipeline one = builder(d).optWorkers(1).build();
         BatchPipeline again = builder(d).optWorkers(1).build();
         BatchPipeline four = builder(d).optWorkers(4).optPrefetch(6).build()) {
      List<BatchPipeline.Batch> reference = run(one, 3);
      assertThat(reference).hasSize(6);   // 21 items in batches of 4: five full, one of 1
      assertThat(reference.get(5).size()).isEqualTo(1);
      assertThat(reference.get(0).images()).hasSize(4 * 32 * 32 * 3);
      assertSameBatches(reference, run(again, 3), "another run");
      assertSameBatches(reference, run(four, 3), "four workers");
      assertThat(run(one, 4).get(0).sources()).as("another epoch, another shuffle")
          .isNotEqualTo(reference.get(0).sources());
      List<String> all = reference.stream().flatMap(b -> b.sources().stream()).toList();
      assertThat(all).as("each item once per epoch")
          .containsExactlyInAnyOrderElementsOf(d.items().stream().map(LabeledImage::source).toList());
    }
  }

  @Test
  void startsTheNextEpochsFirstBatchesWhileAnEpochEndsAndTheyAreThatEpochsBatches() throws IOException {
    try (Dataset d = tinyDataset(false);
         BatchPipeline fresh = builder(d).optWorkers(2).optPrefetch(3).build();
         BatchPipeline p = builder(d).optWorkers(2).optPrefetch(3).build()) {
      List<BatchPipeline.Batch> expected1 = run(fresh, 1);
      List<BatchPipeline.Batch> expected7 = run(fresh, 7);

      BatchPipeline.Epoch e0 = p.epoch(0);
      e0.forEachRemaining(b -> { });
      assertThat(p.startedAhead()).as("epoch 1's batches under way once epoch 0 is all handed out").isEqualTo(3);
      e0.close();
      assertThat(p.startedAhead()).as("closing a finished epoch keeps the next one's").isEqualTo(3);
      assertSameBatches(expected1, run(p, 1), "epoch 1 taken over from epoch 0's end");
      assertThat(p.startedAhead()).as("and epoch 2's started in turn").isEqualTo(3);
      assertSameBatches(expected7, run(p, 7), "another epoch than the started one");
      assertThat(p.maxBatchesAhead()).as("never more than prefetch at once").isBetween(1, 3);
    }
  }

  @Test
  void theLastOfTheEpochsAskedForStartsNoMore() throws IOException {
    try (Dataset d = tinyDataset(false);
         BatchPipeline fresh = builder(d).optWorkers(2).optPrefetch(3).build();
         BatchPipeline p = builder(d).optWorkers(2).optPrefetch(3).optEpochs(2).build()) {
      run(p, 0);
      assertThat(p.startedAhead()).as("epoch 1 is asked for, so started").isEqualTo(3);
      run(p, 1);
      assertThat(p.startedAhead()).as("nothing after the last epoch").isZero();
      assertSameBatches(run(fresh, 2), run(p, 2), "an epoch past the limit, made when asked");
    }
    assertThatThrownBy(() -> BatchPipeline.builder().optEpochs(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1");
  }

  @Test
  void aFailureThatIsNotAnUnreadableImageStopsTheEpochSayingWhat() throws Exception {
    try (Dataset d = tinyDataset(false); AutoCloseable plugin = UnloadableReaderSpi.register()) {
      Files.write(temp.resolve("data/ant/0.png"), UnloadableReaderSpi.BYTES);
      try (BatchPipeline p = builder(d).optWorkers(1).optShuffle(false).build();
           BatchPipeline.Epoch e = p.epoch(0)) {
        assertThatThrownBy(e::next).isInstanceOf(IllegalStateException.class)
            .hasMessageStartingWith("making batch 0 of epoch 0 failed: this Java runtime cannot decode images");
        assertThat(e.hasNext()).as("a failed epoch has no more batches").isFalse();
      }
    }
  }

  @Test
  void skipsAndReportsBadFilesWithoutStoppingTheEpoch() throws IOException {
    try (Dataset d = tinyDataset(true); BatchPipeline p = builder(d).optWorkers(2).build()) {
      assertThat(d.size()).isEqualTo(23);
      BatchPipeline.Epoch epoch = p.epoch(0);
      List<BatchPipeline.Skipped> inBatches = new ArrayList<>();
      int images = 0;
      while (epoch.hasNext()) {
        BatchPipeline.Batch b = epoch.next();
        inBatches.addAll(b.skipped());
        images += b.size();
        assertThat(b.images()).hasSize(b.size() * 32 * 32 * 3);
      }
      assertThat(images).isEqualTo(21);
      assertThat(inBatches).extracting(BatchPipeline.Skipped::source).containsExactlyInAnyOrder(
          temp.resolve("data/bee/empty.jpg").toAbsolutePath().toString(),
          temp.resolve("data/cat/not-really.png").toAbsolutePath().toString());
      assertThat(inBatches).extracting(BatchPipeline.Skipped::reason).anyMatch(r -> r.contains("empty file"))
          .anyMatch(r -> r.contains("not a JPEG, PNG"));
      BatchPipeline.EpochReport report = epoch.report();
      assertThat(report.skippedCount()).isEqualTo(2);
      assertThat(report.images()).isEqualTo(21);
      assertThat(report.firstSkipped()).containsExactlyInAnyOrderElementsOf(inBatches);
    }
  }

  @Test
  void stopsAtTheFirstBadFileInStrictModeNamingIt() throws IOException {
    try (Dataset d = tinyDataset(true); BatchPipeline p = builder(d).optStrict(true).optWorkers(2).build()) {
      BatchPipeline.Epoch epoch = p.epoch(0);
      assertThatThrownBy(() -> epoch.forEachRemaining(b -> { }))
          .isInstanceOf(UncheckedIOException.class)
          .hasCauseInstanceOf(ImageDecodeException.class)
          .hasMessageMatching(".*data/(bee/empty\\.jpg|cat/not-really\\.png).*");
      assertThat(epoch.hasNext()).as("the epoch is over").isFalse();
    }
  }

  @Test
  void neverHasMoreBatchesAheadThanThePrefetchBoundAndStopsItsThreads() throws Exception {
    try (Dataset d = tinyDataset(false)) {
      BatchPipeline p = builder(d).optBatchSize(1).optWorkers(4).optPrefetch(2).build();
      try (p) {
        BatchPipeline.Epoch epoch = p.epoch(0);
        int n = 0;
        while (epoch.hasNext()) {
          epoch.next();
          Thread.sleep(5);   // a slow consumer: the workers could run far ahead if nothing held them
          n++;
        }
        assertThat(n).isEqualTo(21);
        assertThat(p.maxBatchesAhead()).as("batches being made or waiting at once").isBetween(1, 2);
      }
      // A pool counts as terminated just before its threads return, so give them a moment to finish.
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        if (t.getName().startsWith("alexnet-data-")) {
          t.join(2000);
          assertThat(t.isAlive()).as("worker thread %s ends on close", t.getName()).isFalse();
        }
      }
    }
  }
}
