package org.alexnettfj.spark;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;

/**
 * TensorFlow's thread pools for the one model an executor JVM shares between its tasks. The session's intra-op pool
 * (the threads that split each convolution and matrix product) is one pool for every task of the JVM, so it gets the
 * executor's cores, not a share of them; the inter-op pool (which runs the ops themselves) gets one thread per task
 * that can run at once ({@code cores / spark.task.cpus}). Together the tasks then use the executor's cores and no
 * more, where TensorFlow's defaults would start a pool of every core of the host for each.
 *
 * <pre>{@code
 * ExecutorThreads t = ExecutorThreads.of(SparkEnv.get().conf(), Runtime.getRuntime().availableProcessors());
 * AlexNetModel.builder().optIntraOpThreads(t.intraOp()).optInterOpThreads(t.interOp());
 * }</pre>
 *
 * @param cores the executor's cores
 * @param concurrentTasks how many tasks the executor runs at once
 */
public record ExecutorThreads(int cores, int concurrentTasks) {

  private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\*|\\d+)(?:,\\s*\\d+)?])?");
  private static final Pattern LOCAL_CLUSTER = Pattern.compile("local-cluster\\[\\s*\\d+\\s*,\\s*(\\d+)\\s*,.*]");

  public ExecutorThreads {
    if (cores < 1 || concurrentTasks < 1) {
      throw new IllegalArgumentException("cores and concurrent tasks must be at least 1, were " + cores + " and "
          + concurrentTasks);
    }
  }

  /**
   * The executor's cores: {@code spark.executor.cores} where set; else what the master gives an executor —
   * {@code N} for {@code local[N]}, every core for {@code local[*]} and standalone ({@code spark://}), and 1 for
   * YARN and Kubernetes, whose default {@code spark.executor.cores} is 1.
   *
   * @param availableProcessors the host's cores, for {@code local[*]} and standalone
   */
  public static ExecutorThreads of(SparkConf conf, int availableProcessors) {
    int cores;
    if (conf.contains("spark.executor.cores")) {
      cores = conf.getInt("spark.executor.cores", 1);
    } else {
      cores = masterCores(conf.get("spark.master", "local[*]").strip(), availableProcessors);
    }
    int taskCpus = Math.max(1, conf.getInt("spark.task.cpus", 1));
    cores = Math.max(1, cores);
    return new ExecutorThreads(cores, Math.max(1, cores / taskCpus));
  }

  private static int masterCores(String master, int availableProcessors) {
    Matcher local = LOCAL.matcher(master);
    if (local.matches()) {
      String n = local.group(1);
      return n == null ? 1 : n.equals("*") ? availableProcessors : Integer.parseInt(n);
    }
    Matcher cluster = LOCAL_CLUSTER.matcher(master);
    if (cluster.matches()) {
      return Integer.parseInt(cluster.group(1));
    }
    return master.startsWith("spark://") ? availableProcessors : 1;
  }

  /** TensorFlow intra-op threads: the executor's cores, one pool for all its tasks. */
  public int intraOp() {
    return cores;
  }

  /** TensorFlow inter-op threads: one per task running at once. */
  public int interOp() {
    return concurrentTasks;
  }
}
