package org.alexnettfj.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.alexnettfj.data.PreprocessConfig;
import org.alexnettfj.data.Preprocessor;
import org.alexnettfj.graph.AlexNetModel;

/**
 * {@code tools/bench serve}: {@code alexnet serve} held under load. First the model alone (batch-64 inference in
 * this process, the rate the server is measured against), then {@code tools/alexnet predict --json} on the test
 * photos (the answers every request must match), then the server in a JVM of its own and {@code --clients}
 * threads posting {@code --requests} photos: throughput, p50/p99 latency, the server's resident memory sampled
 * every 250 ms (each one, with its time, to {@code --samples FILE} as CSV), and every answer checked against
 * predict's (the same classes, probabilities within 1e-6).
 * Exits 1 if any answer differs or fails.
 */
public final class ServeLoad {

  private static final Path PHOTOS = Path.of("modules/data/src/test/resources/images");
  private static final List<String> NAMES = List.of("llama.jpeg", "sealion.jpeg", "zebra.jpeg");
  private static final ObjectMapper JSON = new ObjectMapper();

  private ServeLoad() {
  }

  public static void main(String[] argv) throws Exception {
    int clients = 8;
    int requests = 10_000;
    int warmup = 1_000;
    boolean json = false;
    Path weights = null;
    String maxWait = "5";
    String threads = "0";
    Path samplesFile = null;
    for (int i = 0; i < argv.length; i++) {
      switch (argv[i]) {
        case "--clients" -> clients = Integer.parseInt(argv[++i]);
        case "--requests" -> requests = Integer.parseInt(argv[++i]);
        case "--warmup" -> warmup = Integer.parseInt(argv[++i]);
        case "--weights" -> weights = Path.of(argv[++i]);
        case "--json" -> json = true;
        case "--max-wait-ms" -> maxWait = argv[++i];
        case "--threads" -> threads = argv[++i];
        case "--samples" -> samplesFile = Path.of(argv[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + argv[i]
            + " (tools/bench serve [--clients 8] [--requests 10000] [--warmup 1000] [--max-wait-ms 5] [--threads N] "
            + "[--weights FILE] [--samples FILE.csv] [--json])");
      }
    }
    if (weights == null) {
      weights = FullSizeWeights.ensure(Path.of("bench-data/bvlc_alexnet-full.npy"));
    }
    double modelRate = batchRate(64);
    double batch8Rate = batchRate(8);
    double decodeRate = decodeRate();
    System.err.printf(Locale.ROOT, "serve: model alone, batch 64: %.1f images/s, batch 8: %.1f; decoding alone, "
        + "one thread: %.1f images/s%n", modelRate, batch8Rate, decodeRate);
    Map<String, JsonNode> expected = predicted(weights);

    Path log = Files.createTempFile("alexnet-serve", ".log");
    Process server = new ProcessBuilder("tools/alexnet", "serve", "--weights", weights.toString(), "--port", "0",
        "--max-wait-ms", maxWait, "--threads", threads)
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      int port = awaitReady(server, log);
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10)).build();
      List<byte[]> bodies = new ArrayList<>();
      for (String n : NAMES) {
        bodies.add(Files.readAllBytes(PHOTOS.resolve(n)));
      }
      URI uri = URI.create("http://127.0.0.1:" + port + "/predict");
      long[] latency = new long[requests];
      AtomicInteger next = new AtomicInteger();
      AtomicInteger mismatches = new AtomicInteger();
      ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
      List<long[]> rss = new ArrayList<>();   // {request count, bytes}
      long warmEnd = -1;
      ExecutorService pool = Executors.newFixedThreadPool(clients);
      List<Future<?>> running = new ArrayList<>();
      long start = System.nanoTime();
      long[] measuredFrom = {0};
      double[] cpuFrom = {0, 0};
      int total = requests;
      int warm = warmup;
      for (int c = 0; c < clients; c++) {
        running.add(pool.submit(() -> {
          for (int i; (i = next.getAndIncrement()) < total; ) {
            String name = NAMES.get(i % 3);
            long t0 = System.nanoTime();
            try {
              HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).POST(
                  HttpRequest.BodyPublishers.ofByteArray(bodies.get(i % 3))).build(),
                  HttpResponse.BodyHandlers.ofString());
              latency[i] = System.nanoTime() - t0;
              String why = r.statusCode() != 200 ? "status " + r.statusCode() + ": " + r.body()
                  : differs(JSON.readTree(r.body()).get(0).get("top"), expected.get(name));
              if (why != null) {
                mismatches.incrementAndGet();
                problems.add(name + ": " + why);
              }
            } catch (IOException | InterruptedException e) {
              latency[i] = System.nanoTime() - t0;
              mismatches.incrementAndGet();
              problems.add(name + ": " + e);
            }
            if (i == warm) {
              measuredFrom[0] = System.nanoTime();
              cpuFrom[0] = cpuSeconds(jvmPid(server));
              cpuFrom[1] = ownCpuSeconds();
            }
          }
          return null;
        }));
      }
      List<String> sampleLines = new ArrayList<>();
      sampleLines.add("epochMs,ms,done,pid,command,VmRSS,RssAnon,RssFile,RssShmem,Threads");
      while (running.stream().anyMatch(f -> !f.isDone())) {
        long pid = jvmPid(server);
        long bytes = residentBytes(pid);
        int done = Math.min(next.get(), total);
        rss.add(new long[] {done, bytes});
        sampleLines.add(String.format(Locale.ROOT, "%d,%d,%d,%d,%s,%s", System.currentTimeMillis(),
            (System.nanoTime() - start) / 1_000_000, done, pid,
            ProcessHandle.of(pid).flatMap(h -> h.info().command()).orElse("?"), statusFields(pid)));
        if (warmEnd < 0 && done >= warm) {
          warmEnd = bytes;
        }
        Thread.sleep(250);
      }
      for (Future<?> f : running) {
        f.get();
      }
      long end = System.nanoTime();
      if (samplesFile != null) {
        Files.write(samplesFile, sampleLines);
      }
      double serverCpu = cpuSeconds(jvmPid(server)) - cpuFrom[0];
      double clientCpu = ownCpuSeconds() - cpuFrom[1];
      pool.shutdown();
      double measuredSeconds = (end - measuredFrom[0]) / 1e9;
      double rate = (total - warm) / measuredSeconds;
      long[] sorted = Arrays.copyOfRange(latency, warm, total);
      Arrays.sort(sorted);
      double p50 = sorted[sorted.length / 2] / 1e6;
      double p99 = sorted[(int) (sorted.length * 0.99)] / 1e6;
      long base = warmEnd;
      long low = rss.stream().filter(s -> s[0] >= warm).mapToLong(s -> s[1]).min().orElse(base);
      long high = rss.stream().filter(s -> s[0] >= warm).mapToLong(s -> s[1]).max().orElse(base);
      // min and max alone made one step look like noise: G1 shrinking its heap drops resident memory at once and
      // for good, so a step late in a run is one low sample (BENCHMARKS.md). The median, the last sample and the
      // largest change between two samples say which it is.
      long[] after = rss.stream().filter(s -> s[0] >= warm).mapToLong(s -> s[1]).sorted().toArray();
      long median = after.length > 0 ? after[after.length / 2] : base;
      long last = rss.isEmpty() ? base : rss.get(rss.size() - 1)[1];
      long step = 0;
      long stepAt = -1;
      for (int k = 1; k < rss.size(); k++) {
        long change = rss.get(k)[1] - rss.get(k - 1)[1];
        if (rss.get(k - 1)[0] >= warm && Math.abs(change) > Math.abs(step)) {
          step = change;
          stepAt = rss.get(k)[0];
        }
      }
      String metrics = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
          .build(), HttpResponse.BodyHandlers.ofString()).body();
      double meanBatch = metric(metrics, "alexnet_batch_size_sum") / metric(metrics, "alexnet_batch_size_count");
      double heapCommitted = metric(metrics, "jvm_memory_committed_bytes{area=\"heap\"}");
      server.destroy();   // SIGTERM: the server finishes and exits 0
      boolean exited = server.waitFor(60, TimeUnit.SECONDS);
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("machine", Machine.current());
      out.put("clients", clients);
      out.put("maxWaitMs", Double.parseDouble(maxWait));
      out.put("serverIntraOpThreads", Integer.parseInt(threads));
      out.put("requests", total);
      out.put("warmupRequests", warm);
      out.put("seconds", (end - start) / 1e9);
      out.put("imagesPerSecond", rate);
      out.put("modelBatch64ImagesPerSecond", modelRate);
      out.put("fractionOfBatch64", rate / modelRate);
      out.put("modelBatch8ImagesPerSecond", batch8Rate);
      out.put("fractionOfBatch8", rate / batch8Rate);
      out.put("decodeImagesPerSecondOneThread", decodeRate);
      out.put("meanBatch", meanBatch);
      out.put("serverCores", serverCpu / measuredSeconds);
      out.put("clientCores", clientCpu / measuredSeconds);
      out.put("p50Ms", p50);
      out.put("p99Ms", p99);
      out.put("residentAfterWarmupMB", base / 1e6);
      out.put("residentMinMB", low / 1e6);
      out.put("residentMaxMB", high / 1e6);
      out.put("residentDrift", (high - low) / (double) base);
      out.put("residentMedianMB", median / 1e6);
      out.put("residentLastMB", last / 1e6);
      out.put("residentLargestStepMB", step / 1e6);
      out.put("residentLargestStepAtRequest", stepAt);
      out.put("serverHeapCommittedMB", heapCommitted / 1e6);
      out.put("answersDiffering", mismatches.get());
      out.put("serverExit", exited ? server.exitValue() : null);
      if (json) {
        System.out.println(JSON.writeValueAsString(out));
      } else {
        System.out.printf(Locale.ROOT, "%s%n%d clients, %d requests (first %d warm-up), %.1f s%n"
            + "throughput %.1f images/s = %.0f%% of batch-64 inference (%.1f images/s), %.0f%% of batch-8 (%.1f); "
            + "decoding alone %.1f images/s on one thread%n"
            + "mean batch %.1f images; cores busy: server %.2f, clients %.2f%n"
            + "latency p50 %.1f ms, p99 %.1f ms%nresident memory after warm-up %.0f MB, then %.0f-%.0f MB (%.1f%%)%n"
            + "  median %.0f MB, last %.0f MB; largest step between samples %+.0f MB, at request %d; "
            + "heap committed at the end %.0f MB%n"
            + "answers differing from predict: %d; server exit code %s%n", machineLine(), clients, total, warm,
            (end - start) / 1e9, rate, 100 * rate / modelRate, modelRate, 100 * rate / batch8Rate, batch8Rate,
            decodeRate, meanBatch, serverCpu / measuredSeconds,
            clientCpu / measuredSeconds, p50, p99, base / 1e6, low / 1e6, high / 1e6, 100.0 * (high - low) / base,
            median / 1e6, last / 1e6, step / 1e6, stepAt, heapCommitted / 1e6, mismatches.get(),
            out.get("serverExit"));
        if (samplesFile != null) {
          System.out.println("every sample: " + samplesFile);
        }
      }
      problems.stream().limit(5).forEach(p -> System.err.println("serve: " + p));
      if (mismatches.get() > 0 || !exited || server.exitValue() != 0) {
        System.exit(1);
      }
    } finally {
      server.destroyForcibly();
    }
  }

  private static String machineLine() {
    Machine m = Machine.current();
    return String.format(Locale.ROOT, "machine: %d cores, %s, %s, %d GiB, java %s", m.cores(), m.cpu(), m.vector(),
        m.memoryGiB(), m.java());
  }

  /**
   * Median images/s of forward passes of {@code n} images (5 timed, at least 64 images each, after 2 warm-ups), a
   * fresh model in this process: batch 64 is the rate the server is measured against; batch 8 the most that 8
   * clients of one image each can ever be batched to.
   */
  private static double batchRate(int n) throws IOException {
    try (AlexNetModel model = AlexNetModel.builder().setFreshInit().optSeed(1).optMaxBatch(n).build()) {
      float[] batch = new float[64 * AlexNetModel.IMAGE_VALUES];
      SplittableRandom rnd = new SplittableRandom(7);
      for (int i = 0; i < batch.length; i++) {
        batch[i] = (float) rnd.nextDouble(-120, 130);
      }
      double[] rates = new double[5];
      for (int i = -2; i < rates.length; i++) {
        long t0 = System.nanoTime();
        model.features(batch, 64, "prob");   // in runs of n
        if (i >= 0) {
          rates[i] = 64 / ((System.nanoTime() - t0) / 1e9);
        }
      }
      Arrays.sort(rates);
      return rates[2];
    }
  }

  /** Median images/s of predict's decoding and preprocessing of the photos on one thread (no model). */
  private static double decodeRate() throws IOException {
    Preprocessor notebook = new Preprocessor(PreprocessConfig.NOTEBOOK);
    double[] rates = new double[5];
    for (int i = -2; i < rates.length; i++) {
      long t0 = System.nanoTime();
      for (int k = 0; k < 30; k++) {
        notebook.apply(PHOTOS.resolve(NAMES.get(k % NAMES.size())));
      }
      if (i >= 0) {
        rates[i] = 30 / ((System.nanoTime() - t0) / 1e9);
      }
    }
    Arrays.sort(rates);
    return rates[2];
  }

  /** {@code tools/alexnet predict --json --top 5} on the photos, one image at a time as a user would. */
  private static Map<String, JsonNode> predicted(Path weights) throws IOException, InterruptedException {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    for (String n : NAMES) {
      Process p = new ProcessBuilder("tools/alexnet", "predict", "--weights", weights.toString(), "--top", "5",
          "--json", PHOTOS.resolve(n).toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String text = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new IllegalStateException("tools/alexnet predict failed on " + n);
      }
      out.put(n, JSON.readTree(text).get(0).get("top"));
    }
    return out;
  }

  /** Why {@code top} is not predict's answer, or null: the same classes in order, probabilities within 1e-6. */
  static String differs(JsonNode top, JsonNode expected) {
    if (top == null || top.size() != expected.size()) {
      return "answer " + top + " against " + expected;
    }
    for (int k = 0; k < expected.size(); k++) {
      if (top.get(k).get("index").asInt() != expected.get(k).get("index").asInt()
          || Math.abs(top.get(k).get("probability").asDouble() - expected.get(k).get("probability").asDouble())
          > 1e-6) {
        return "rank " + k + ": " + top.get(k) + " against " + expected.get(k);
      }
    }
    return null;
  }

  private static int awaitReady(Process server, Path log) throws IOException, InterruptedException {
    Pattern listening = Pattern.compile("listening on http://[^:]+:(\\d+)");
    for (int i = 0; i < 1200; i++) {
      String text = Files.readString(log);
      Matcher m = listening.matcher(text);
      if (m.find() && text.contains("alexnet serve: ready")) {
        return Integer.parseInt(m.group(1));
      }
      if (!server.isAlive()) {
        throw new IllegalStateException("tools/alexnet serve exited: " + text);
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("tools/alexnet serve not ready after 120 s: " + Files.readString(log));
  }

  /**
   * The server's JVM: {@code tools/alexnet} runs it as a child of the launcher's shell, whose own memory and CPU
   * would be measured otherwise.
   */
  private static long jvmPid(Process launcher) {
    return launcher.toHandle().descendants()
        .filter(h -> h.info().command().map(c -> c.endsWith("/java") || c.equals("java")).orElse(false))
        .mapToLong(ProcessHandle::pid).findFirst().orElse(launcher.pid());
  }

  /** User + system CPU seconds of process {@code pid} so far, from /proc (clock ticks of 1/100 s). */
  private static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  private static double ownCpuSeconds() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
  }

  private static double metric(String text, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " ([0-9.eE+-]+)$").matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  private static String statusFields(long pid) {
    Map<String, String> f = new LinkedHashMap<>();
    for (String k : List.of("VmRSS", "RssAnon", "RssFile", "RssShmem", "Threads")) {
      f.put(k, "");
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        int c = line.indexOf(':');
        if (c > 0 && f.containsKey(line.substring(0, c))) {
          f.put(line.substring(0, c), line.substring(c + 1).replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      return "error " + e;
    }
    return String.join(",", f.values());
  }

  private static long residentBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
