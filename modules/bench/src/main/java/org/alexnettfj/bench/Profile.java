package org.alexnettfj.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.alexnettfj.graph.AlexNetModel;
import org.alexnettfj.graph.StepProfile;
import org.alexnettfj.train.Trainer;
import org.alexnettfj.weights.AlexNetSpec;

/**
 * {@code tools/bench profile}: where a forward pass spends its time, layer by layer, from TensorFlow's own step
 * statistics ({@link AlexNetModel#profile}), against the FP32 matmul peak measured in the same process a moment
 * before. Each row is a layer (its conv or matmul with its bias and ReLU), a norm or pool, or what TensorFlow
 * spends around the layers: splits and concatenations of the grouped convolutions, and the layout conversions
 * (transposes, oneDNN's reorders) it inserts. For each: median time over the traced runs, share of the summed op
 * time, FLOPs, GFLOP/s and fraction of the peak, and which kernels ran it (oneDNN's {@code _Mkl*} or TensorFlow's
 * Eigen ones).
 *
 * <pre>
 *   tools/bench profile [--batch 64] [--runs 10] [--layer prob] [--ops] [--json]
 *   tools/bench profile --train fc [--batch 128]    # a training step: forward, backward (per layer), update
 * </pre>
 */
public final class Profile {

  private static final List<String> LAYOUT_KERNELS = List.of("Transpose", "_MklToTf", "_MklInputConversion",
      "_MklNativeTranspose", "_MklTranspose", "Reshape", "_MklReshape");
  private static final List<String> SPLIT_CONCAT_KERNELS = List.of("Split", "SplitV", "ConcatV2", "Concat",
      "_MklConcatV2", "_MklConcat", "_MklNativeConcatV2", "Slice", "StridedSlice", "Pack");

  /** @param train null for a forward pass, else the training step's layers as {@link TrainStepBenchmark} names them */
  record Args(int batch, int runs, String layer, String train, boolean ops, boolean json) {

    static Args parse(String... argv) {
      int batch = 64;
      int runs = 10;
      String layer = "prob";
      String train = null;
      boolean ops = false;
      boolean json = false;
      for (int i = 0; i < argv.length; i++) {
        switch (argv[i]) {
          case "--batch" -> batch = Integer.parseInt(value(argv, ++i, "--batch"));
          case "--train" -> train = value(argv, ++i, "--train");
          case "--runs" -> runs = Integer.parseInt(value(argv, ++i, "--runs"));
          case "--layer" -> layer = value(argv, ++i, "--layer");
          case "--ops" -> ops = true;
          case "--json" -> json = true;
          default -> throw new IllegalArgumentException("unknown argument '" + argv[i]
              + "' (expected --batch N, --runs N, --layer NAME, --train fc|fc8|all|fc-pool5|fc8-pool5, --ops, "
              + "--json)");
        }
      }
      if (batch < 1 || runs < 1) {
        throw new IllegalArgumentException("--batch and --runs must be at least 1");
      }
      if (train != null) {
        TrainStepBenchmark.workload(train);
      }
      return new Args(batch, runs, layer, train, ops, json);
    }

    private static String value(String[] argv, int i, String option) {
      if (i >= argv.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return argv[i];
    }
  }

  /** One row: a group of ops, its median time over the runs, and the kernels that ran it with their times. */
  record Group(String name, double millis, double flops, Map<String, Double> kernelMillis) {

    double gflops() {
      return flops > 0 && millis > 0 ? flops / (millis * 1e6) : 0;
    }
  }

  public static void main(String[] argv) throws Exception {
    Args args;
    try {
      args = Args.parse(argv);
    } catch (IllegalArgumentException e) {
      System.err.println("bench profile: " + e.getMessage());
      System.exit(2);
      return;
    }
    PrintStream out = System.out;
    System.setOut(System.err);
    Machine machine = Machine.current();
    System.err.println("bench profile: FP32 matmul peak, n = 4096 ...");
    double peak = peakGflops();
    System.err.printf(Locale.ROOT, "bench profile: AlexNet %s, batch %d, %d traced runs ...%n",
        args.train() == null ? "forward pass" : "training step (" + args.train() + ")", args.batch(), args.runs());
    if (args.train() != null) {
      Workload workload = TrainStepBenchmark.workload(args.train());
      try (Trainer trainer = TrainStepBenchmark.trainer(args.train())) {
        SplittableRandom rnd = new SplittableRandom(7);
        float[] images = TrainStepBenchmark.inputs(trainer, args.batch(), rnd);
        int[] labels = rnd.ints(args.batch(), 0, AlexNetSpec.IMAGENET_CLASSES).toArray();
        report(args, machine, peak, out, workload, 2, () -> trainer.step(images, labels, args.batch()),
            () -> trainer.profileStep(images, labels, args.batch()));
      }
      return;
    }
    try (AlexNetModel model = AlexNetModel.builder().setFreshInit().optSeed(1).optMaxBatch(args.batch()).build()) {
      float[] images = InferenceBenchmark.images(args.batch());
      report(args, machine, peak, out, Workload.INFERENCE, 3, () -> model.features(images, args.batch(), args.layer()),
          () -> model.profile(images, args.batch(), args.layer()));
    }
  }

