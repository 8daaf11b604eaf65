package org.alexnettfj.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleFunction;
import java.util.function.UnaryOperator;
import org.alexnettfj.graph.OneDnn;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine.Option;

/**
 * The whole benchmark suite in one run, with shorter warm-up and measurement than each benchmark's own defaults
 * (BENCHMARKS.md states them): the limits (memory bandwidth, FP32 matmul peak with TensorFlow's default kernels
 * and with oneDNN), import, conversion, start-up, inference at batch 1/16/64/128, fc7 extraction, fine-tuning and
 * full-training steps, training end to end from JPEGs (with and without augmentation), and fc6–fc8 steps from
 * cached pool5 features against the centre-crop run (the {@code --cache-features} speed-up), and the same for fc8
 * alone ({@code alexnet finetune}'s default layers), and {@code alexnet similar}'s exact search. Prints a short
 * table, or one JSON object.
 *
 * <p>{@code --quick}: only the peak at n = 4096, inference at batch 64 and a fc6–fc8 fine-tuning step at batch
 * 128, a couple of minutes in all. Run from the repository root (tools/bench does); JMH's own output and each
 * step's results go to {@code bench-data/suite-*.log} and {@code .json}.
 *
 * <pre>
 *   tools/bench                  # the whole suite, a table
 *   tools/bench --quick --json   # {"suite":"quick","machine":{...},"peak":{...},"results":{"inference_b64":...}}
 * </pre>
 */
public final class BenchSuite {

  private static final Path DATA = Path.of("bench-data");
  private static final Path PHOTO = Path.of("modules/data/src/test/resources/images/zebra.jpeg");
  private static final long BANDWIDTH_BYTES = 4L << 26;   // BandwidthBenchmark's 64 Mi floats

  private final boolean quick;
  private final PrintStream progress;
  private final int cores = Runtime.getRuntime().availableProcessors();
  private final Path npy = DATA.resolve("bvlc_alexnet-full.npy");
  /**
   * The table's rows in order, each made once the limit is known: the model rows' fractions are of the best peak
   * the run measured, at its start or at its end.
   */
  private final List<DoubleFunction<Row>> rows = new ArrayList<>();
  private final long start = System.nanoTime();
  private SuiteReport.Peak peak;

  private void add(Row row) {
    rows.add(peakGflops -> row);
  }

  /** The rows, the model rows against {@link #peak}. */
  List<Row> rows() {
    return rows.stream().map(r -> r.apply(peak.gflops())).toList();
  }

  private BenchSuite(boolean quick, PrintStream progress) {
    this.quick = quick;
    this.progress = progress;
  }

  /** The command line: {@code --quick} for the short suite, {@code --json} for one JSON object on stdout. */
  record Args(boolean quick, boolean json) {

    static Args parse(String... args) {
      Options o = Arguments.parse(new Options(), args,
          arg -> "unknown argument '" + arg + "' (expected --quick, --json)");
      return new Args(o.quick, o.json);
    }
  }

  /** What picocli reads into {@link Args}. */
  static final class Options {
    @Option(names = "--quick")
    boolean quick;

    @Option(names = "--json")
    boolean json;
  }

  public static void main(String[] argv) throws Exception {
    Args args;
    try {
      args = Args.parse(argv);
    } catch (IllegalArgumentException e) {
      System.err.println("bench: " + e.getMessage());
      System.exit(2);
      return;
    }
    boolean quick = args.quick();
    boolean json = args.json();
    boolean onednn;
    try {
      onednn = onednn(System.getenv("TF_ENABLE_ONEDNN_OPTS"));
    } catch (IllegalArgumentException e) {
      System.err.println("bench: " + e.getMessage());
      System.exit(2);
      return;
    }
    PrintStream stdout = System.out;
    System.setOut(System.err);   // stdout carries the table or the JSON object and nothing else
    BenchSuite suite = new BenchSuite(quick, System.err);
    suite.run();
    Machine machine = Machine.current();
    if (json) {
      stdout.println(SuiteReport.json(quick ? "quick" : "full", machine, suite.cores, onednn, suite.peak,
          suite.rows()));
    } else {
      stdout.printf(Locale.ROOT, "machine: %s; TensorFlow threads: %d (default, one per core); model rows with "
          + "oneDNN %s%n", machine.describe(), suite.cores, onednn ? "on" : "off (TF_ENABLE_ONEDNN_OPTS=0)");
      stdout.printf(Locale.ROOT, "limit: FP32 peak %.1f GFLOP/s (%s); per image %.3f GFLOP inference, %.3f fc6-fc8 "
          + "fine-tuning, %.3f full training%n%n", suite.peak.gflops(), suite.peak.from(),
          Workload.INFERENCE.gflopPerImage(), Workload.FINE_TUNE_FC.gflopPerImage(),
          Workload.FULL_TRAINING.gflopPerImage());
      stdout.print(SuiteReport.table(suite.rows()));
    }
    stdout.flush();
  }

