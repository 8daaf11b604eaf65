package org.alexnettfj.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.alexnettfj.search.FeatureIndex;
import org.alexnettfj.search.NearestNeighbours;
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
 * {@code alexnet similar}'s search: the 5 nearest of {@value #ROWS} fc7-like rows (4096 values, 60% zeros as after
 * ReLU) for each of {@code queries} queries, exact, on {@code threads} threads. Time per search, so distances/s =
 * rows x queries / time. The index is written once to {@code bench-data/} and memory-mapped (in the page cache
 * after the first pass, as a searched index is).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class SimilarityBenchmark {

  static final int ROWS = 16_384;
  static final int DIMS = 4096;

  @Param({"1", "64"})
  public int queries;

  @Param({"float32", "float16"})
  public String dtype;

  @Param({"1"})
  public int threads;

  private FeatureIndex index;
  private List<float[]> vectors;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    Path file = Path.of("bench-data", "similarity-" + dtype + ".index");
    if (!Files.exists(file.resolve(FeatureIndex.FEATURES))) {
      SplittableRandom rnd = new SplittableRandom(3);
      try (FeatureIndex.Writer w = FeatureIndex.writer(file, DIMS, dtype.equals("float16"), Map.of())) {
        for (int i = 0; i < ROWS; i++) {
          w.add(row(rnd), "image" + i + ".jpg");
        }
        w.commit();
      }
    }
    index = FeatureIndex.open(file);
    SplittableRandom rnd = new SplittableRandom(9);
    vectors = new ArrayList<>();
    for (int i = 0; i < queries; i++) {
      vectors.add(row(rnd));
    }
  }

  private static float[] row(SplittableRandom rnd) {
    float[] r = new float[DIMS];
    for (int j = 0; j < DIMS; j++) {
      r[j] = rnd.nextDouble() < 0.6 ? 0 : (float) rnd.nextDouble(0, 4);
    }
    return r;
  }

  @Benchmark
  public List<List<NearestNeighbours.Neighbour>> search() throws InterruptedException {
    return NearestNeighbours.search(index, vectors, 5, NearestNeighbours.Metric.EUCLIDEAN, threads);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    index.close();
  }
}
