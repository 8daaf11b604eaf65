package org.alexnettfj.graph;

import org.tensorflow.proto.ConfigProto;

/**
 * Makes the intra-op thread count a model asks for the one it gets. TensorFlow's intra-op thread pool is one per
 * process, sized by the first session that is created: a later
 * session's {@code intra_op_parallelism_threads} is ignored (measured: a model asking for 1 thread ran on the pool
 * a device-listing session had sized to every core). So the builders record the count their model asks for
 * before anything else makes a session, and this project's own throwaway sessions — the device listing, the
 * oneDNN probe — ask for that count too, so the model gets what it asked for. A second model in the same process
 * shares the first's pool whatever it asks.
 */
public final class IntraOpPool {

  private static int requested;
  private static boolean sized;

  private IntraOpPool() {
  }

  /**
   * The intra-op threads the caller's model will ask for (0: TensorFlow's default, one per core); until one of
   * this project's sessions has sized the pool, the latest request counts. Thread-safe.
   *
   * @param threads the count; a negative one is ignored
   */
  public static synchronized void request(int threads) {
    if (!sized && threads >= 0) {
      requested = threads;
    }
  }

  /** {@code config} with the requested intra-op threads where it sets none, for a throwaway session. */
  static synchronized ConfigProto forProbe(ConfigProto config) {
    sized = true;
    return config.getIntraOpParallelismThreads() != 0 ? config
        : config.toBuilder().setIntraOpParallelismThreads(requested).build();
  }
}
