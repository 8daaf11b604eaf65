package org.alexnettfj.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;

/**
 * One benchmark's measured samples (one per measured iteration: a single call's time, or an iteration's average
 * time per call), with its parameters. BENCHMARKS.md reports the median and the min–max spread of these.
 *
 * @param benchmark the method's simple name with its class, e.g. {@code InferenceBenchmark.forward}
 * @param params JMH parameters, e.g. {@code batch=64}
 * @param samples in measurement order
 * @param unit e.g. {@code ms/op}
 */
public record Measured(String benchmark, Map<String, String> params, List<Double> samples, String unit) {

  public Measured {
    if (samples.isEmpty()) {
      throw new IllegalArgumentException(benchmark + " " + params + ": no measured samples");
    }
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    samples = List.copyOf(samples);
  }

  /** The samples of a JMH run, all forks together. */
  public static Measured of(RunResult run) {
    BenchmarkParams p = run.getParams();
    Map<String, String> params = new LinkedHashMap<>();
    for (String key : p.getParamsKeys()) {
      params.put(key, p.getParam(key));
    }
    List<Double> samples = new ArrayList<>();
    for (BenchmarkResult fork : run.getBenchmarkResults()) {
      for (IterationResult it : fork.getIterationResults()) {
        samples.add(it.getPrimaryResult().getScore());
      }
    }
    String name = p.getBenchmark();
    name = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
    return new Measured(name, params, samples, run.getPrimaryResult().getScoreUnit());
  }

  public double median() {
    List<Double> s = sorted();
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  public double min() {
    return sorted().get(0);
  }

  public double max() {
    return sorted().get(samples.size() - 1);
  }

  /** Whether this is {@code method} (e.g. {@code forward}) with every one of {@code params}. */
  public boolean is(String method, Map<String, String> params) {
    return benchmark.endsWith("." + method) && this.params.entrySet().containsAll(params.entrySet());
  }

  private List<Double> sorted() {
    List<Double> s = new ArrayList<>(samples);
    Collections.sort(s);
    return s;
  }
}