  private void run() throws IOException, RunnerException, InterruptedException {
    int total = quick ? 4 : 9;
    int step = 0;
    FullSizeWeights.ensure(npy);
    say(++step, total, quick ? "limit: FP32 matmul peak" : "limits: memory bandwidth, FP32 matmul peak");
    if (!quick) {
      bandwidth();
    }
    peak();
    if (!quick) {
      say(++step, total, "import of the full-size .npy");
      importRows();
      say(++step, total, "conversion to .npz");
      convertRows();
      say(++step, total, "start-up: tools/alexnet predict of one image");
      startup();
    }
    say(++step, total, "inference");
    inference();
    say(++step, total, "training steps");
    Row fineTune128 = trainSteps();
    if (!quick) {
      say(++step, total,
          "end to end: JPEGs through BatchPipeline into Trainer.step; steps from cached pool5 (fc6-fc8, fc8)");
      endToEnd(fineTune128);
    }
    if (!quick) {
      say(++step, total, "similar: exact nearest-neighbour search over 16,384 fc7-like rows");
      similarity();
    }
    // The host's speed moves within a run (BENCHMARKS.md: a pass read 73% of one run's start peak and 93% of the
    // next's): the peak again at the end, and the better of the two is the limit, so no fraction is flattered by a
    // slow start.
    say(++step, total, "limit again: FP32 matmul peak at the end of the run");
    closingPeak();
    progress.printf(Locale.ROOT, "bench: done in %.0f s%n", elapsed());
  }

  /**
   * {@code alexnet similar}'s search: distances per second on one core (the goal: a million at 4096-d) and on all,
   * against the matmul peak per core (the search is plain Java, the peak TensorFlow's SIMD kernels).
   */
  private void similarity() throws RunnerException {
    UnaryOperator<ChainedOptionsBuilder> timing = o -> o.warmupIterations(1).warmupTime(TimeValue.seconds(2))
        .measurementIterations(3).measurementTime(TimeValue.seconds(2));
    List<Measured> ms = new ArrayList<>(jmh("similarity", "SimilarityBenchmark", o -> timing.apply(o
        .param("queries", "1", "64").param("dtype", "float32", "float16").param("threads", "1"))));
    // one row on all cores shows the scaling
    ms.addAll(jmh("similarity-all", "SimilarityBenchmark", o -> timing.apply(o.param("queries", "64")
        .param("dtype", "float32").param("threads", Integer.toString(cores)))));
    for (Measured m : ms) {
      int queries = Integer.parseInt(m.params().get("queries"));
      int threads = Integer.parseInt(m.params().get("threads"));
      String dtype = m.params().get("dtype");
      rows.add(p -> Row.search("similar_q" + queries + "_" + dtype + "_t" + threads, "similar: " + queries
          + " quer" + (queries == 1 ? "y" : "ies") + ", " + dtype, threads, m, (long) SimilarityBenchmark.ROWS
          * queries, SimilarityBenchmark.DIMS, p / cores));
    }
  }

  private void bandwidth() throws RunnerException {
    for (Measured m : jmh("bandwidth", "BandwidthBenchmark", o -> o.param("threads", "1", "all")
        .warmupIterations(1).warmupTime(TimeValue.seconds(1)).measurementIterations(3)
        .measurementTime(TimeValue.seconds(1)))) {
      boolean all = m.params().get("threads").equals("all");
      add(Row.bandwidth("bandwidth_" + (all ? "all" : "1"), "memory read bandwidth", BANDWIDTH_BYTES,
          all ? cores : 1, m));
    }
  }

