package org.alexnettfj.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.alexnettfj.data.BgrImage;
import org.alexnettfj.data.ImageDecodeException;
import org.alexnettfj.data.Preprocessor;
import org.alexnettfj.graph.AlexNetPredictor;
import org.alexnettfj.weights.NpyWriter;
import org.alexnettfj.weights.WeightArray;

/**
 * {@code alexnet serve}'s HTTP side, on the JDK's own {@link HttpServer} (no dependency; its thread-per-exchange
 * model suits a server whose work is one shared model): {@code POST /predict}, {@code POST /features},
 * {@code GET /healthz}, {@code GET /metrics}. Images are decoded and preprocessed in the handler threads, exactly
 * as {@code predict} does; the model runs in a {@link Batcher}. A request that fails gets a 4xx or 5xx with a
 * one-line {@code {"error": "..."}}; no request can stop the server.
 *
 * <pre>{@code
 * try (PredictionServer server = PredictionServer.listen(PredictionServer.Options.DEFAULT);
 *     AlexNetPredictor predictor = ...) {
 *   server.serve(predictor);   // /healthz answers 503 until here
 *   ...
 * }
 * }</pre>
 */
final class PredictionServer implements AutoCloseable {

  /** Where to listen, how to batch, how large a body may be, and how long to let requests finish at close. */
  record Options(String host, int port, int maxBatch, long maxWaitMillis, long maxBytes, int handlerThreads,
      int shutdownSeconds) {
    static final Options DEFAULT = new Options("127.0.0.1", 8080, 32, 5, 20L << 20,
        Math.max(8, 2 * Runtime.getRuntime().availableProcessors()), 30);

    Options {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("--port must be 0 to 65535, was " + port);
      }
      if (maxBytes < 1) {
        throw new IllegalArgumentException("--max-bytes must be positive, was " + maxBytes);
      }
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NPY = "application/x-npy";
  /** How long a request waits for its batch before it is answered 503. */
  private static final long RESULT_TIMEOUT_SECONDS = 120;
  /** How much of a body over the limit is read and dropped so the 413 reaches the client. */
  private static final long DISCARD_LIMIT = 64L << 20;

  private final Options options;
  private final HttpServer http;
  private final ExecutorService handlers;
  private final ServerMetrics metrics = new ServerMetrics();
  private volatile AlexNetPredictor predictor;
  private volatile Batcher batcher;
  private volatile boolean closing;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
  /** Exchanges being handled, whatever the endpoint: close waits for none to be left. */
  private final java.util.concurrent.atomic.AtomicInteger active = new java.util.concurrent.atomic.AtomicInteger();

  private PredictionServer(Options options, HttpServer http, ExecutorService handlers) {
    this.options = options;
    this.http = http;
    this.handlers = handlers;
  }

  /** Listens now; every endpoint but {@code /metrics} answers 503 until {@link #serve}. */
  static PredictionServer listen(Options options) throws IOException {
    // TCP_NODELAY: the JDK server writes an answer's headers and body apart, and with Nagle's algorithm the body
    // waits for the client's delayed ACK of the headers (~40 ms a request). Read once, when the first server starts.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    HttpServer http = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 128);
    ExecutorService handlers = Executors.newFixedThreadPool(options.handlerThreads(), r -> {
      Thread t = new Thread(r, "alexnet-http");
      t.setDaemon(true);
      return t;
    });
    PredictionServer server = new PredictionServer(options, http, handlers);
    http.setExecutor(handlers);
    http.createContext("/", server::handle);
    http.start();
    return server;
  }

  /** The port it listens on (the one the system chose for port 0). */
  int port() {
    return http.getAddress().getPort();
  }

  /** Starts answering with {@code predictor}'s model, which stays the caller's to close (after this server). */
  void serve(AlexNetPredictor predictor) {
    this.batcher = new Batcher(predictor.model(), options.maxBatch(), options.maxWaitMillis(), metrics);
    this.predictor = predictor;
  }

  ServerMetrics metrics() {
    return metrics;
  }

  private void handle(HttpExchange ex) {
    active.incrementAndGet();
    try {
      handleCounted(ex);
    } finally {
      active.decrementAndGet();
    }
  }

  private void handleCounted(HttpExchange ex) {
    long start = System.nanoTime();
    String path = ex.getRequestURI().getPath();
    String endpoint = Set.of("/predict", "/features", "/healthz", "/metrics").contains(path) ? path : "other";
    int status;
    try {
      status = switch (path) {
        case "/healthz" -> healthz(ex);
        case "/metrics" -> send(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
            metrics.render().getBytes(StandardCharsets.UTF_8));
        case "/predict", "/features" -> images(ex, path.equals("/predict"));
        default -> throw new HttpError(404, "no such endpoint " + path
            + ": POST /predict, POST /features, GET /healthz, GET /metrics");
      };
    } catch (HttpError e) {
      drop(ex);
      status = error(ex, e.status, e.getMessage());
    } catch (IOException e) {
      status = 499;   // the client went away mid-request: nobody to answer
    } catch (RuntimeException | Error e) {
      System.err.println("alexnet serve: " + path + ": " + e);
      status = error(ex, 500, "internal error: " + e);
    } finally {
      ex.close();
    }
    metrics.request(endpoint, status, System.nanoTime() - start);
  }

  private int healthz(HttpExchange ex) throws IOException {
    requireMethod(ex, "GET");
    boolean ready = predictor != null && !closing;
    return send(ex, ready ? 200 : 503, "application/json",
        JSON.writeValueAsBytes(Map.of("status", ready ? "ready" : closing ? "shutting down" : "loading")));
  }

  /** A decoded, preprocessed input of a request, or why it could not be read. */
  private record Input(String name, float[][] crops, String error) {
  }

  private int images(HttpExchange ex, boolean predict) throws IOException {
    requireMethod(ex, "POST");
    byte[] body = readBody(ex);   // first: an answer sent over an unread body may never reach the client
    AlexNetPredictor p = predictor;
    Batcher b = batcher;
    if (p == null || closing) {
      throw new HttpError(503, closing ? "the server is shutting down" : "the model is still loading");
    }
    // from here the request is answered, SIGTERM or not: the shutdown waits for it
    metrics.inFlight(1);
    try {
      return answer(ex, predict, body, p, b);
    } finally {
      metrics.inFlight(-1);
    }
  }

  /** The rest of {@link #images}: decodes, waits for the batches, answers. */
  private int answer(HttpExchange ex, boolean predict, byte[] body, AlexNetPredictor p, Batcher b)
      throws IOException {
    Map<String, String> query = query(ex, predict ? Set.of("top", "oversample") : Set.of("layer", "oversample"));
    boolean oversample = flag(query, "oversample");
    String layer = predict ? "prob" : query.getOrDefault("layer", "fc7");
    int top = predict ? topK(query, p.model().featureSize("prob")) : 0;
    if (!predict) {
      try {
        p.model().featureSize(layer);
      } catch (IllegalArgumentException e) {
        throw new HttpError(400, e.getMessage());
      }
    }
    boolean npy = !predict && accepts(ex, NPY);
    List<Input> inputs;
    List<CompletableFuture<float[][]>> pending = new ArrayList<>();
    b.arriving();
    try {
      inputs = decode(body, ex.getRequestHeaders().getFirst("Content-Type"), p.preprocessor(), oversample);
      for (Input in : inputs) {
        pending.add(in.error() == null ? b.submit(layer, in.crops()) : null);
      }
    } finally {
      b.arrived();
    }
    List<Map<String, Object>> answer = new ArrayList<>();
    List<float[]> rows = new ArrayList<>();
    String firstError = null;
    for (int i = 0; i < inputs.size(); i++) {
      Input in = inputs.get(i);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("input", in.name());
      if (in.error() != null) {
        m.put("error", in.error());
        firstError = firstError == null ? in.error() : firstError;
        answer.add(m);
        continue;
      }
      float[] out = AlexNetPredictor.average(await(pending.get(i)));
      rows.add(out);
      if (predict) {
        m.put("top", PredictCommand.topJson(p.topK(in.name(), out, top)));
      } else {
        m.put("layer", layer);
        m.put("features", out);
      }
      answer.add(m);
    }
    metrics.images(rows.size(), inputs.size() - rows.size());
    if (rows.isEmpty() || (npy && firstError != null)) {
      throw new HttpError(400, firstError);
    }
    if (npy) {
      float[] data = new float[rows.size() * rows.get(0).length];
      for (int i = 0; i < rows.size(); i++) {
        System.arraycopy(rows.get(i), 0, data, i * rows.get(0).length, rows.get(0).length);
      }
      ByteArrayOutputStream npyBytes = new ByteArrayOutputStream(data.length * 4 + 128);
      NpyWriter.writePlain(npyBytes, WeightArray.of(new int[] {rows.size(), rows.get(0).length}, data));
      return send(ex, 200, NPY, npyBytes.toByteArray());
    }
    return send(ex, 200, "application/json", JSON.writeValueAsBytes(answer));
  }

  /** The request's images: the parts of a multipart body, or the whole body as one image. */
  private static List<Input> decode(byte[] body, String type, Preprocessor pre, boolean oversample) {
    List<Multipart.Part> parts;
    if (Multipart.is(type)) {
      try {
        parts = Multipart.parse(type, body);
      } catch (IllegalArgumentException e) {
        throw new HttpError(400, e.getMessage());
      }
      if (parts.isEmpty()) {
        throw new HttpError(400, "multipart body without a part: send one or more images, e.g. -F image=@a.jpg");
      }
    } else {
      if (body.length == 0) {
        throw new HttpError(400, "empty request body: POST an image's bytes, or multipart/form-data with one or "
            + "more images");
      }
      parts = List.of(new Multipart.Part("image", null, body));
    }
    List<Input> inputs = new ArrayList<>(parts.size());
    for (int i = 0; i < parts.size(); i++) {
      Multipart.Part part = parts.get(i);
      String name = part.filename() != null && !part.filename().isEmpty() ? part.filename()
          : parts.size() == 1 ? part.name() : part.name() + "[" + i + "]";
      try {
        BgrImage image = pre.config().decoder().decode(part.bytes(), name);
        inputs.add(new Input(name, oversample ? pre.oversample(image) : new float[][] {pre.apply(image)}, null));
      } catch (ImageDecodeException e) {
        inputs.add(new Input(name, null, e.getMessage()));
      }
    }
    return inputs;
  }

  /**
   * The request body, at most {@code --max-bytes}. A larger one is refused with 413 — after reading and dropping up
   * to {@link #DISCARD_LIMIT} more of it: a connection closed over unread bytes is reset, and the reset can
   * overtake the answer, so the client would see an error without the reason.
   */
  private byte[] readBody(HttpExchange ex) throws IOException {
    String length = ex.getRequestHeaders().getFirst("Content-Length");
    long declared = -1;
    if (length != null) {
      try {
        declared = Long.parseLong(length.strip());
      } catch (NumberFormatException e) {
        throw new HttpError(400, "Content-Length '" + length + "' is not a number");
      }
    }
    try (InputStream in = ex.getRequestBody()) {
      if (declared > options.maxBytes()) {
        discard(in, declared);
        throw tooLarge(declared);
      }
      byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, options.maxBytes() + 1));
      if (body.length > options.maxBytes()) {
        discard(in, DISCARD_LIMIT);
        throw tooLarge(-1);
      }
      return body;
    }
  }

  /** What is left of the request body, read and dropped before an error is answered (see {@link #readBody}). */
  private static void drop(HttpExchange ex) {
    try {
      discard(ex.getRequestBody(), DISCARD_LIMIT);
    } catch (IOException e) {
      // the client is gone; the answer will not reach it either
    }
  }

  /** Reads and drops up to {@code max} bytes ({@link #DISCARD_LIMIT} at most), or to the end of the body. */
  private static void discard(InputStream in, long max) throws IOException {
    byte[] scratch = new byte[1 << 16];
    for (long left = Math.min(max, DISCARD_LIMIT); left > 0; ) {
      int n = in.read(scratch, 0, (int) Math.min(scratch.length, left));
      if (n < 0) {
        return;
      }
      left -= n;
    }
  }

  private HttpError tooLarge(long declared) {
    return new HttpError(413, "request body " + (declared >= 0 ? "of " + declared + " bytes " : "")
        + "is over the limit of " + options.maxBytes() + " bytes (--max-bytes)");
  }

  private static float[][] await(CompletableFuture<float[][]> f) {
    try {
      return f.get(RESULT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new HttpError(503, "no answer from the model within " + RESULT_TIMEOUT_SECONDS + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HttpError(503, "interrupted");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IllegalStateException s && s.getMessage() != null
          && s.getMessage().contains("shutting down")) {
        throw new HttpError(503, s.getMessage());
      }
      throw new IllegalStateException("the model failed: " + e.getCause(), e.getCause());
    }
  }

  private static Map<String, String> query(HttpExchange ex, Set<String> allowed) {
    Map<String, String> out = new LinkedHashMap<>();
    String raw = ex.getRequestURI().getRawQuery();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      if (!allowed.contains(key)) {
        throw new HttpError(400, "unknown parameter '" + key + "' (this endpoint takes " + String.join(", ",
            allowed.stream().sorted().toList()) + ")");
      }
      out.put(key, value);
    }
    return out;
  }

  private static boolean flag(Map<String, String> query, String key) {
    String v = query.get(key);
    if (v == null) {
      return false;
    }
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "", "1", "true", "yes" -> true;
      case "0", "false", "no" -> false;
      default -> throw new HttpError(400, key + "=" + v + ": expected 1 or 0");
    };
  }

  private static int topK(Map<String, String> query, int classes) {
    String v = query.getOrDefault("top", "5");
    int k;
    try {
      k = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new HttpError(400, "top=" + v + ": expected a whole number from 1 to " + classes);
    }
    if (k < 1 || k > classes) {
      throw new HttpError(400, "top=" + v + ": expected a whole number from 1 to " + classes);
    }
    return k;
  }

  private static boolean accepts(HttpExchange ex, String type) {
    String accept = ex.getRequestHeaders().getFirst("Accept");
    return accept != null && accept.toLowerCase(Locale.ROOT).contains(type);
  }

  private static void requireMethod(HttpExchange ex, String method) {
    if (!ex.getRequestMethod().equalsIgnoreCase(method)) {
      ex.getResponseHeaders().set("Allow", method);
      throw new HttpError(405, ex.getRequestURI().getPath() + " takes " + method + ", not "
          + ex.getRequestMethod());
    }
  }

  private static int error(HttpExchange ex, int status, String message) {
    try {
      return send(ex, status, "application/json", JSON.writeValueAsBytes(Map.of("error", String.valueOf(message))));
    } catch (IOException e) {
      return status;   // the client is gone
    }
  }

  private static int send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
    return status;
  }

  /**
   * Stops taking connections, lets the requests in flight finish (up to {@code shutdownSeconds}), then runs what
   * the batcher still holds and stops it.
   */
  @Override
  public void close() {
    closing = true;
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    // The JDK's HttpServer.stop(delay) ends early only when an exchange ends during it: with none in flight it
    // waits the whole delay (JDK 17; measured: an idle server took 31.9 s to exit on SIGTERM). Requests arriving
    // meanwhile are answered 503 at once; those in flight finish, then the connections close.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.shutdownSeconds());
    while (active.get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    http.stop(0);
    if (batcher != null) {
      batcher.close();
    }
    handlers.shutdown();
    try {
      handlers.awaitTermination(options.shutdownSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** An answer other than 200, with the one line that says why. */
  private static final class HttpError extends RuntimeException {
    final int status;

    HttpError(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }
}
