package org.alexnettfj.bench;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Two builds of the project timed against each other in one process ({@code tools/bench compare A B}): each
 * build's jars ({@code tools/bench snapshot NAME}) in a class loader of its own, TensorFlow's from the shared class
 * path, and their calls alternated — A B, B A, A B … — so that both builds meet the same host. On the 2-core
 * build machine the host's speed moves by up to a quarter within minutes (BENCHMARKS.md), so two runs taken one
 * after the other compare the host as much as the builds; a change of a few percent shows only this way.
 *
 * <pre>
 * Compare DIR_A DIR_B [--batch N] [--pairs K] [--layer NAME | --train LAYERS [--pool5]]
 * </pre>
 *
 * Inference ({@code AlexNetModel.features} of {@code --layer}, default {@code prob}) or a training step
 * ({@code Trainer.step} training {@code --train}'s layers, e.g. {@code fc6,fc7,fc8}; with {@code --pool5} from pool5
 * features, as {@code --cache-features} trains), both freshly initialised from the same seed, so the two builds also
 * show whether they compute the same values.
 */
public final class Compare {

  private Compare() {
  }

  /** What one build runs: a call, timed, returning values to compare between the builds. */
  interface TimedCall extends AutoCloseable {
    float[] call() throws Exception;
  }

  /**
   * The times of the two builds, pair by pair.
   *
   * @param a A's call times, ms
   * @param b B's call times, ms, {@code b[i]} taken next to {@code a[i]}
   * @param bFaster the pairs in which B's call was the shorter
   */
  record Result(Measured a, Measured b, int bFaster) {

    static Result of(double[] a, double[] b) {
      if (a.length != b.length || a.length == 0) {
        throw new IllegalArgumentException("need as many times of A as of B, and some: " + a.length + " and "
            + b.length);
      }
      int faster = 0;
      List<Double> as = new ArrayList<>();
      List<Double> bs = new ArrayList<>();
      for (int i = 0; i < a.length; i++) {
        faster += b[i] < a[i] ? 1 : 0;
        as.add(a[i]);
        bs.add(b[i]);
      }
      return new Result(new Measured("A", Map.of(), as, "ms"), new Measured("B", Map.of(), bs, "ms"), faster);
    }

    /** B's median over A's: below 1 when B is faster. */
    double ratio() {
      return b.median() / a.median();
    }

    String format(String nameA, String nameB) {
      return String.format(Locale.ROOT, "A %-24s median %9.2f ms  (%.2f-%.2f)%nB %-24s median %9.2f ms  (%.2f-%.2f)%n"
              + "B/A %.3f of A's median; B faster in %d of %d pairs", nameA, a.median(), a.min(), a.max(), nameB,
          b.median(), b.min(), b.max(), ratio(), bFaster, a.samples().size());
    }
  }

  /** The command line, as {@code main} prints it with an error. */
  static final String USAGE = "tools/bench compare A B [--batch N] [--pairs K] [--layer NAME | --train LAYERS "
      + "[--pool5]]";

  /** The settings of a comparison. */
  record Args(Path a, Path b, int batch, int pairs, String layer, Set<String> trainLayers, boolean pool5) {

    static Args parse(String... args) {
      Options o = Arguments.parse(new Options(), args, arg -> "unknown option " + arg);
      if (o.dirs.size() != 2) {
        throw new IllegalArgumentException("need two snapshot folders, A and B; got " + o.dirs);
      }
      positive("--batch", o.batch);
      if (o.pairs != null) {
        positive("--pairs", o.pairs);
      }
      if (o.pool5 && o.train == null) {
        throw new IllegalArgumentException("--pool5 goes with --train (a training step from pool5 features)");
      }
      // without --pairs, about a minute a build at this machine's speed: many short calls, fewer long ones
      int pairs = o.pairs != null ? o.pairs : o.batch == 1 ? 200 : o.batch <= 16 ? 60 : 30;
      return new Args(o.dirs.get(0), o.dirs.get(1), o.batch, pairs, o.layer,
          o.train == null ? null : Set.of(o.train.split(",")), o.pool5);
    }

    private static void positive(String option, int n) {
      if (n < 1) {
        throw new IllegalArgumentException(option + " must be at least 1, was " + n);
      }
    }
  }

  /** What picocli reads; {@link Args#parse} checks it. */
  static final class Options {
    @Parameters(paramLabel = "A B", description = "The two snapshot folders (tools/bench snapshot NAME).")
    List<Path> dirs = new ArrayList<>();

    @Option(names = "--batch", paramLabel = "N", defaultValue = "64")
    int batch;

    @Option(names = "--pairs", paramLabel = "K")
    Integer pairs;

    @Option(names = "--layer", paramLabel = "NAME", defaultValue = "prob")
    String layer;

    @Option(names = "--train", paramLabel = "LAYERS")
    String train;

    @Option(names = "--pool5")
    boolean pool5;
  }