  /** TensorFlow's default kernels and oneDNN's; the best median is the limit, as in BENCHMARKS.md. */
  private void peak() throws RunnerException, IOException {
    String[] sizes = quick ? new String[] {"4096"} : new String[] {"2048", "4096"};
    for (String setting : List.of("default", "onednn")) {
      Path java = javaWithOnednn(setting.equals("onednn"));
      try {
        for (Measured m : jmh("peak-" + setting, "PeakBenchmark", o -> o.param("n", sizes).warmupIterations(1)
            .measurementIterations(3).jvm(java.toString()))) {
          int n = Integer.parseInt(m.params().get("n"));
          Row r = Row.peak("peak_" + setting + "_n" + n, "FP32 matmul peak, " + setting + ", n=" + n, n, cores, m);
          add(r);
          raisePeak(r.numbers().get("gflops"), "TF matmul, " + setting + ", n=" + n);
        }
      } finally {
        Files.delete(java);
      }
    }
  }

  /** oneDNN's peak at n = 4096 (the limit in every run so far) once more, after the model rows. */
  private void closingPeak() throws RunnerException, IOException {
    Path java = javaWithOnednn(true);
    try {
      for (Measured m : jmh("peak-end", "PeakBenchmark", o -> o.param("n", "4096").warmupIterations(1)
          .measurementIterations(3).jvm(java.toString()))) {
        Row r = Row.peak("peak_onednn_n4096_end", "FP32 matmul peak, onednn, n=4096, at the end", 4096, cores, m);
        add(r);
        raisePeak(r.numbers().get("gflops"), "TF matmul, onednn, n=4096, at the end of the run");
      }
    } finally {
      Files.delete(java);
    }
  }

  private void raisePeak(double gflops, String from) {
    if (peak == null || gflops > peak.gflops()) {
      peak = new SuiteReport.Peak(gflops, from);
    }
  }

  /**
   * JMH forks inherit the environment and have no option to set a variable; this two-line java wrapper sets the
   * one that turns TensorFlow's oneDNN kernels on or off, whatever the suite itself runs with.
   */
  private Path javaWithOnednn(boolean on) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path wrapper = Files.createTempFile(DATA.toAbsolutePath(), "java-onednn", ".sh",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Files.writeString(wrapper, "#!/bin/sh\nTF_ENABLE_ONEDNN_OPTS=" + (on ? 1 : 0) + " exec '" + java + "' \"$@\"\n",
        StandardCharsets.UTF_8);
    return wrapper;
  }

  /**
   * Whether TensorFlow runs its oneDNN kernels under this value of {@code TF_ENABLE_ONEDNN_OPTS}: unset, TensorFlow
   * is asked ({@link OneDnn#enabled()}; TF-Java 1.1 on x86-64 Linux turns them on); tools/alexnet and tools/bench
   * set it to 1 unless it is set.
   */
  static boolean onednn(String value) {
    if (value == null || value.isBlank()) {
      return OneDnn.enabled();
    }
    Boolean said = OneDnn.read(value);
    if (said == null) {
      // TensorFlow would ignore it and keep its default: a suite labelled by it would mislead
      throw new IllegalArgumentException("TF_ENABLE_ONEDNN_OPTS is '" + value
          + "'; TensorFlow reads 1/true or 0/false");
    }
    return said;
  }

  private void importRows() throws RunnerException {
    List<Measured> ms = jmh("import", "ImportBenchmark", o -> o.warmupIterations(2).measurementIterations(5));
    Row bare = Row.time("import_read_bytes", "read bytes (page cache, 1 MiB buffer)", null, 1,
        find(ms, "readBytesStreaming", Map.of()));
    add(bare);
    add(Row.time("import_read_into_heap", "read bytes into a heap array", null, 1,
        find(ms, "readBytesIntoHeap", Map.of())));
    add(Row.time("import", "import full-size .npy", null, 1, find(ms, "readWeights", Map.of()))
        .times(bare, "bare read", "timesBareRead", 1.5));
  }

  private void convertRows() throws RunnerException, IOException {
    List<Measured> ms = jmh("convert", "ConvertBenchmark", o -> o.warmupIterations(1).measurementIterations(5));
    Row bytes = Row.time("convert_read_write_bytes", "read + write the bytes", null, 1,
        find(ms, "readAndWriteBytes", Map.of()));
    add(bytes);
    add(Row.time("convert", "convert .npy to .npz", null, 1, find(ms, "convertToNpz", Map.of()))
        .times(bytes, "read+write", "timesReadWrite", 2.0));
    Files.deleteIfExists(DATA.resolve("convert-bench.out"));
  }