  /**
   * Warms up with {@code run}, times {@code args.runs()} untraced calls of it, then traces as many with
   * {@code trace}, and prints the table (or the JSON object).
   */
  private static void report(Args args, Machine machine, double peak, PrintStream out, Workload workload,
      int warmUps, Runnable run, Supplier<StepProfile> trace) throws Exception {
    for (int i = 0; i < warmUps; i++) {
      run.run();
    }
    double[] wall = new double[args.runs()];
    for (int i = 0; i < wall.length; i++) {
      long t = System.nanoTime();
      run.run();
      wall[i] = (System.nanoTime() - t) / 1e6;
    }
    List<StepProfile> traced = new ArrayList<>();
    for (int i = 0; i < args.runs(); i++) {
      traced.add(trace.get());
    }
    List<Group> groups = groups(traced, args.batch(), workload);
    String onednn = System.getenv("TF_ENABLE_ONEDNN_OPTS");
    if (args.json()) {
      out.println(json(machine, peak, args, median(wall), groups, onednn));
    } else {
      out.print(table(machine, peak, args, median(wall), groups, onednn));
      if (args.ops()) {
        out.print(ops(traced.get(traced.size() / 2)));
      }
    }
    out.flush();
  }

  /** The in-process peak: {@link PeakBenchmark}'s product, best of 5 after 2 warm-up runs. */
  static double peakGflops() {
    PeakBenchmark p = new PeakBenchmark();
    p.n = 4096;
    p.setUp();
    try {
      p.matmul();
      p.matmul();
      double best = Double.MAX_VALUE;
      for (int i = 0; i < 5; i++) {
        long t = System.nanoTime();
        p.matmul();
        best = Math.min(best, (System.nanoTime() - t) / 1e9);
      }
      return 2.0 * Math.pow(4096, 3) / best / 1e9;
    } finally {
      p.tearDown();
    }
  }

  /**
   * The group an op belongs to: its layer (forward), its layer's backward pass, the update, or what TensorFlow does
   * around the layers.
   */
  static String group(StepProfile.Op op) {
    String kernel = op.kernel();
    String lower = op.node().toLowerCase(Locale.ROOT);
    if (kernel.contains("ApplyMomentum") || kernel.contains("ApplyGradientDescent")) {
      return "update";
    }
    if (lower.contains("grad")) {
      for (String part : op.node().split("/")) {
        if (AlexNetSpec.LAYER_NAMES.contains(part) || part.matches("norm[12]|pool[125]")) {
          return part + " backward";
        }
      }
      return "backward";
    }
    if (LAYOUT_KERNELS.contains(kernel) || op.node().contains("LayoutOptimizer")) {
      return "layout conversions";
    }
    if (SPLIT_CONCAT_KERNELS.contains(kernel)) {
      return "split/concat";
    }
    String prefix = op.node().contains("/") ? op.node().substring(0, op.node().indexOf('/')) : op.node();
    if (AlexNetSpec.LAYER_NAMES.contains(prefix) || prefix.matches("norm[12]|pool[125]")) {
      return prefix;
    }
    return "other";
  }

  /** Per group: the median over runs of its busy time, and per kernel of its op time; in network order. */
  static List<Group> groups(List<StepProfile> runs, int batch) {
    return groups(runs, batch, Workload.INFERENCE);
  }

