package org.alexnettfj.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.alexnettfj.weights.WeightFile;
import org.alexnettfj.weights.WeightReader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Import of the full-size classic file against the cost of reading its bytes from the page cache.
 * {@code readBytesIntoHeap} is the fair baseline (the bytes land in a fresh heap array, as the weights must);
 * {@code readBytesStreaming} is the bare page-cache copy through one reused buffer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
public class ImportBenchmark {

  private Path file;
  private ByteBuffer buffer;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    file = FullSizeWeights.ensure(Path.of(System.getProperty("alexnet.bench.npy",
        "bench-data/bvlc_alexnet-full.npy")));
    buffer = ByteBuffer.allocateDirect(1 << 20);
    Files.readAllBytes(file); // into the page cache
  }

  @Benchmark
  public long readBytesStreaming() throws IOException {
    long total = 0;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      int n;
      while ((n = ch.read(buffer.clear())) > 0) {
        total += n;
      }
    }
    return total;
  }

  @Benchmark
  public byte[] readBytesIntoHeap() throws IOException {
    return Files.readAllBytes(file);
  }

  @Benchmark
  public WeightFile readWeights() throws IOException {
    return WeightReader.read(file);
  }
}
