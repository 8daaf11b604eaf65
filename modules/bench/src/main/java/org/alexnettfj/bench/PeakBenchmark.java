package org.alexnettfj.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;

/**
 * The machine's FP32 matrix peak as TensorFlow reaches it: an {@code n x n} by {@code n x n} matmul on all cores
 * (2 n^3 flops). Every model speed in BENCHMARKS.md is given as a fraction of this.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
@Fork(1)
public class PeakBenchmark {

  @Param({"2048", "4096"})
  public int n;

  private Graph graph;
  private Session session;
  private MatMul<TFloat32> product;

  @Setup(Level.Trial)
  public void setUp() {
    graph = new Graph();
    Ops tf = Ops.create(graph);
    product = tf.linalg.matMul(tf.constant(random(n, 1)), tf.constant(random(n, 2)));
    session = new Session(graph);
  }

  private static float[][] random(int n, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[][] m = new float[n][n];
    for (float[] row : m) {
      for (int j = 0; j < n; j++) {
        row[j] = (float) rnd.nextDouble(-1, 1);
      }
    }
    return m;
  }

  @Benchmark
  public void matmul() {
    session.runner().addTarget(product).run();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    session.close();
    graph.close();
  }
}