  /**
   * {@link #groups(List, int)} for a step of {@code workload}: a trained layer's backward pass does 2 forward
   * passes' FLOPs (weight and input gradients), the lowest trained layer's 1 (no input gradient).
   */
  static List<Group> groups(List<StepProfile> runs, int batch, Workload workload) {
    Map<String, List<Double>> totals = new LinkedHashMap<>();
    Map<String, Map<String, List<Double>>> kernels = new LinkedHashMap<>();
    for (String g : order()) {
      totals.put(g, new ArrayList<>());
      kernels.put(g, new TreeMap<>());
    }
    for (StepProfile run : runs) {
      Map<String, List<StepProfile.Op>> members = new LinkedHashMap<>();
      Map<String, Map<String, Double>> byKernel = new LinkedHashMap<>();
      for (StepProfile.Op op : run.ops()) {
        String g = group(op);
        members.computeIfAbsent(g, k -> new ArrayList<>()).add(op);
        byKernel.computeIfAbsent(g, k -> new TreeMap<>()).merge(op.kernel(), op.micros() / 1000.0, Double::sum);
      }
      Map<String, Double> sum = new LinkedHashMap<>();
      members.forEach((g, ops) -> sum.put(g, covered(ops) / 1000.0));
      for (String g : order()) {
        totals.get(g).add(sum.getOrDefault(g, 0.0));
        Map<String, Double> k = byKernel.getOrDefault(g, Map.of());
        for (String kernel : k.keySet()) {
          kernels.get(g).computeIfAbsent(kernel, x -> new ArrayList<>());
        }
        for (Map.Entry<String, List<Double>> e : kernels.get(g).entrySet()) {
          e.getValue().add(k.getOrDefault(e.getKey(), 0.0));
        }
      }
    }
    List<Group> out = new ArrayList<>();
    for (String g : order()) {
      double ms = median(totals.get(g).stream().mapToDouble(Double::doubleValue).toArray());
      if (ms == 0 && kernels.get(g).isEmpty()) {
        continue;
      }
      Map<String, Double> k = new LinkedHashMap<>();
      kernels.get(g).entrySet().stream()
          .map(e -> Map.entry(e.getKey(), median(e.getValue().stream().mapToDouble(Double::doubleValue).toArray())))
          .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
          .forEach(e -> k.put(e.getKey(), e.getValue()));
      out.add(new Group(g, ms, flops(g, workload) * batch, k));
    }
    return out;
  }

  private static double flops(String group, Workload workload) {
    if (AlexNetSpec.LAYER_NAMES.contains(group)) {
      return workload.fromPool5() && group.startsWith("conv") ? 0 : Workload.forwardFlops(group);
    }
    if (group.equals("backward")) {
      // TensorFlow names its gradient ops by op (train/Gradients/MatMul_2), not by layer: all of them together
      double forward = AlexNetSpec.LAYER_NAMES.stream()
          .filter(l -> !(workload.fromPool5() && l.startsWith("conv"))).mapToDouble(Workload::forwardFlops).sum();
      return workload.flopsPerImage() - forward;
    }
    if (group.endsWith(" backward")) {
      String layer = group.substring(0, group.length() - " backward".length());
      if (!workload.trainedLayers().contains(layer)) {
        return 0;
      }
      String lowest = AlexNetSpec.LAYER_NAMES.stream().filter(workload.trainedLayers()::contains).findFirst()
          .orElseThrow();
      return Workload.forwardFlops(layer) * (layer.equals(lowest) ? 1 : 2);
    }
    return 0;
  }

  /**
   * The time in which at least one of {@code ops} ran, in microseconds: ops that ran side by side (conv3's two
   * halves, on two inter-op threads) count once, as the wall clock sees them.
   */
  static long covered(List<StepProfile.Op> ops) {
    List<StepProfile.Op> sorted = new ArrayList<>(ops);
    sorted.sort(java.util.Comparator.comparingLong(StepProfile.Op::startMicros));
    long total = 0;
    long start = Long.MIN_VALUE;
    long end = Long.MIN_VALUE;
    for (StepProfile.Op op : sorted) {
      if (op.startMicros() > end) {
        total += end - start;
        start = op.startMicros();
        end = op.startMicros() + op.micros();
      } else {
        end = Math.max(end, op.startMicros() + op.micros());
      }
    }
    return total + (end - start);
  }

  private static List<String> order() {
    List<String> order = new ArrayList<>(List.of("conv1", "norm1", "pool1", "conv2", "norm2", "pool2", "conv3",
        "conv4", "conv5", "pool5", "fc6", "fc7", "fc8"));
    List<String> backward = new ArrayList<>(order.stream().map(l -> l + " backward").toList());
    java.util.Collections.reverse(backward);
    order.addAll(backward);
    order.addAll(List.of("backward", "update", "split/concat", "layout conversions", "other"));
    return order;
  }

