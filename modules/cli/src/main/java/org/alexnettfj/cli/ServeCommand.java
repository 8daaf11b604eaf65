package org.alexnettfj.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.alexnettfj.command.UsageError;
import org.alexnettfj.graph.AlexNetModel;
import org.alexnettfj.graph.AlexNetPredictor;
import org.alexnettfj.graph.Precision;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code alexnet serve}: predictions and features over HTTP from one shared model, batched dynamically. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Answer POST /predict (the JSON of predict --json) and POST /features?layer=fc7 (JSON, or .npy "
        + "with Accept: application/x-npy) over HTTP, with GET /healthz and GET /metrics (Prometheus). Requests "
        + "arriving within --max-wait-ms run as one batch. The body is an image's bytes, or multipart/form-data "
        + "with one or more images: curl -F image=@zebra.jpeg localhost:8080/predict. SIGTERM finishes the "
        + "requests in flight, then exits 0.")
final class ServeCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--weights", paramLabel = "FILE", defaultValue = "weights/bvlc_alexnet.npy",
      description = SharedOptions.WEIGHTS + " Default: ${DEFAULT-VALUE}")
  Path weights;

  @Option(names = "--labels", paramLabel = "FILE",
      description = SharedOptions.LABELS)
  Path labels;

  @Option(names = "--mean-image", paramLabel = "MEAN.npy",
      description = "Subtract a per-pixel BGR mean image instead of the notebook's [104, 117, 124].")
  Path meanImage;

  @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
      description = "Address to listen on (0.0.0.0: every interface). Default: ${DEFAULT-VALUE}")
  String host;

  @Option(names = "--port", paramLabel = "N", defaultValue = "8080",
      description = "Port to listen on (0: any free one, printed at start). Default: ${DEFAULT-VALUE}")
  int port;

  @Option(names = "--max-batch", paramLabel = "N", defaultValue = "32",
      description = "Most images in one run of the model (a 10-crop counts 10), 1 to "
          + AlexNetModel.DEFAULT_MAX_BATCH + ". Default: ${DEFAULT-VALUE}")
  int maxBatch;

  @Option(names = "--max-wait-ms", paramLabel = "MS", defaultValue = "5",
      description = "How long the first request waits for others to share its batch. Default: ${DEFAULT-VALUE}")
  long maxWaitMs;

  @Option(names = "--max-bytes", paramLabel = "N", defaultValue = "20000000",
      description = "Largest request body, checked before decoding (413 above it). Default: ${DEFAULT-VALUE}")
  long maxBytes;

  @Mixin
  SharedOptions.Threads threads;

  @Mixin
  SharedOptions.Device device;

  @Option(names = "--precision", paramLabel = "fp32|bf16", defaultValue = "fp32",
      converter = ModelOptions.PrecisionConverter.class,
      description = "fp32 (default, exact) or bf16 (faster, approximate; cores with avx512_bf16 or AMX).")
  Precision precision;

  @Override
  public Integer call() throws Exception {
    if (maxBatch < 1 || maxBatch > AlexNetModel.DEFAULT_MAX_BATCH) {
      throw new UsageError("--max-batch must be 1 to " + AlexNetModel.DEFAULT_MAX_BATCH + ", was "
          + maxBatch);
    }
    PrintWriter err = spec.commandLine().getErr();
    Inputs.requireWeightsFile(weights);   // before listening: a missing file is one line, not a server that 503s
    PredictionServer.Options options = new PredictionServer.Options(host, port, maxBatch, maxWaitMs, maxBytes,
        PredictionServer.Options.DEFAULT.handlerThreads(), PredictionServer.Options.DEFAULT.shutdownSeconds());
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    try (PredictionServer server = PredictionServer.listen(options)) {
      err.printf(Locale.ROOT, "alexnet serve: listening on http://%s:%d (loading %s)%n", host, server.port(),
          weights);
      err.flush();
      // SIGTERM or Ctrl-C: stop taking requests, let those in flight finish, close the model, exit 0
      Thread hook = new Thread(() -> {
        err.println("alexnet serve: stopping, finishing the requests in flight");
        err.flush();
        server.close();
        stop.countDown();
        try {
          stopped.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().halt(0);
      }, "alexnet-serve-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      try (AlexNetPredictor predictor = ModelOptions.predictor(weights, labels, meanImage, false, threads.count(),
          device.placement(), precision)) {
        // The weights' Java arrays (the file's size) are garbage now that TensorFlow holds its copy, but G1 keeps
        // the heap it grew to read them until a marking finds them dead, then shrinks it: resident memory fell
        // 600-940 MB at once, 15-50 s into a load (tools/bench serve). A full GC here does it before any request.
        System.gc();
        server.serve(predictor);
        err.printf(Locale.ROOT, "alexnet serve: ready, %d classes, batches of up to %d within %d ms%n",
            predictor.model().featureSize("prob"), maxBatch, maxWaitMs);
        err.flush();
        stop.await();
        server.close();   // before the model closes: the batcher may still be running what it holds
      } finally {
        stopped.countDown();
      }
    }
    return 0;
  }
}
