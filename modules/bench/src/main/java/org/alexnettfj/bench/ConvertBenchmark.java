package org.alexnettfj.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.alexnettfj.weights.NpzWriter;
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
 * Converting the full-size classic {@code .npy} to a pickle-free {@code .npz}, against the bare cost of reading
 * its bytes and writing as many to a new file (through one reused buffer).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 8)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
public class ConvertBenchmark {

  private Path file;
  private Path out;
  private ByteBuffer buffer;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    file = FullSizeWeights.ensure(Path.of(System.getProperty("alexnet.bench.npy",
        "bench-data/bvlc_alexnet-full.npy")));
    out = file.resolveSibling("convert-bench.out");
    buffer = ByteBuffer.allocateDirect(1 << 20);
    Files.readAllBytes(file);
  }

  @Benchmark
  public long readAndWriteBytes() throws IOException {
    long total = 0;
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
         FileChannel o = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
             StandardOpenOption.TRUNCATE_EXISTING)) {
      while (in.read(buffer.clear()) > 0) {
        buffer.flip();
        while (buffer.hasRemaining()) {
          total += o.write(buffer);
        }
      }
    }
    return total;
  }

  @Benchmark
  public long convertToNpz() throws IOException {
    NpzWriter.write(out, WeightReader.read(file).arrays());
    return Files.size(out);
  }
}
