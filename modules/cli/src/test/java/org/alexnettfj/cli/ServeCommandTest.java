package org.alexnettfj.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.alexnettfj.graph.AlexNetPredictor;
import org.alexnettfj.testfixtures.RandomAlexNet;
import org.alexnettfj.weights.NpyWriter;
import org.alexnettfj.weights.WeightArray;
import org.alexnettfj.weights.WeightReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code alexnet serve} driven by the JDK's {@link HttpClient}: answers equal to {@code predict --json} and
 * {@code features} under concurrent requests, bad input among good, limits, a client that disconnects, resident
 * memory over a few thousand requests, and SIGTERM in a separate JVM.
 */
class ServeCommandTest {

  private static final Path IMAGES = Path.of("../data/src/test/resources/images");
  private static final List<String> PHOTOS = List.of("llama.jpeg", "sealion.jpeg", "zebra.jpeg");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path shared;

  private static Path weights;
  private static AlexNetPredictor predictor;
  private static PredictionServer server;
  private static HttpClient client;
  private static Map<String, JsonNode> predicted = new HashMap<>();

  @BeforeAll
  static void start() throws Exception {
    weights = shared.resolve("bvlc_alexnet.npy");
    NpyWriter.writeClassic(weights, RandomAlexNet.uniform(1000, 5, 0.01, 0.1), n -> n.startsWith("fc7/"));
    List<String> args = new ArrayList<>(List.of("predict", "--weights", weights.toString(), "--top", "5", "--json"));
    for (String photo : PHOTOS) {
      args.add(IMAGES.resolve(photo).toString());
    }
    Run p = Run.of(args.toArray(String[]::new));
    assertThat(p.code()).as(p.err()).isZero();
    JsonNode all = JSON.readTree(p.out());
    for (int i = 0; i < PHOTOS.size(); i++) {
      predicted.put(PHOTOS.get(i), all.get(i).get("top"));
    }
    predictor = ModelOptions.predictor(weights, null, null, false, 0, org.alexnettfj.graph.Placement.DEFAULT,
        org.alexnettfj.graph.Precision.FP32);
    server = PredictionServer.listen(new PredictionServer.Options("127.0.0.1", 0, 8, 20, 1_000_000, 16, 5));
    server.serve(predictor);
    client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  @AfterAll
  static void stop() {
    server.close();
    predictor.close();
  }

  private static URI uri(PredictionServer s, String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + s.port() + pathAndQuery);
  }

  private static HttpResponse<String> post(String pathAndQuery, byte[] body, String contentType) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(uri(server, pathAndQuery)).POST(
        HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      r.header("Content-Type", contentType);
    }
    return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static byte[] photo(String name) throws IOException {
    return Files.readAllBytes(IMAGES.resolve(name));
  }

