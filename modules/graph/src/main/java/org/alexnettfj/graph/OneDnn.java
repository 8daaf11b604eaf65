package org.alexnettfj.graph;

import java.util.List;
import java.util.Locale;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;

/**
 * Tells whether TensorFlow runs its oneDNN kernels in this process, which decides the graph's fastest layouts.
 * {@code TF_ENABLE_ONEDNN_OPTS=1}/{@code true} and {@code 0}/{@code false} say so; unset (a plain library user),
 * TensorFlow decides by its build and the CPU — TF-Java 1.1's x86-64 Linux build turns them on — so then it is
 * asked: one 1 x 1 convolution is run, traced, and the kernel that ran it named ({@code _Mkl*} is oneDNN's).
 */
public final class OneDnn {

  /** The environment variable TensorFlow reads once, when its first session starts. */
  public static final String VARIABLE = "TF_ENABLE_ONEDNN_OPTS";

  private OneDnn() {
  }

  /**
   * Whether TensorFlow's oneDNN kernels are on in this process.
   *
   * @return what {@code TF_ENABLE_ONEDNN_OPTS} says, or when it is unset or unreadable what TensorFlow answers
   *     (asked at most once per process, by a throwaway session)
   */
  public static boolean enabled() {
    return enabled(System.getenv(VARIABLE));
  }

  /** {@link #enabled()} for a value of {@code TF_ENABLE_ONEDNN_OPTS}, read as TensorFlow reads it. */
  static boolean enabled(String setting) {
    Boolean said = read(setting);
    // unset, or a value TensorFlow cannot read and ignores, keeping its default: ask it
    return said != null ? said : Probe.ON;
  }

  /**
   * A value of {@code TF_ENABLE_ONEDNN_OPTS} as TensorFlow reads it: {@code 1}/{@code true} or {@code 0}/{@code
   * false}, in any case.
   *
   * @param setting the variable's value, or null when it is unset
   * @return true or false for a value TensorFlow reads; null when unset or a value it ignores
   */
  public static Boolean read(String setting) {
    if (setting == null) {
      return null;
    }
    return switch (setting.strip().toLowerCase(Locale.ROOT)) {
      case "1", "true" -> Boolean.TRUE;
      case "0", "false" -> Boolean.FALSE;
      default -> null;
    };
  }

  private static final class Probe {
    static final boolean ON = ask();

    /** Runs one small Conv2D (fed, so nothing is folded away) and reads which kernel TensorFlow ran. */
    private static boolean ask() {
      try (Graph g = new Graph();
          Session s = new Session(g, IntraOpPool.forProbe(org.tensorflow.proto.ConfigProto.getDefaultInstance()))) {
        Ops tf = Ops.create(g);
        Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, 4, 4, 1)));
        var conv = tf.withName("probe").nn.conv2d(x, tf.ones(tf.constant(new long[] {1, 1, 1, 1}), TFloat32.class),
            List.of(1L, 1L, 1L, 1L), "VALID");
        RunOptions trace = RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build();
        try (TFloat32 in = TFloat32.tensorOf(Shape.of(1, 4, 4, 1));
            Result r = s.runner().feed(x, in).fetch(conv).setOptions(trace).runAndFetchMetadata()) {
          for (DeviceStepStats d : r.getMetadata().orElseThrow().getStepStats().getDevStatsList()) {
            for (NodeExecStats n : d.getNodeStatsList()) {
              if (n.getNodeName().equals("probe") && StepProfile.kernel(n.getTimelineLabel()).startsWith("_Mkl")) {
                return true;
              }
            }
          }
          return false;
        }
      }
    }
  }
}
