package org.alexnettfj.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.alexnettfj.graph.AlexNetOnnx;
import org.alexnettfj.weights.WeightReader;
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
 * ONNX Runtime Java (CPU, its default kernels, one intra-op thread per core) on our exported AlexNet
 * ({@link AlexNetOnnx}, from the suite's full-size random weights): the same network, batch and input as
 * {@link InferenceBenchmark}, so the two rows of one run compare runtimes, not models.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(1)
public class OrtInferenceBenchmark {

  @Param({"1", "64"})
  public int batch;

  private OrtEnvironment env;
  private OrtSession session;
  private OnnxTensor input;

  @Setup(Level.Trial)
  public void setUp() throws IOException, OrtException {
    Path npy = FullSizeWeights.ensure(Path.of(System.getProperty("alexnet.bench.npy",
        "bench-data/bvlc_alexnet-full.npy")));
    Path onnx = npy.resolveSibling("alexnet-full.onnx");
    if (!Files.isRegularFile(onnx) || Files.getLastModifiedTime(onnx).compareTo(Files.getLastModifiedTime(npy)) < 0) {
      AlexNetOnnx.export(WeightReader.read(npy), onnx, true, AlexNetOnnx.Options.defaults());
    }
    env = OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(Runtime.getRuntime().availableProcessors());
    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    session = env.createSession(onnx.toString(), options);
    input = OnnxTensor.createTensor(env, FloatBuffer.wrap(InferenceBenchmark.images(batch)),
        new long[] {batch, 227, 227, 3});
  }

  @Benchmark
  public float forward() throws OrtException {
    try (OrtSession.Result r = session.run(Map.of("images", input), java.util.Set.of("prob"))) {
      return ((float[][]) r.get(0).getValue())[0][0];
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws OrtException {
    input.close();
    session.close();
  }
}
