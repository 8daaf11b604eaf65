package org.alexnettfj.graph;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.RunMetadata;

/**
 * The device each op of a session run was executed on, read from the partition graphs TensorFlow returns when a
 * run asks for them ({@code RunOptions.output_partition_graphs}): one graph per device, after placement and
 * TensorFlow's graph rewrites, so it is what ran, not what was requested. Ops TensorFlow inserted are listed too:
 * {@code _Send}/{@code _Recv} pairs carry tensors between devices, {@code _Arg}/{@code _Retval} are the feeds and
 * fetches, and a fused op (e.g. {@code _FusedConv2D}) may stand in for a convolution, its bias and ReLU.
 *
 * <pre>{@code
 * OpPlacement p = model.opPlacement("fc8");
 * p.devicesOf("conv2/tower1/");      // [/GPU:1]
 * System.err.print(p.format());
 * }</pre>
 *
 * @param ops every op that ran, grouped by device in TensorFlow's order
 */
public record OpPlacement(List<Op> ops) {

  static final String FEEDS = "(feeds)";
  static final String FETCHES = "(fetches)";
  /** Layers in forward order, for the table; anything else (TensorFlow's constants) comes after them. */
  private static final List<String> ORDER = List.of(FEEDS, "input", "keepProb", "conv1", "norm1", "pool1", "conv2",
      "norm2", "pool2", "conv3", "conv4", "conv5", "pool5", "flattened", "fc6", "dropout6", "fc7", "dropout7", "fc8",
      "prob");

  /**
   * One op that ran, and the device it ran on.
   *
   * @param name e.g. {@code conv2/tower1/Conv2D}
   * @param type e.g. {@code Conv2D}
   * @param device short form, e.g. {@code /GPU:1}
   */
  public record Op(String name, String type, String device) {

    /**
     * The AlexNet layer an op belongs to: its name up to the first {@code /} ({@code conv2}, {@code fc6}), or
     * {@code (feeds)} and {@code (fetches)} for the ops that take the inputs and return the outputs (TensorFlow
     * keeps them on the host CPU).
     *
     * @return the layer's name, or {@code (feeds)} or {@code (fetches)}
     */
    public String layer() {
      if (name.startsWith("_arg_")) {
        return FEEDS;
      }
      if (name.startsWith("_retval_")) {
        return FETCHES;
      }
      int slash = name.indexOf('/');
      return slash < 0 ? name : name.substring(0, slash);
    }

    /**
     * Whether this is an op TensorFlow adds to move a tensor from one device to another.
     *
     * @return true for {@code _Send}, {@code _Recv}, {@code _HostSend} and {@code _HostRecv}
     */
    public boolean isTransfer() {
      return type.equals("_Send") || type.equals("_Recv") || type.equals("_HostSend") || type.equals("_HostRecv");
    }
  }

  /**
   * A placement of the given ops, copied.
   *
   * @param ops every op that ran, grouped by device
   */
  public OpPlacement {
    ops = List.copyOf(ops);
  }

  static OpPlacement of(RunMetadata metadata) {
    List<Op> ops = new ArrayList<>();
    for (GraphDef partition : metadata.getPartitionGraphsList()) {
      for (NodeDef node : partition.getNodeList()) {
        ops.add(new Op(node.getName(), node.getOp(), Placement.shortName(node.getDevice())));
      }
    }
    return new OpPlacement(ops);
  }

  /**
   * The devices of the ops whose name starts with {@code prefix} ({@code conv2/tower1/}), sorted. Copies between
   * devices are left out: a {@code _Recv} is named after the op it receives from, but runs on the other device.
   *
   * @param prefix the start of the op names, e.g. {@code conv2/tower1/} or {@code fc6/}
   * @return the devices in short form, e.g. {@code [/GPU:1]}; empty when no such op ran
   */
  public Set<String> devicesOf(String prefix) {
    return ops.stream().filter(o -> o.name().startsWith(prefix) && !o.isTransfer()).map(Op::device)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /**
   * Every device that ran something.
   *
   * @return the devices in short form, sorted
   */
  public Set<String> devices() {
    return ops.stream().map(Op::device).collect(Collectors.toCollection(TreeSet::new));
  }

  /**
   * How many tensors crossed from one device to another.
   *
   * @return the number of {@code _Send} and {@code _HostSend} ops; 0 on one device
   */
  public long transfers() {
    return ops.stream().filter(o -> o.type().equals("_Send") || o.type().equals("_HostSend")).count();
  }

  /**
   * A table for people: per layer, in AlexNet's order, the number of its ops on each device; then the number of
   * tensors moved between devices; then every op with its device and type.
   *
   * @return the table, several lines of text, ending in a line break
   */
  public String format() {
    Map<String, Map<String, Integer>> byLayer = new TreeMap<>(Comparator.comparingInt(OpPlacement::layerRank)
        .thenComparing(Comparator.naturalOrder()));
    for (Op op : ops) {
      byLayer.computeIfAbsent(op.layer(), k -> new TreeMap<>()).merge(op.device(), 1, Integer::sum);
    }
    int width = Math.max(12, ops.stream().mapToInt(o -> o.name().length()).max().orElse(0) + 2);
    StringBuilder s = new StringBuilder();
    s.append("ops per layer and device:\n");
    byLayer.forEach((layer, counts) -> s.append(String.format("  %-12s %s%n", layer, counts.entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")))));
    s.append(String.format("tensors copied between devices: %d%n", transfers()));
    s.append("every op (device, name, type):\n");
    for (Op op : ops) {
      s.append(String.format("  %-8s %-" + width + "s %s%n", op.device(), op.name(), op.type()));
    }
    return s.toString();
  }

  /** Feeds, AlexNet's layers in forward order, anything else (TensorFlow's own constants), fetches. */
  private static int layerRank(String layer) {
    if (layer.equals(FETCHES)) {
      return ORDER.size() + 1;
    }
    int i = ORDER.indexOf(layer);
    return i < 0 ? ORDER.size() : i;
  }
}
