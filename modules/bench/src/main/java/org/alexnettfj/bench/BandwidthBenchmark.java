package org.alexnettfj.bench;

import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The machine's memory read bandwidth as Java sees it: summing a 256 MiB float array (far beyond the caches) on
 * one thread and on every core. GB/s = 268,435,456 bytes / time. The limit for memory-bound work (import, LRN).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
public class BandwidthBenchmark {

  private static final int FLOATS = 64 << 20;

  @Param({"1", "all"})
  public String threads;

  private float[] data;
  private int parts;

  @Setup(Level.Trial)
  public void setUp() {
    data = new float[FLOATS];
    for (int i = 0; i < FLOATS; i++) {
      data[i] = i & 1023;
    }
    parts = threads.equals("all") ? Runtime.getRuntime().availableProcessors() : 1;
  }

  @Benchmark
  public double readAll() {
    int chunk = FLOATS / parts;
    return IntStream.range(0, parts).parallel().mapToDouble(p -> {
      // four accumulators so the loop is bound by loads, not by one add chain
      float a = 0;
      float b = 0;
      float c = 0;
      float d = 0;
      for (int i = p * chunk, end = i + chunk; i < end; i += 4) {
        a += data[i];
        b += data[i + 1];
        c += data[i + 2];
        d += data[i + 3];
      }
      return a + b + c + d;
    }).sum();
  }
}