  static String table(Machine machine, double peak, Args args, double wallMillis, List<Group> groups,
      String onednn) {
    StringBuilder sb = new StringBuilder();
    double opMillis = groups.stream().mapToDouble(Group::millis).sum();
    double flops = args.train() == null ? groups.stream().mapToDouble(Group::flops).sum()
        : TrainStepBenchmark.workload(args.train()).flopsPerImage() * args.batch();
    sb.append(String.format(Locale.ROOT, "machine: %s; TF_ENABLE_ONEDNN_OPTS=%s (oneDNN %s); graph tuned for %s%n",
        machine.describe(), onednn == null ? "(unset)" : onednn, org.alexnettfj.graph.OneDnn.enabled() ? "on" : "off",
        org.alexnettfj.graph.CpuFeatures.avx512() ? "AVX-512" : "AVX2"));
    sb.append(String.format(Locale.ROOT, "peak: FP32 matmul n=4096 %.1f GFLOP/s (this process, just before)%n",
        peak));
    sb.append(String.format(Locale.ROOT, "%s, batch %d: wall %.1f ms median of %d untraced runs "
        + "(%.1f img/s, %.1f%% of the peak); the groups' busy times add up to %.1f ms traced%n%n",
        args.train() == null ? "forward to " + args.layer() : "training step, train " + args.train(),
        args.batch(), wallMillis, args.runs(), args.batch() / (wallMillis / 1e3),
        100 * flops / (wallMillis * 1e6) / peak, opMillis));
    sb.append(String.format(Locale.ROOT, "%-20s %9s %6s %8s %9s %7s  %s%n", "layer", "ms", "share", "GFLOP",
        "GFLOP/s", "of peak", "kernels (ms of op time; ops side by side each count)"));
    for (Group g : groups) {
      sb.append(String.format(Locale.ROOT, "%-20s %9.2f %5.1f%% %8s %9s %7s  %s%n", g.name(), g.millis(),
          100 * g.millis() / opMillis, g.flops() > 0 ? String.format(Locale.ROOT, "%.1f", g.flops() / 1e9) : "",
          g.flops() > 0 ? String.format(Locale.ROOT, "%.1f", g.gflops()) : "",
          g.flops() > 0 ? String.format(Locale.ROOT, "%.0f%%", 100 * g.gflops() / peak) : "", kernels(g)));
    }
    double onednnMillis = groups.stream().flatMap(g -> g.kernelMillis().entrySet().stream())
        .filter(e -> e.getKey().startsWith("_Mkl")).mapToDouble(Map.Entry::getValue).sum();
    double kernelMillis = groups.stream().flatMap(g -> g.kernelMillis().values().stream())
        .mapToDouble(Double::doubleValue).sum();
    sb.append(String.format(Locale.ROOT, "%nkernels: oneDNN (_Mkl*) ran %.1f of %.1f ms of op time; TensorFlow's "
        + "own (Eigen) the rest%n", onednnMillis, kernelMillis));
    return sb.toString();
  }

  private static String kernels(Group g) {
    List<String> parts = new ArrayList<>();
    g.kernelMillis().forEach((k, ms) -> {
      if (ms >= 0.05) {
        parts.add(String.format(Locale.ROOT, "%s %.1f", k, ms));
      }
    });
    return String.join(", ", parts);
  }

  /** Every op of one traced run, in start order: for a look at what the groups are made of. */
  static String ops(StepProfile run) {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%nops of one traced run (wall %.1f ms):%n",
        run.wallMicros() / 1e3));
    for (StepProfile.Op op : run.ops()) {
      sb.append(String.format(Locale.ROOT, "  %9.2f ms +%8.2f  %-22s %-40s %s%n", op.startMicros() / 1e3,
          op.micros() / 1e3, group(op), op.kernel(), op.node()));
    }
    return sb.toString();
  }

  static String json(Machine machine, double peak, Args args, double wallMillis, List<Group> groups,
      String onednn) throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("machine", Map.of("cores", machine.cores(), "cpu", machine.cpu(), "vector", machine.vector()));
    m.put("onednn", onednn);
    m.put("peakGflops", peak);
    m.put("batch", args.batch());
    m.put(args.train() == null ? "layer" : "train", args.train() == null ? args.layer() : args.train());
    m.put("wallMillis", wallMillis);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Group g : groups) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("group", g.name());
      r.put("millis", g.millis());
      r.put("gflop", g.flops() / 1e9);
      r.put("fractionOfPeak", g.flops() > 0 ? g.gflops() / peak : null);
      r.put("kernels", g.kernelMillis());
      rows.add(r);
    }
    m.put("groups", rows);
    return new ObjectMapper().writeValueAsString(m);
  }

  static double median(double[] values) {
    if (values.length == 0) {
      return 0;
    }
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