  /** A whole process: JVM start, reading the 244 MB file, graph, one image; {@code /usr/bin/time} measures it. */
  private void startup() throws IOException, InterruptedException {
    exec(List.of("tools/alexnet", "--version"));   // builds the CLI if needed, outside the measurement
    List<Double> wall = new ArrayList<>();
    List<Double> rss = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String last = exec(List.of("/usr/bin/time", "-f", "%e %M", "tools/alexnet", "predict", "--weights",
          npy.toString(), "--top", "1", PHOTO.toString())).strip();
      String[] f = last.substring(last.lastIndexOf('\n') + 1).split(" ");
      wall.add(Double.parseDouble(f[0]));
      rss.add(Double.parseDouble(f[1]) / 1024);
    }
    Measured w = new Measured("startup.wall", Map.of(), wall, "s");
    Measured r = new Measured("startup.rss", Map.of(), rss, "MB");
    add(Row.time("startup_wall", "start-up: predict 1 image, wall", 1, cores, w)
        .with("", "goal <= 2 s", Map.of()));
    add(Row.time("startup_rss", "start-up: peak resident memory", 1, cores, r));
  }

  private void inference() throws RunnerException {
    String[] batches = quick ? new String[] {"64"} : new String[] {"1", "16", "64", "128"};
    int seconds = quick ? 2 : 3;
    UnaryOperator<ChainedOptionsBuilder> timing = o -> o.warmupIterations(1)
        .warmupTime(TimeValue.seconds(seconds)).measurementIterations(3).measurementTime(TimeValue.seconds(seconds));
    Map<Integer, DoubleFunction<Row>> ours = new HashMap<>();
    for (Measured m : jmh("inference", "InferenceBenchmark", o -> timing.apply(o.param("batch", batches)
        .param("layer", "prob")))) {
      int batch = Integer.parseInt(m.params().get("batch"));
      DoubleFunction<Row> r = p -> Row.model("inference_b" + batch, "inference (prob)", batch, cores, m,
          Workload.INFERENCE, p);
      rows.add(r);
      ours.put(batch, r);
    }
    if (!quick) {
      for (Measured m : jmh("fc7", "InferenceBenchmark", o -> timing.apply(o.param("batch", "64")
          .param("layer", "fc7")))) {
        rows.add(p -> Row.model("fc7_b64", "fc7 feature extraction", 64, cores, m, Workload.INFERENCE, p));
      }
    }
    // ONNX Runtime Java on our exported model, same batches and input: the runtime "ahead of ORT" is measured against
    for (Measured m : jmh("ort", "OrtInferenceBenchmark", o -> timing.apply(o.param("batch", quick
        ? new String[] {"64"} : new String[] {"1", "64"})))) {
      int batch = Integer.parseInt(m.params().get("batch"));
      // ours as a multiple of ORT's rate: the "ahead of ORT by 1.5x"
      rows.add(p -> {
        Row ort = Row.model("ort_inference_b" + batch, "ONNX Runtime Java on our exported model", batch, cores, m,
            Workload.INFERENCE, p);
        double ahead = ours.get(batch).apply(p).numbers().get("imagesPerSecond") / ort.numbers().get("imagesPerSecond");
        Map<String, Double> numbers = new LinkedHashMap<>(ort.numbers());
        numbers.put("oursTimesOrt", ahead);
        return ort.with(ort.rate(), String.format(Locale.ROOT, "%s; ours %.2fx it", ort.versus(), ahead), numbers);
      });
    }
    if (org.alexnettfj.graph.CpuFeatures.bf16() && OneDnn.enabled()) {
      // --precision bf16: its fraction is of the FP32 peak, so it can pass 100%; the speed-up is the figure
      for (Measured m : jmh("bf16", "InferenceBenchmark", o -> timing.apply(o.param("batch", "64")
          .param("layer", "prob").param("precision", "bf16")))) {
        rows.add(p -> Row.model("inference_bf16_b64", "inference (prob), --precision bf16", 64, cores, m,
            Workload.INFERENCE, p).alsoFasterThan(ours.get(64).apply(p), "fp32", "timesFp32"));
      }
    }
  }

  /**
   * Returns the fc6–fc8 fine-tuning row at batch 128 (against the start's peak; its images/s are what matter), the
   * model-only rate end to end is compared against.
   */
  private Row trainSteps() throws RunnerException {
    String[] batches = quick ? new String[] {"128"} : new String[] {"64", "128"};
    Row fineTune128 = null;
    for (Measured m : jmh("train-fc", "TrainStepBenchmark", o -> o.param("train", "fc").param("batch", batches)
        .warmupIterations(quick ? 1 : 2).measurementIterations(quick ? 3 : 5))) {
      int batch = Integer.parseInt(m.params().get("batch"));
      DoubleFunction<Row> r = p -> Row.model("finetune_fc_b" + batch, "fine-tune fc6-fc8 step", batch, cores, m,
          Workload.FINE_TUNE_FC, p);
      rows.add(r);
      fineTune128 = batch == 128 ? r.apply(peak.gflops()) : fineTune128;
    }
    if (!quick) {
      DoubleFunction<Row> all64 = null;
      for (Measured m : jmh("train-all", "TrainStepBenchmark", o -> o.param("train", "all")
          .param("batch", batches).warmupIterations(1).measurementIterations(3))) {
        int batch = Integer.parseInt(m.params().get("batch"));
        DoubleFunction<Row> r = p -> Row.model("train_all_b" + batch, "full training step", batch, cores, m,
            Workload.FULL_TRAINING, p);
        rows.add(r);
        all64 = batch == 64 ? r : all64;
      }
      if (org.alexnettfj.graph.CpuFeatures.bf16() && OneDnn.enabled()) {
        // finetune --precision bf16, against the fp32 rows above
        Row fp32Fc = fineTune128;
        for (Measured m : jmh("train-fc-bf16", "TrainStepBenchmark", o -> o.param("train", "fc").param("batch", "128")
            .param("precision", "bf16").warmupIterations(2).measurementIterations(5))) {
          rows.add(p -> Row.model("finetune_fc_bf16_b128", "fine-tune fc6-fc8 step, --precision bf16", 128, cores, m,
              Workload.FINE_TUNE_FC, p).alsoFasterThan(fp32Fc, "fp32", "timesFp32"));
        }
        DoubleFunction<Row> fp32All = all64;
        for (Measured m : jmh("train-all-bf16", "TrainStepBenchmark", o -> o.param("train", "all").param("batch", "64")
            .param("precision", "bf16").warmupIterations(1).measurementIterations(3))) {
          rows.add(p -> Row.model("train_all_bf16_b64", "full training step, --precision bf16", 64, cores, m,
              Workload.FULL_TRAINING, p).alsoFasterThan(fp32All.apply(p), "fp32", "timesFp32"));
        }
      }
    }
    return fineTune128;
  }

  private void endToEnd(Row modelOnly) throws RunnerException {
    Row centreCrops = null;
    for (Measured m : jmh("end-to-end", "EndToEndBenchmark", o -> o.param("train", "fc").param("batch", "128")
        .param("augment", "true", "false").warmupIterations(3).measurementIterations(12))) {
      boolean augment = Boolean.parseBoolean(m.params().get("augment"));
      DoubleFunction<Row> r = p -> Row.endToEnd(augment ? "end_to_end_fc_b128" : "end_to_end_fc_b128_no_augment",
          augment ? "end to end: JPEG + augment + fine-tune fc6-fc8" : "end to end: JPEG, centre crops, fc6-fc8",
          128, cores, m, Workload.FINE_TUNE_FC, p, modelOnly.numbers().get("imagesPerSecond"));
      rows.add(r);
      centreCrops = augment ? centreCrops : r.apply(peak.gflops());
    }
    // Phone-sized photos: finetune's DCT-scaled decode (1/8 for 4000 x 3000) against decoding them in full
    Map<String, Measured> large = new HashMap<>();
    for (Measured m : jmh("end-to-end-12mp", "EndToEndBenchmark", o -> o.param("train", "fc").param("batch", "128")
        .param("augment", "true").param("images", "12mp").param("decoder", "tensorflow", "exact")
        .warmupIterations(3).measurementIterations(6))) {   // past the batches decoded ahead during set-up
      large.put(m.params().get("decoder"), m);
    }
    double modelOnlyRate = modelOnly.numbers().get("imagesPerSecond");
    DoubleFunction<Row> full = p -> Row.endToEnd("end_to_end_fc_b128_12mp_exact",
        "end to end: 12-MP JPEGs decoded in full (--exact-decode), augment, fc6-fc8", 128, cores,
        large.get("exact"), Workload.FINE_TUNE_FC, p, modelOnlyRate);
    rows.add(full);
    rows.add(p -> Row.endToEnd("end_to_end_fc_b128_12mp", "end to end: 12-MP JPEGs DCT-scaled, augment, fc6-fc8",
        128, cores, large.get("tensorflow"), Workload.FINE_TUNE_FC, p, modelOnlyRate)
        .alsoFasterThan(full.apply(p), "the full decode", "timesFullDecode"));
    // 12 batches: the 1536-item epoch's boundary falls inside them, as it does in real training.
    // --cache-features' epochs after the first: the same steps on pool5 features, against an epoch from JPEGs
    // without augmentation (which --cache-features needs)
    cachedSteps("cached", "fc-pool5", "finetune_fc_pool5_b128", "fine-tune fc6-fc8 from cached pool5",
        Workload.FINE_TUNE_FC_FROM_POOL5, centreCrops);
    // The same for fc8 alone, alexnet finetune's default --train-layers: its epoch from JPEGs, then from the cache.
    Row fc8CentreCrops = null;
    for (Measured m : jmh("end-to-end-fc8", "EndToEndBenchmark", o -> o.param("train", "fc8").param("batch", "128")
        .param("augment", "false").warmupIterations(3).measurementIterations(8))) {
      DoubleFunction<Row> r = p -> Row.model("end_to_end_fc8_b128_no_augment", "end to end: JPEG, centre crops, fc8",
          128, cores, m, Workload.FINE_TUNE_FC8, p);
      rows.add(r);
      fc8CentreCrops = r.apply(peak.gflops());
    }
    cachedSteps("cached-fc8", "fc8-pool5", "finetune_fc8_pool5_b128", "fine-tune fc8 from cached pool5",
        Workload.FINE_TUNE_FC8_FROM_POOL5, fc8CentreCrops);
  }

  /** Steps from cached pool5 at batch 128 ({@code TrainStepBenchmark train=...}), as a speed-up over an epoch. */
  private void cachedSteps(String name, String train, String id, String label, Workload workload, Row epoch)
      throws RunnerException {
    for (Measured m : jmh(name, "TrainStepBenchmark", o -> o.param("train", train).param("batch", "128")
        .warmupIterations(2).measurementIterations(5))) {
      rows.add(p -> Row.model(id, label, 128, cores, m, workload, p)
          .fasterThan(epoch, "the centre-crop epoch", "timesFromImages", 5));
    }
  }

  private List<Measured> jmh(String name, String benchmark, UnaryOperator<ChainedOptionsBuilder> settings)
      throws RunnerException {
    String file = DATA.resolve("suite-" + name).toString();
    ChainedOptionsBuilder o = new OptionsBuilder().include("\\." + benchmark + "\\.").forks(1)
        .shouldFailOnError(true).output(file + ".log").result(file + ".json").resultFormat(ResultFormatType.JSON)
        .jvmArgsAppend("-Dalexnet.bench.npy=" + npy);
    List<Measured> out = new ArrayList<>();
    try {
      for (RunResult r : new Runner(settings.apply(o).build()).run()) {
        out.add(Measured.of(r));
      }
    } catch (RunnerException e) {
      throw new RunnerException(name + " failed; see " + file + ".log", e);
    }
    progress.printf(Locale.ROOT, "bench:   %s: %d result(s), %.0f s so far%n", name, out.size(), elapsed());
    return out;
  }

  private static Measured find(List<Measured> ms, String method, Map<String, String> params) {
    return ms.stream().filter(m -> m.is(method, params)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no result for " + method + " " + params + " in " + ms));
  }

  /** Runs a command to the end; returns its stderr, or throws with it if the command failed. */
  private static String exec(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed (exit " + p.exitValue() + "):\n" + err);
    }
    return err;
  }

  private void say(int step, int total, String what) {
    progress.printf(Locale.ROOT, "bench: [%d/%d] %s (%.0f s so far)%n", step, total, what, elapsed());
  }

  private double elapsed() {
    return (System.nanoTime() - start) / 1e9;
  }
}