  /** A multipart/form-data body of the named parts, as curl -F sends it. */
  private static byte[] multipart(String boundary, Map<String, byte[]> files) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      out.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"" + f.getKey()
          + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
      out.write(f.getValue());
      out.write("\r\n".getBytes(StandardCharsets.UTF_8));
    }
    out.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  /**
   * The same classes in the same order as {@code predict}, each probability within 1e-6: not bit for bit, since
   * TensorFlow's kernels differ with the batch size (conv3 runs as one convolution for a single image), which
   * moves probabilities by ~1e-8.
   */
  private static void assertSameAsPredict(JsonNode top, String photo) {
    JsonNode expected = predicted.get(photo);
    assertThat(top).as(photo).hasSize(5);
    for (int k = 0; k < 5; k++) {
      assertThat(top.get(k).get("index").asInt()).as("%s rank %d", photo, k)
          .isEqualTo(expected.get(k).get("index").asInt());
      assertThat(top.get(k).get("label").asText()).isEqualTo(expected.get(k).get("label").asText());
      assertThat(top.get(k).get("probability").asDouble()).isCloseTo(expected.get(k).get("probability").asDouble(),
          within(1e-6));
    }
  }

  @Test
  void concurrentRequestsGetPredictsAnswersAndShareBatches() throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try {
      List<Future<Void>> done = new ArrayList<>();
      for (int c = 0; c < 8; c++) {
        int client = c;
        done.add(clients.submit(() -> {
          for (int r = 0; r < 6; r++) {
            String name = PHOTOS.get((client + r) % 3);
            if (r % 3 == 2) {   // two images in one multipart request
              String other = PHOTOS.get((client + r + 1) % 3);
              Map<String, byte[]> files = new java.util.LinkedHashMap<>();
              files.put(name, photo(name));
              files.put(other, photo(other));
              HttpResponse<String> resp = post("/predict", multipart("b0undary" + r, files),
                  "multipart/form-data; boundary=b0undary" + r);
              assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
              JsonNode answer = JSON.readTree(resp.body());
              assertThat(answer).hasSize(2);
              assertThat(answer.get(0).get("input").asText()).isEqualTo(name);
              assertSameAsPredict(answer.get(0).get("top"), name);
              assertSameAsPredict(answer.get(1).get("top"), other);
            } else {
              HttpResponse<String> resp = post("/predict", photo(name), "image/jpeg");
              assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
              assertSameAsPredict(JSON.readTree(resp.body()).get(0).get("top"), name);
            }
          }
          return null;
        }));
      }
      for (Future<Void> f : done) {
        f.get();
      }
    } finally {
      clients.shutdownNow();
    }
    String metrics = client.send(HttpRequest.newBuilder(uri(server, "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    long images = number(metrics, "alexnet_images_total");
    long runs = number(metrics, "alexnet_batch_size_count");
    assertThat(images).as(metrics).isGreaterThanOrEqualTo(64);
    assertThat(runs).as("8 clients at once share the model's runs: %s", metrics).isLessThan(images);
    assertThat(metrics).contains("alexnet_requests_total{endpoint=\"/predict\",code=\"200\"}")
        .contains("process_resident_memory_bytes").contains("alexnet_request_duration_seconds_bucket{le=\"+Inf\"}");
  }

  @Test
  void anUnreadableImageIsAnErrorElementAmongGoodOnesAndAloneA400WithTheClisMessage() throws Exception {
    byte[] text = "not an image".getBytes(StandardCharsets.UTF_8);
    Map<String, byte[]> files = new java.util.LinkedHashMap<>();
    files.put("zebra.jpeg", photo("zebra.jpeg"));
    files.put("notes.jpg", text);
    HttpResponse<String> mixed = post("/predict?top=5", multipart("xyz", files), "multipart/form-data; boundary=xyz");
    assertThat(mixed.statusCode()).isEqualTo(200);
    JsonNode answer = JSON.readTree(mixed.body());
    assertSameAsPredict(answer.get(0).get("top"), "zebra.jpeg");
    assertThat(answer.get(1).get("input").asText()).isEqualTo("notes.jpg");
    assertThat(answer.get(1).get("error").asText()).startsWith("notes.jpg: not a JPEG, PNG, GIF or BMP image");

    Path file = shared.resolve("notes.jpg");
    Files.write(file, text);
    Run cli = Run.of("predict", "--weights", weights.toString(), file.toString());
    HttpResponse<String> alone = post("/predict", text, null);
    assertThat(alone.statusCode()).isEqualTo(400);
    String message = JSON.readTree(alone.body()).get("error").asText();
    assertThat(cli.err()).contains("not a JPEG, PNG, GIF or BMP image (the file starts with 6e 6f 74 20");
    assertThat(message).isEqualTo("image: not a JPEG, PNG, GIF or BMP image (the file starts with 6e 6f 74 20 61 6e"
        + " 20 69, text \"not an i\")");
  }

  @Test
  void badRequestsGetTheirStatusAndOneLine() throws Exception {
    byte[] big = new byte[1_000_001];
    assertError(post("/predict", big, "image/jpeg"), 413, "request body of 1000001 bytes is over the limit of "
        + "1000000 bytes (--max-bytes)");
    HttpResponse<String> chunked = client.send(HttpRequest.newBuilder(uri(server, "/predict")).POST(
        HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertError(chunked, 413, "request body is over the limit of 1000000 bytes (--max-bytes)");
    assertError(post("/features?layer=fc9", photo("zebra.jpeg"), null), 400, "no layer 'fc9' in this graph");
    assertError(post("/predict?tops=3", photo("zebra.jpeg"), null), 400, "unknown parameter 'tops'");
    assertError(post("/predict?top=0", photo("zebra.jpeg"), null), 400, "top=0: expected a whole number from 1");
    assertError(post("/predict", new byte[0], null), 400, "empty request body");
    assertError(post("/predict", "--x\r\n".getBytes(StandardCharsets.UTF_8), "multipart/form-data; boundary=x"),
        400, "multipart part 1 has no blank line after its headers");
    assertError(client.send(HttpRequest.newBuilder(uri(server, "/predict")).build(),
        HttpResponse.BodyHandlers.ofString()), 405, "/predict takes POST, not GET");
    assertError(post("/classify", photo("zebra.jpeg"), null), 404, "no such endpoint /classify");
    assertThat(post("/predict", photo("llama.jpeg"), null).statusCode()).as("still serving").isEqualTo(200);
  }

  private static void assertError(HttpResponse<String> r, int status, String messageStart) throws IOException {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(JSON.readTree(r.body()).get("error").asText()).startsWith(messageStart);
  }

  @Test
  void aClientThatHangsUpMidUploadCostsOnlyItsOwnRequest() throws Exception {
    for (int i = 0; i < 3; i++) {
      try (Socket s = new Socket("127.0.0.1", server.port())) {
        OutputStream out = s.getOutputStream();
        out.write(("POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: 500000\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        out.write(photo("zebra.jpeg"), 0, 20_000);
        out.flush();
      }
    }
    HttpResponse<String> after = post("/predict", photo("sealion.jpeg"), null);
    assertThat(after.statusCode()).isEqualTo(200);
    assertSameAsPredict(JSON.readTree(after.body()).get(0).get("top"), "sealion.jpeg");
  }

  @Test
  void featuresComeAsJsonOrNpyEqualToTheFeaturesCommand() throws Exception {
    Path npy = shared.resolve("fc7.npy");
    Run cli = Run.of("features", "--weights", weights.toString(), "--layer", "fc7", "--out", npy.toString(),
        IMAGES.resolve("llama.jpeg").toString(), IMAGES.resolve("zebra.jpeg").toString());
    assertThat(cli.code()).as(cli.err()).isZero();
    float[] expected = WeightReader.readArray(npy).data();
    Map<String, byte[]> files = new java.util.LinkedHashMap<>();
    files.put("llama.jpeg", photo("llama.jpeg"));
    files.put("zebra.jpeg", photo("zebra.jpeg"));
    byte[] body = multipart("fb", files);
    HttpResponse<String> json = post("/features?layer=fc7", body, "multipart/form-data; boundary=fb");
    assertThat(json.statusCode()).as(json.body()).isEqualTo(200);
    JsonNode answer = JSON.readTree(json.body());
    assertThat(answer.get(1).get("layer").asText()).isEqualTo("fc7");
    HttpResponse<byte[]> binary = client.send(HttpRequest.newBuilder(uri(server, "/features?layer=fc7"))
        .header("Content-Type", "multipart/form-data; boundary=fb").header("Accept", "application/x-npy")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(binary.statusCode()).isEqualTo(200);
    assertThat(binary.headers().firstValue("Content-Type")).hasValue("application/x-npy");
    Path got = shared.resolve("served.npy");
    Files.write(got, binary.body());
    WeightArray served = WeightReader.readArray(got);
    assertThat(served.shape()).containsExactly(2, 4096);
    double scale = 0;
    for (float v : expected) {
      scale = Math.max(scale, Math.abs(v));
    }
    for (int i = 0; i < expected.length; i++) {
      assertThat((double) served.data()[i]).as("fc7 value %d", i).isCloseTo(expected[i], within(1e-5 * scale));
      assertThat(answer.get(i / 4096).get("features").get(i % 4096).floatValue())
          .isEqualTo(served.data()[i]);
    }
  }

  @Test
  void healthzIs503UntilTheModelIsLoaded() throws Exception {
    try (PredictionServer loading = PredictionServer.listen(new PredictionServer.Options("127.0.0.1", 0, 8, 1,
        1_000_000, 4, 2))) {
      HttpResponse<String> before = client.send(HttpRequest.newBuilder(uri(loading, "/healthz")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(before.statusCode()).isEqualTo(503);
      assertThat(before.body()).contains("loading");
      HttpResponse<String> early = client.send(HttpRequest.newBuilder(uri(loading, "/predict"))
          .POST(HttpRequest.BodyPublishers.ofByteArray(photo("zebra.jpeg"))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(early.statusCode()).isEqualTo(503);
      loading.serve(predictor);
      HttpResponse<String> after = client.send(HttpRequest.newBuilder(uri(loading, "/healthz")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(after.statusCode()).isEqualTo(200);
      assertThat(after.body()).contains("ready");
    }
  }

  @Test
  void aSoakOfThousandsOfRequestsKeepsResidentMemoryFlat() throws Exception {
    List<byte[]> bodies = new ArrayList<>();
    for (String p : PHOTOS) {
      bodies.add(photo(p));
    }
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try {
      long warm = 0;
      for (int round = 0; round < 5; round++) {
        List<Future<Integer>> done = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
          int client = c;
          done.add(clients.submit(() -> {
            int ok = 0;
            for (int r = 0; r < 60; r++) {
              ok += post("/predict?top=1", bodies.get((client + r) % 3), null).statusCode() == 200 ? 1 : 0;
            }
            return ok;
          }));
        }
        for (Future<Integer> f : done) {
          assertThat(f.get()).isEqualTo(60);
        }
        long rss = ServerMetrics.residentBytes();
        if (round == 1) {
          warm = rss;   // after 960 requests: TensorFlow's and the JVM's pools have grown to their size
        }
        if (round == 4) {
          // Measured: 1035 MB after 960 requests, 836-864 MB over the next 1440 (the JVM's heap shrinks).
          assertThat((double) rss).as("resident memory after 2400 requests against after 960")
              .isLessThan(warm * 1.05);
        }
      }
    } finally {
      clients.shutdownNow();
    }
  }

  @Test
  void sigtermLetsTheRequestInFlightFinishAndExitsZero() throws Exception {
    Path log = shared.resolve("serve.log");
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-Xmx1g", "-cp", System.getProperty("java.class.path"), AlexNetCli.class.getName(), "serve", "--weights",
        weights.toString(), "--port", "0", "--max-wait-ms", "300"));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    Process process = pb.start();
    try {
      int port = -1;
      for (int i = 0; i < 600 && port < 0; i++) {
        Matcher m = Pattern.compile("listening on http://127.0.0.1:(\\d+)").matcher(Files.readString(log));
        if (m.find() && Files.readString(log).contains("ready")) {
          port = Integer.parseInt(m.group(1));
        }
        Thread.sleep(100);
      }
      assertThat(port).as(Files.readString(log)).isPositive();
      // the request waits up to 300 ms for company in its batch: SIGTERM arrives while it is in flight
      Future<HttpResponse<String>> inFlight = client.sendAsync(HttpRequest.newBuilder(URI.create(
          "http://127.0.0.1:" + port + "/predict")).POST(HttpRequest.BodyPublishers.ofByteArray(photo(
          "zebra.jpeg"))).build(), HttpResponse.BodyHandlers.ofString());
      Thread.sleep(100);
      process.destroy();   // SIGTERM
      HttpResponse<String> answer = inFlight.get();
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      assertSameAsPredict(JSON.readTree(answer.body()).get(0).get("top"), "zebra.jpeg");
      assertThat(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).as(Files.readString(log)).isZero();
      assertThat(Files.readString(log)).contains("stopping, finishing the requests in flight");
    } finally {
      process.destroyForcibly();
    }
  }

  /** The launcher, tools/lib/run-java.sh, as tools/alexnet runs it. Tests run in modules/cli. */
  private static final Path RUN_JAVA = Path.of("../../tools/lib/run-java.sh").toAbsolutePath().normalize();

  @Test
  void sigtermToTheLauncherAnswersTheRequestsInFlightExitsZeroAndLeavesNoJvm() throws Exception {
    Path log = shared.resolve("launched.log");
    // tools/alexnet's last line on this test's class path (tools/alexnet itself would build the CLI with Maven);
    // --max-batch 1: the requests run one after another, so several are in flight at once
    List<String> command = new ArrayList<>(List.of("bash", "-c", "set -euo pipefail; source \"$1\"; shift; "
        + "run_java \"$1\" -Xmx1g -cp \"$2\" -- org.alexnettfj.cli.AlexNetCli \"${@:3}\"", "bash",
        RUN_JAVA.toString(), ProcessHandle.current().info().command().orElse("java"),
        System.getProperty("java.class.path"), "serve", "--weights", weights.toString(), "--port", "0",
        "--max-batch", "1", "--threads", "1"));
    Process launcher = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      int port = -1;
      Pattern listening = Pattern.compile("listening on http://127.0.0.1:(\\d+)");
      for (int i = 0; i < 600 && port < 0 && launcher.isAlive(); i++) {
        Matcher m = listening.matcher(Files.readString(log));
        if (m.find()) {
          port = Integer.parseInt(m.group(1));
        }
        Thread.sleep(50);
      }
      assertThat(port).as("listening; log: %s", Files.readString(log)).isPositive();
      URI base = URI.create("http://127.0.0.1:" + port);
      int healthz = 0;
      for (int i = 0; i < 600 && healthz != 200 && launcher.isAlive(); i++) {
        healthz = client.send(HttpRequest.newBuilder(base.resolve("/healthz")).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode();
        Thread.sleep(50);
      }
      assertThat(healthz).as("GET /healthz; log: %s", Files.readString(log)).isEqualTo(200);
      List<ProcessHandle> children = launcher.toHandle().descendants().toList();
      List<ProcessHandle> jvms = children.stream()
          .filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false)).toList();
      assertThat(jvms).as("the launcher's JVM, its child: %s", children).hasSize(1);
      assertThat(jvms.get(0).pid()).isNotEqualTo(launcher.pid());

      List<String> photos = List.of("llama.jpeg", "sealion.jpeg", "zebra.jpeg", "llama.jpeg");
      List<Future<HttpResponse<String>>> inFlight = new ArrayList<>();
      for (String photo : photos) {
        inFlight.add(client.sendAsync(HttpRequest.newBuilder(base.resolve("/predict")).POST(
            HttpRequest.BodyPublishers.ofByteArray(photo(photo))).build(), HttpResponse.BodyHandlers.ofString()));
      }
      // every body read (in flight, or answered already): from there each is answered, however soon SIGTERM comes
      long read = 0;
      for (int i = 0; i < 5000 && read < photos.size(); i++) {
        String metrics = client.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        read = number(metrics, "alexnet_requests_in_flight")
            + count(metrics, "alexnet_requests_total{endpoint=\"/predict\",code=\"200\"}");
      }
      assertThat(read).as("requests read").isEqualTo(photos.size());
      long sent = System.nanoTime();
      launcher.destroy();   // SIGTERM to the launcher's shell, which passes it on to the JVM

      for (int i = 0; i < photos.size(); i++) {
        HttpResponse<String> answer = inFlight.get(i).get(60, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).as("request %d: %s", i, answer.body()).isEqualTo(200);
        assertSameAsPredict(JSON.readTree(answer.body()).get(0).get("top"), photos.get(i));
      }
      assertThat(launcher.waitFor(20, TimeUnit.SECONDS)).as("the launcher exits; log: %s", Files.readString(log))
          .isTrue();
      double seconds = (System.nanoTime() - sent) / 1e9;
      assertThat(launcher.exitValue()).as("launcher's exit code; log: %s", Files.readString(log)).isZero();
      assertThat(seconds).as("SIGTERM to exit, seconds").isLessThan(20);
      for (ProcessHandle child : children) {
        assertThat(child.isAlive()).as("child %d (%s) after the launcher exited", child.pid(),
            child.info().command().orElse("?")).isFalse();
      }
      assertThat(ProcessHandle.of(jvms.get(0).pid())).as("the JVM's pid").isEmpty();
      assertThat(Files.readString(log)).contains("stopping, finishing the requests in flight");
    } finally {
      launcher.descendants().forEach(ProcessHandle::destroyForcibly);
      launcher.destroyForcibly();
    }
  }

  /** A counter's value, 0 while it has no line. */
  private static long count(String metrics, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\d+)").matcher(metrics);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  private static long number(String metrics, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\d+)").matcher(metrics);
    assertThat(m.find()).as(name + " in " + metrics).isTrue();
    return Long.parseLong(m.group(1));
  }
}
