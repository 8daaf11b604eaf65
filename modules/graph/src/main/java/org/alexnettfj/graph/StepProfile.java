package org.alexnettfj.graph;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;

/**
 * Where one run of the graph spent its time, op by op, as TensorFlow's own step statistics record it (a run traced
 * with {@code FULL_TRACE}): each executed node with the kernel that ran it, as TensorFlow names the op after its
 * rewrites ({@code _MklNativeConv2DWithBias} is oneDNN's, {@code Conv2D} TensorFlow's Eigen kernel), and its time.
 *
 * @param wallMicros the traced run's wall time, as the caller measured it (tracing adds a little to it)
 * @param ops every executed op but TensorFlow's bookkeeping nodes ({@code _SOURCE}, {@code _SINK}), in start order
 */
public record StepProfile(long wallMicros, List<Op> ops) {

  /**
   * One executed op: the kernel that ran it, where, when and for how long.
   *
   * @param node the node's name in the graph, e.g. {@code conv2/Conv2D} ({@code conv1/...-LayoutOptimizer} for
   *     nodes TensorFlow inserted)
   * @param kernel the op that ran, after TensorFlow's rewrites, e.g. {@code _MklNativeFusedConv2D}
   * @param device the device it ran on
   * @param startMicros when it started, on the step's clock
   * @param micros how long it ran
   */
  public record Op(String node, String kernel, String device, long startMicros, long micros) {

    /**
     * Whether oneDNN ran it: TensorFlow's oneDNN kernels are the {@code _Mkl} ops its rewrite pass puts in.
     *
     * @return true for a {@code _Mkl…} kernel
     */
    public boolean oneDnn() {
      return kernel.startsWith("_Mkl");
    }
  }

  /**
   * A profile of these ops, copied.
   *
   * @param wallMicros the traced run's wall time
   * @param ops the executed ops
   */
  public StepProfile {
    ops = List.copyOf(ops);
  }

  /**
   * The profile of one traced run.
   *
   * @param metadata the metadata of a run traced with {@code RunOptions.TraceLevel.FULL_TRACE}
   * @param wallMicros the run's wall time as the caller measured it, in microseconds
   * @return the ops, their start times relative to the first op's, in start order
   */
  public static StepProfile of(RunMetadata metadata, long wallMicros) {
    List<Op> ops = new ArrayList<>();
    long first = Long.MAX_VALUE;
    for (DeviceStepStats device : metadata.getStepStats().getDevStatsList()) {
      for (NodeExecStats node : device.getNodeStatsList()) {
        if (!node.getNodeName().startsWith("_SOURCE") && !node.getNodeName().startsWith("_SINK")) {
          first = Math.min(first, node.getAllStartMicros());
        }
      }
    }
    for (DeviceStepStats device : metadata.getStepStats().getDevStatsList()) {
      for (NodeExecStats node : device.getNodeStatsList()) {
        String name = node.getNodeName();
        if (name.startsWith("_SOURCE") || name.startsWith("_SINK")) {
          continue;
        }
        ops.add(new Op(name, kernel(node.getTimelineLabel()), device.getDevice(), node.getAllStartMicros() - first,
            node.getAllEndRelMicros()));
      }
    }
    ops.sort(java.util.Comparator.comparingLong(Op::startMicros));
    return new StepProfile(wallMicros, ops);
  }

  /** The op type from a timeline label, {@code conv1/Conv2D = _MklNativeConv2D(input, conv1/weights)}. */
  static String kernel(String label) {
    int eq = label.indexOf(" = ");
    if (eq < 0) {
      return "?";
    }
    int paren = label.indexOf('(', eq);
    return label.substring(eq + 3, paren < 0 ? label.length() : paren).strip();
  }

  /**
   * The ops' times added up (more than the wall time where ops ran side by side).
   *
   * @return the sum of {@link Op#micros()}, in microseconds
   */
  public long opMicros() {
    return ops.stream().mapToLong(Op::micros).sum();
  }
}