  public static void main(String[] args) throws Exception {
    Args a;
    try {
      a = Args.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("compare: " + e.getMessage());
      System.err.println("usage: " + USAGE);
      System.exit(2);
      return;
    }
    String what = a.trainLayers() == null ? "inference (" + a.layer() + ")"
        : "training step " + a.trainLayers() + (a.pool5() ? " from pool5" : "");
    System.out.printf(Locale.ROOT, "compare: %s, batch %d, %d pairs, TF_ENABLE_ONEDNN_OPTS=%s%n", what, a.batch(),
        a.pairs(), System.getenv().getOrDefault("TF_ENABLE_ONEDNN_OPTS", "(unset)"));
    try (TimedCall wa = workload(loader(a.a()), a); TimedCall wb = workload(loader(a.b()), a)) {
      float[] outA = wa.call();
      float[] outB = wb.call();
      for (int i = 0; i < 2; i++) {
        wa.call();
        wb.call();
      }
      double[] ta = new double[a.pairs()];
      double[] tb = new double[a.pairs()];
      for (int k = 0; k < a.pairs(); k++) {
        if (k % 2 == 0) {
          ta[k] = time(wa);
          tb[k] = time(wb);
        } else {
          tb[k] = time(wb);
          ta[k] = time(wa);
        }
      }
      System.out.println(Result.of(ta, tb).format(a.a().getFileName().toString(), a.b().getFileName().toString()));
      System.out.printf(Locale.ROOT, "largest difference of the first call's %s: %s%n",
          a.trainLayers() == null ? "outputs" : "losses", largestDifference(outA, outB));
    }
  }

  private static double time(TimedCall w) throws Exception {
    long t0 = System.nanoTime();
    w.call();
    return (System.nanoTime() - t0) / 1e6;
  }

  private static String largestDifference(float[] a, float[] b) {
    if (a.length != b.length) {
      return "the builds give " + a.length + " and " + b.length + " values";
    }
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      d = Math.max(d, Math.abs((double) a[i] - b[i]));
    }
    return String.valueOf(d);
  }

  /** A class loader over a snapshot's jars, TensorFlow and the other libraries coming from this class path. */
  static ClassLoader loader(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(dir + ": no such snapshot folder (make one with tools/bench snapshot NAME)");
    }
    List<URL> jars = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "alexnet-tfj-*.jar")) {
      for (Path f : files) {
        jars.add(f.toUri().toURL());
      }
    }
    if (jars.isEmpty()) {
      throw new IllegalArgumentException(dir
          + ": no alexnet-tfj-*.jar in it (make one with tools/bench snapshot NAME)");
    }
    return new URLClassLoader(jars.toArray(URL[]::new), Compare.class.getClassLoader());
  }

  /** The build's model or trainer, through reflection: each build's classes are its own. */
  private static TimedCall workload(ClassLoader cl, Args a) throws Exception {
    float[] inputs = inputs(a.batch() * (a.pool5() ? 6 * 6 * 256 : 227 * 227 * 3), a.pool5());
    if (a.trainLayers() == null) {
      Object b = cl.loadClass("org.alexnettfj.graph.AlexNetModel").getMethod("builder").invoke(null);
      b = invoke(b, "setFreshInit");
      b = invoke(b, "optNumClasses", 1000);
      b = invoke(b, "optSeed", 3L);
      Object model = invoke(b, "build");
      Method features = model.getClass().getMethod("features", float[].class, int.class, String.class);
      return new TimedCall() {
        @Override
        public float[] call() throws Exception {
          float[][] rows = (float[][]) features.invoke(model, inputs, a.batch(), a.layer());
          float[] flat = new float[rows.length * rows[0].length];
          for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * rows[0].length, rows[0].length);
          }
          return flat;
        }

        @Override
        public void close() throws Exception {
          ((AutoCloseable) model).close();
        }
      };
    }
    Object b = cl.loadClass("org.alexnettfj.train.Trainer").getMethod("builder").invoke(null);
    b = invoke(b, "setFreshInit");
    b = invoke(b, "optNumClasses", 1000);
    b = invoke(b, "optTrainLayers", a.trainLayers());
    b = invoke(b, "optLearningRate", 1e-4f);
    b = invoke(b, "optSeed", 1L);
    if (a.pool5()) {
      Class<?> input = cl.loadClass("org.alexnettfj.train.Trainer$Input");
      b = invoke(b, "optInput", input.getField("POOL5").get(null));
    }
    Object trainer = invoke(b, "build");
    int[] labels = new SplittableRandom(2).ints(a.batch(), 0, 1000).toArray();
    Method step = trainer.getClass().getMethod("step", float[].class, int[].class, int.class);
    return new TimedCall() {
      @Override
      public float[] call() throws Exception {
        return new float[] {(float) step.invoke(trainer, inputs, labels, a.batch())};
      }

      @Override
      public void close() throws Exception {
        ((AutoCloseable) trainer).close();
      }
    };
  }

  /** Inputs like the real ones, the same for both builds: preprocessed images, or pool5's non-negative features. */
  private static float[] inputs(int values, boolean pool5) {
    SplittableRandom r = new SplittableRandom(1);
    float[] x = new float[values];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (pool5 ? r.nextDouble(0, 10) : r.nextDouble(-1, 1) * 100);
    }
    return x;
  }

  /** Calls a method by name whose parameters take {@code args} (boxed primitives for primitive parameters). */
  private static Object invoke(Object target, String name, Object... args) throws Exception {
    Class<?> type = target.getClass();
    for (Method m : type.getMethods()) {
      if (m.getName().equals(name) && m.getParameterCount() == args.length && accepts(m.getParameterTypes(), args)) {
        try {
          return m.invoke(target, args);
        } catch (InvocationTargetException e) {
          throw e.getCause() instanceof Exception ex ? ex : e;
        }
      }
    }
    throw new IllegalArgumentException(type.getName() + " has no method " + name + " for " + List.of(args)
        + ": the two snapshots must offer the API this comparison calls");
  }

  private static boolean accepts(Class<?>[] types, Object[] args) {
    for (int i = 0; i < types.length; i++) {
      Class<?> t = types[i];
      Class<?> boxed = t == int.class ? Integer.class : t == long.class ? Long.class : t == float.class ? Float.class
          : t;
      if (!boxed.isInstance(args[i])) {
        return false;
      }
    }
    return true;
  }
}
