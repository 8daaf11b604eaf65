package org.alexnettfj.bench;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One line of the suite's table and one entry of its JSON: a measurement (median and min–max, e.g. of ms per
 * batch), the rate it comes to (images/s, GFLOP/s, GB/s) and how it stands against its limit or goal.
 *
 * @param id stable key in the JSON, e.g. {@code inference_b64}
 * @param name what the table shows, e.g. {@code inference prob}
 * @param batch images per call, or {@code null} where there is no batch
 * @param threads threads the work ran on (TensorFlow's default is one per core)
 * @param median the median sample, in {@code unit}
 * @param min the smallest sample
 * @param max the largest sample
 * @param unit e.g. {@code ms}
 * @param rate the table's rate column, e.g. {@code 59.2 images/s}; empty if none
 * @param versus the table's last column, e.g. {@code 55% of 108.5 images/s}; empty if none
 * @param numbers the JSON's numbers beyond the time, e.g. {@code imagesPerSecond}, {@code fractionOfLimit}
 */
public record Row(String id, String name, Integer batch, int threads, double median, double min, double max,
    String unit, String rate, String versus, Map<String, Double> numbers) {

  public Row {
    numbers = Collections.unmodifiableMap(new LinkedHashMap<>(numbers));
  }

  /** A time per call, in JMH's unit ({@code ms/op} shown as {@code ms}). */
  public static Row time(String id, String name, Integer batch, int threads, Measured m) {
    return new Row(id, name, batch, threads, m.median(), m.min(), m.max(), m.unit().replace("/op", ""), "", "",
        Map.of());
  }

  /**
   * A model call on {@code batch} images (inference or a training step): images/s from the median time, and its
   * fraction of the limit {@code workload} has on a {@code peakGflops} machine.
   */
  public static Row model(String id, String name, int batch, int threads, Measured m, Workload workload,
      double peakGflops) {
    double imagesPerSecond = batch / seconds(m.median(), m.unit());
    double limit = workload.limitImagesPerSecond(peakGflops);
    double fraction = imagesPerSecond / limit;
    Map<String, Double> numbers = new LinkedHashMap<>();
    numbers.put("imagesPerSecond", imagesPerSecond);
    numbers.put("gflopPerImage", workload.gflopPerImage());
    numbers.put("limitImagesPerSecond", limit);
    numbers.put("fractionOfLimit", fraction);
    return time(id, name, batch, threads, m).with(format("%.1f images/s", imagesPerSecond),
        format("%.0f%% of %.1f images/s", 100 * fraction, limit), numbers);
  }

  /** {@link #model} fed by the image pipeline, also as a fraction of the model-only rate (goal: at least 85%). */
  public static Row endToEnd(String id, String name, int batch, int threads, Measured m, Workload workload,
      double peakGflops, double modelOnlyImagesPerSecond) {
    Row r = model(id, name, batch, threads, m, workload, peakGflops);
    double ofModel = r.numbers.get("imagesPerSecond") / modelOnlyImagesPerSecond;
    Map<String, Double> numbers = new LinkedHashMap<>(r.numbers);
    numbers.put("modelOnlyImagesPerSecond", modelOnlyImagesPerSecond);
    numbers.put("fractionOfModelOnly", ofModel);
    return r.with(r.rate, format("%.0f%% of limit, %.0f%% of model-only", 100 * numbers.get("fractionOfLimit"),
        100 * ofModel), numbers);
  }

  /**
   * An exact search: {@code distances} query-row distances of {@code dims} values (2 dims flops each) per call on
   * {@code threads} threads, per core against the goal of a million a second and against {@code peakPerCore}.
   */
  public static Row search(String id, String name, int threads, Measured m, long distances, int dims,
      double peakPerCore) {
    double perSecond = distances / seconds(m.median(), m.unit());
    double perCore = perSecond / threads;
    double gflopsPerCore = perCore * 2.0 * dims / 1e9;
    Map<String, Double> numbers = new LinkedHashMap<>();
    numbers.put("distancesPerSecond", perSecond);
    numbers.put("distancesPerSecondPerCore", perCore);
    numbers.put("gflopsPerCore", gflopsPerCore);
    numbers.put("fractionOfPeakPerCore", gflopsPerCore / peakPerCore);
    return time(id, name, null, threads, m).with(format("%.2f M distances/s", perSecond / 1e6),
        format("%.2f M/s a core (goal >= 1), %.0f%% of %.1f GFLOP/s a core", perCore / 1e6,
            100 * gflopsPerCore / peakPerCore, peakPerCore), numbers);
  }

  /** An {@code n x n} by {@code n x n} float32 matmul: 2 n^3 flops. */
  public static Row peak(String id, String name, int n, int threads, Measured m) {
    double gflops = 2.0 * n * n * n / seconds(m.median(), m.unit()) / 1e9;
    return time(id, name, null, threads, m).with(format("%.1f GFLOP/s", gflops), "", Map.of("gflops", gflops));
  }

  /** Reading {@code bytes} from memory. */
  public static Row bandwidth(String id, String name, long bytes, int threads, Measured m) {
    double gbs = bytes / seconds(m.median(), m.unit()) / 1e9;
    return time(id, name, null, threads, m).with(format("%.1f GB/s", gbs), "", Map.of("gbPerSecond", gbs));
  }

  /** This row against a baseline's median, e.g. import time as a multiple of the bare read. */
  public Row times(Row baseline, String what, String key, double goal) {
    double ratio = median / baseline.median;
    Map<String, Double> n = new LinkedHashMap<>(numbers);
    n.put(key, ratio);
    return with(rate, format("%.2fx %s (goal <= %.1fx)", ratio, what, goal), n);
  }

  /**
   * This model row's images/s as a multiple of a baseline's, e.g. training from cached features against the same
   * training from images: {@code key} holds the ratio.
   */
  public Row fasterThan(Row baseline, String what, String key, double goal) {
    double ratio = numbers.get("imagesPerSecond") / baseline.numbers.get("imagesPerSecond");
    Map<String, Double> n = new LinkedHashMap<>(numbers);
    n.put(key, ratio);
    return with(rate, format("%.1fx %s (goal >= %.0fx)", ratio, what, goal), n);
  }

  /** As {@link #fasterThan}, added to this row's comparison rather than replacing it, and without a goal. */
  public Row alsoFasterThan(Row baseline, String what, String key) {
    double ratio = numbers.get("imagesPerSecond") / baseline.numbers.get("imagesPerSecond");
    Map<String, Double> n = new LinkedHashMap<>(numbers);
    n.put(key, ratio);
    return with(rate, format("%s, %.1fx %s", versus, ratio, what), n);
  }

  public Row with(String rate, String versus, Map<String, Double> numbers) {
    return new Row(id, name, batch, threads, median, min, max, unit, rate, versus, numbers);
  }

  /** {@code value} in {@code unit} (JMH's {@code ms/op}, {@code s/op}, ...) as seconds. */
  static double seconds(double value, String unit) {
    String u = unit.replace("/op", "");
    return switch (u) {
      case "s" -> value;
      case "ms" -> value / 1e3;
      case "us" -> value / 1e6;
      case "ns" -> value / 1e9;
      default -> throw new IllegalArgumentException("not a time unit: " + unit);
    };
  }

  private static String format(String pattern, Object... args) {
    return String.format(Locale.ROOT, pattern, args);
  }
}
