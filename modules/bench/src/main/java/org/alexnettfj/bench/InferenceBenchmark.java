package org.alexnettfj.bench;

import java.io.IOException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.alexnettfj.graph.AlexNetModel;
import org.alexnettfj.graph.Placement;
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
 * Forward passes of the whole network on preprocessed batches: time per batch, so images/s = batch / time.
 * Weights are freshly initialised (same arithmetic as the pretrained ones). The limit it is compared against is
 * {@link PeakBenchmark}'s FP32 matmul rate divided by AlexNet's 1.449 GFLOP per image.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(1)
public class InferenceBenchmark {

  @Param({"1", "16", "64", "128"})
  public int batch;

  /** The layer fetched: prob (classify) or fc7 (features). */
  @Param({"prob"})
  public String layer;

  /**
   * Where the graph runs: {@code default} (TensorFlow's choice), one device ({@code /GPU:0}), or two towers
   * ({@code /GPU:0+/GPU:1}: JMH splits parameter lists at commas); naming {@code /CPU:1} or above splits the CPU
   * into that many devices.
   */
  @Param({"default"})
  public String devices;

  /**
   * TensorFlow's intra-op threads ({@code 0}: one per core). With {@code 1} and JMH's {@code -t 2}, two callers
   * each run a batch on one core at the same time, instead of one batch split over both cores.
   */
  @Param({"0"})
  public int intraOp;

  /** {@code fp32} (exact, the default) or {@code bf16} ({@code --precision bf16}: oneDNN's bfloat16 kernels). */
  @Param({"fp32"})
  public String precision;

  private AlexNetModel model;
  private float[] images;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    model = AlexNetModel.builder().setFreshInit().optSeed(1).optMaxBatch(Math.max(batch, 1))
        .optPlacement(placement(devices)).optIntraOpThreads(intraOp)
        .optPrecision(org.alexnettfj.graph.Precision.parse(precision)).build();
    images = images(batch);
  }

  /** {@code batch} preprocessed images of random values, the same for every benchmark of a forward pass. */
  static float[] images(int batch) {
    float[] images = new float[batch * AlexNetModel.IMAGE_VALUES];
    SplittableRandom rnd = new SplittableRandom(7);
    for (int i = 0; i < images.length; i++) {
      images[i] = (float) rnd.nextDouble(-120, 130);
    }
    return images;
  }

  static Placement placement(String devices) {
    if (devices.equals("default")) {
      return Placement.DEFAULT;
    }
    String[] names = devices.split("\\+");
    Placement p = names.length == 2 ? Placement.towers(names[0], names[1]) : Placement.device(names[0]);
    int cpus = 1;
    for (String d : p.devices()) {
      if (d.startsWith("/CPU:")) {
        cpus = Math.max(cpus, Integer.parseInt(d.substring("/CPU:".length())) + 1);
      }
    }
    return cpus > 1 ? p.withCpuDevices(cpus) : p;
  }

  @Benchmark
  public float[][] forward() {
    return model.features(images, batch, layer);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    model.close();
  }
}
