package org.alexnettfj.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.alexnettfj.graph.Precision;
import org.alexnettfj.train.Trainer;
import org.alexnettfj.weights.AlexNetSpec;
import org.alexnettfj.weights.AlexNetWeights;
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
 * One {@link Trainer#step} on a preprocessed batch, model only (the images are already floats): time per step,
 * so images/s = batch / time. {@code train=fc}: fc6–fc8 fine-tuned over conv layers loaded from the full-size
 * classic file ({@link FullSizeWeights}), frozen; {@code train=fc-pool5}: the same fc6–fc8 step on cached pool5
 * features, as {@code alexnet finetune --cache-features} runs after its first pass (the batch holds features, not
 * images); {@code train=all}: every layer trained from a fresh initialisation. 1000 classes, so the flop counts
 * are {@link Workload}'s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(1)
public class TrainStepBenchmark {

  /**
   * {@code fc} (fc6, fc7, fc8), {@code fc-pool5} (the same from cached pool5 features), {@code fc8} (fc8 alone,
   * {@code alexnet finetune}'s default), {@code fc8-pool5} or {@code all}.
   */
  @Param({"fc", "all"})
  public String train;

  @Param({"64", "128"})
  public int batch;

  /** {@code fp32} (default, exact) or {@code bf16} ({@code finetune --precision bf16}). */
  @Param({"fp32"})
  public String precision;

  private Trainer trainer;
  private float[] images;
  private int[] labels;

  /** The trainer a {@code train} value names; {@code fc} reads (and first makes) the full-size file. */
  static Trainer trainer(String train) throws IOException {
    return trainer(train, Precision.FP32);
  }

  static Trainer trainer(String train, Precision precision) throws IOException {
    Workload w = workload(train);
    // A small rate: random images and labels must not drive the loss to NaN (which would end the run).
    Trainer.Builder b = Trainer.builder().optTrainLayers(w.trainedLayers()).optLearningRate(1e-4f).optSeed(1)
        .optPrecision(precision);
    if (w == Workload.FULL_TRAINING) {
      return b.setFreshInit().optNumClasses(AlexNetSpec.IMAGENET_CLASSES).build();
    }
    if (w.fromPool5()) {
      // no conv layers in this graph: fresh fc6-fc8 do the same arithmetic as loaded ones
      return b.setFreshInit().optNumClasses(AlexNetSpec.IMAGENET_CLASSES).optInput(Trainer.Input.POOL5).build();
    }
    Path npy = FullSizeWeights.ensure(Path.of(System.getProperty("alexnet.bench.npy",
        "bench-data/bvlc_alexnet-full.npy")));
    return b.setWeights(AlexNetWeights.load(npy, w.trainedLayers(), AlexNetSpec.IMAGENET_CLASSES)).build();
  }

  static Workload workload(String train) {
    return switch (train) {
      case "fc" -> Workload.FINE_TUNE_FC;
      case "fc-pool5" -> Workload.FINE_TUNE_FC_FROM_POOL5;
      case "fc8" -> Workload.FINE_TUNE_FC8;
      case "fc8-pool5" -> Workload.FINE_TUNE_FC8_FROM_POOL5;
      case "all" -> Workload.FULL_TRAINING;
      default -> throw new IllegalArgumentException("train must be fc, fc-pool5, fc8, fc8-pool5 or all, was " + train);
    };
  }

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    trainer = trainer(train, Precision.parse(precision));
    SplittableRandom rnd = new SplittableRandom(7);
    images = inputs(trainer, batch, rnd);
    labels = rnd.ints(batch, 0, AlexNetSpec.IMAGENET_CLASSES).toArray();
  }

  /** A batch of random inputs for {@code trainer}: preprocessed images, or pool5 features (ReLU outputs, >= 0). */
  static float[] inputs(Trainer trainer, int batch, SplittableRandom rnd) {
    float[] images = new float[batch * trainer.inputValues()];
    boolean features = trainer.input() == Trainer.Input.POOL5;
    for (int i = 0; i < images.length; i++) {
      images[i] = (float) (features ? rnd.nextDouble(0, 20) : rnd.nextDouble(-120, 130));
    }
    return images;
  }

  @Benchmark
  public float step() {
    return trainer.step(images, labels, batch);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    trainer.close();
  }
}
