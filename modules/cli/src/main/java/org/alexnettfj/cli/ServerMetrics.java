package org.alexnettfj.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * What {@code GET /metrics} reports, in Prometheus' text format: requests by endpoint and status, images and
 * image errors, batch sizes and request latency as histograms, requests in flight, images/s over the last 10
 * seconds, the process's resident memory and the JVM heap's committed size. Thread-safe.
 */
final class ServerMetrics {

  private static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64};
  private static final double[] LATENCY_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  private static final int WINDOW_SECONDS = 10;

  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
  private final LongAdder images = new LongAdder();
  private final LongAdder imageErrors = new LongAdder();
  private final LongAdder inFlight = new LongAdder();
  private final Histogram batches = new Histogram(BATCH_BUCKETS);
  private final Histogram latency = new Histogram(LATENCY_BUCKETS);
  /** Images finished in each of the last seconds, and the second each slot counts. */
  private final AtomicLongArray perSecond = new AtomicLongArray(WINDOW_SECONDS);
  private final AtomicLongArray slotSecond = new AtomicLongArray(WINDOW_SECONDS);

  void request(String endpoint, int status, long nanos) {
    requests.computeIfAbsent(endpoint + "\u0000" + status, k -> new LongAdder()).increment();
    latency.observe(nanos / 1e9);
  }

  void images(int ok, int failed) {
    images.add(ok);
    imageErrors.add(failed);
    long second = System.currentTimeMillis() / 1000;
    int slot = (int) (second % WINDOW_SECONDS);
    if (slotSecond.getAndSet(slot, second) != second) {
      perSecond.set(slot, 0);
    }
    perSecond.addAndGet(slot, ok);
  }

  /** A request's body was read and it will be answered (+1), or it was answered (-1). */
  void inFlight(int change) {
    inFlight.add(change);
  }

  void batch(int size) {
    batches.observe(size);
  }

  /** The exposition text. */
  String render() {
    StringBuilder out = new StringBuilder();
    out.append("# HELP alexnet_requests_total HTTP requests by endpoint and status code.\n");
    out.append("# TYPE alexnet_requests_total counter\n");
    new TreeMap<>(requests).forEach((key, count) -> {
      String[] k = key.split("\u0000");
      out.append(String.format(Locale.ROOT, "alexnet_requests_total{endpoint=\"%s\",code=\"%s\"} %d%n", k[0],
          k[1], count.sum()));
    });
    out.append("# HELP alexnet_images_total Images answered (predictions or features).\n");
    out.append("# TYPE alexnet_images_total counter\n");
    out.append("alexnet_images_total ").append(images.sum()).append('\n');
    out.append("# HELP alexnet_image_errors_total Images that could not be read.\n");
    out.append("# TYPE alexnet_image_errors_total counter\n");
    out.append("alexnet_image_errors_total ").append(imageErrors.sum()).append('\n');
    batches.render(out, "alexnet_batch_size", "Images in each run of the model.");
    latency.render(out, "alexnet_request_duration_seconds", "Time from a request's arrival to its answer.");
    out.append("# HELP alexnet_requests_in_flight Requests read and being answered (decoded, batched, run).\n");
    out.append("# TYPE alexnet_requests_in_flight gauge\n");
    out.append("alexnet_requests_in_flight ").append(inFlight.sum()).append('\n');
    out.append("# HELP alexnet_images_per_second Images answered a second, over the last 10 seconds.\n");
    out.append("# TYPE alexnet_images_per_second gauge\n");
    out.append(String.format(Locale.ROOT, "alexnet_images_per_second %.1f%n", recentRate()));
    out.append("# HELP process_resident_memory_bytes Resident memory of the server process.\n");
    out.append("# TYPE process_resident_memory_bytes gauge\n");
    out.append("process_resident_memory_bytes ").append(residentBytes()).append('\n');
    // the JVM's part of it: G1 grows and shrinks the committed heap (a shrink lowers resident memory at once)
    out.append("# HELP jvm_memory_committed_bytes Memory the JVM has committed for its heap.\n");
    out.append("# TYPE jvm_memory_committed_bytes gauge\n");
    out.append("jvm_memory_committed_bytes{area=\"heap\"} ")
        .append(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted()).append('\n');
    return out.toString();
  }

  private double recentRate() {
    long now = System.currentTimeMillis() / 1000;
    long sum = 0;
    for (int i = 0; i < WINDOW_SECONDS; i++) {
      long second = slotSecond.get(i);
      if (second > now - WINDOW_SECONDS && second < now) {   // complete seconds only
        sum += perSecond.get(i);
      }
    }
    return sum / (double) (WINDOW_SECONDS - 1);
  }

  /** VmRSS from /proc/self/status, in bytes; -1 where there is none (not Linux). */
  static long residentBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** A cumulative Prometheus histogram over fixed upper bounds. */
  private static final class Histogram {
    private final double[] bounds;
    private final LongAdder[] counts;
    private final LongAdder count = new LongAdder();
    private final java.util.concurrent.atomic.DoubleAdder sum = new java.util.concurrent.atomic.DoubleAdder();

    Histogram(double[] bounds) {
      this.bounds = bounds;
      this.counts = new LongAdder[bounds.length];
      for (int i = 0; i < bounds.length; i++) {
        counts[i] = new LongAdder();
      }
    }

    void observe(double value) {
      for (int i = 0; i < bounds.length; i++) {
        if (value <= bounds[i]) {
          counts[i].increment();
          break;
        }
      }
      count.increment();
      sum.add(value);
    }

    void render(StringBuilder out, String name, String help) {
      out.append("# HELP ").append(name).append(' ').append(help).append('\n');
      out.append("# TYPE ").append(name).append(" histogram\n");
      long cumulative = 0;
      for (int i = 0; i < bounds.length; i++) {
        cumulative += counts[i].sum();
        out.append(String.format(Locale.ROOT, "%s_bucket{le=\"%s\"} %d%n", name, label(bounds[i]), cumulative));
      }
      out.append(String.format(Locale.ROOT, "%s_bucket{le=\"+Inf\"} %d%n", name, count.sum()));
      out.append(String.format(Locale.ROOT, "%s_sum %s%n", name, sum.sum()));
      out.append(String.format(Locale.ROOT, "%s_count %d%n", name, count.sum()));
    }

    private static String label(double bound) {
      return bound == Math.rint(bound) ? Long.toString((long) bound) : Double.toString(bound);
    }
  }
}
