package org.alexnettfj.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.alexnettfj.data.PreprocessConfig;
import org.alexnettfj.data.train.Augmentation;
import org.alexnettfj.data.train.BatchPipeline;
import org.alexnettfj.data.train.Dataset;
import org.alexnettfj.train.Trainer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Training as {@code alexnet finetune} runs it: {@link BatchPipeline} decodes real JPEGs and applies the paper's
 * augmentation ({@link Augmentation#PAPER}: random 227 crop of a 256 x 256 resize, flip, PCA colour) on its worker
 * threads, a few batches ahead, while {@link Trainer#step} trains on the batch before. Time per batch, so
 * images/s = batch / time; compare with {@link TrainStepBenchmark}'s model-only rate for the same {@code train}
 * and {@code batch}.
 *
 * <p>The dataset is the three test photos (500 x 336 and 500 x 375 JPEGs, ImageNet-sized) listed
 * {@value #COPIES} times each: every item is read and decoded afresh, only the page cache is shared.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(1)
public class EndToEndBenchmark {

  /** Copies of each photo in the list: 12 batches of 128 per epoch, so epochs rarely end inside a run. */
  static final int COPIES = 512;

  /** Same as {@code alexnet finetune}: a 256 x 256 resize the random 227 crop moves in. */
  private static final PreprocessConfig PREPROCESS = PreprocessConfig.builder()
      .geometry(PreprocessConfig.Geometry.RESIZE_SQUARE_THEN_CENTER_CROP).build();

  /** {@code fc} (fc6, fc7, fc8), {@code fc8} or {@code all}, as {@link TrainStepBenchmark}. */
  @Param({"fc"})
  public String train;

  @Param({"128"})
  public int batch;

  /**
   * The paper's augmentation (random crop, flip, PCA colour) or, {@code false}, centre crops as {@code --no-augment}
   * (and so {@code --cache-features}) trains on.
   */
  @Param({"true"})
  public boolean augment;

  /** Decoding threads; 0: BatchPipeline's default (one per core, at most 4), as {@code alexnet finetune} uses. */
  @Param({"0"})
  public int workers;

  private Trainer trainer;
  private Dataset dataset;
  private BatchPipeline pipeline;
  private BatchPipeline.Epoch epoch;
  private int epochNumber;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    Path photos = Path.of(System.getProperty("alexnet.bench.images", "modules/data/src/test/resources/images"));
    List<String> names = List.of("llama.jpeg", "sealion.jpeg", "zebra.jpeg");
    List<String> lines = new ArrayList<>();
    for (int copy = 0; copy < COPIES; copy++) {
      for (int label = 0; label < names.size(); label++) {
        Path photo = photos.resolve(names.get(label)).toAbsolutePath();
        if (copy == 0 && !Files.isRegularFile(photo)) {
          throw new IOException(photo + ": test photo not found (set -Dalexnet.bench.images=DIR)");
        }
        lines.add(photo + " " + label);
      }
    }
    Path list = Files.createTempFile("alexnet-e2e", ".txt");
    Files.write(list, lines, StandardCharsets.UTF_8);
    dataset = Dataset.fromListFile(list);
    Files.delete(list);
    BatchPipeline.Builder b = BatchPipeline.builder().setDataset(dataset).optPreprocess(PREPROCESS)
        .optAugmentation(augment ? Augmentation.PAPER : Augmentation.NONE).optBatchSize(batch).optDropLast(true)
        .optSeed(1).optStrict(true);
    pipeline = (workers > 0 ? b.optWorkers(workers) : b).build();
    trainer = TrainStepBenchmark.trainer(train);
    epoch = pipeline.epoch(epochNumber);
  }

  @Benchmark
  public float step() {
    if (!epoch.hasNext()) {
      epoch.close();
      epoch = pipeline.epoch(++epochNumber);
    }
    BatchPipeline.Batch b = epoch.next();
    return trainer.step(b.images(), b.labels(), b.size());
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    epoch.close();
    pipeline.close();
    trainer.close();
    dataset.close();
  }
}
