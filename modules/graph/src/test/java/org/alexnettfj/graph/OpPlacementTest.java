package org.alexnettfj.graph;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.RunMetadata;

/** Reading devices from TensorFlow's partition graphs, and the table a user reads. */
class OpPlacementTest {

  private static final String CPU0 = "/job:localhost/replica:0/task:0/device:CPU:0";
  private static final String GPU1 = "/job:localhost/replica:0/task:0/device:GPU:1";

  /** A two-device run in the shape TensorFlow reports it: one partition graph per device. */
  private static final RunMetadata RUN = RunMetadata.newBuilder()
      .addPartitionGraphs(GraphDef.newBuilder()
          .addNode(node("_arg_input_0_0", "_Arg", CPU0))
          .addNode(node("conv1/Relu", "_FusedConv2D", CPU0))
          .addNode(node("conv1/weights", "VariableV2", CPU0))
          .addNode(node("conv2/Split", "Split", CPU0))
          .addNode(node("conv2/Split/_1", "_Send", CPU0))
          .addNode(node("conv2/tower1/Relu/_4", "_Recv", CPU0))
          .addNode(node("conv2/Concat", "ConcatV2", CPU0))
          .addNode(node("prob", "Softmax", CPU0))
          .addNode(node("_retval_prob_0_0", "_Retval", CPU0)))
      .addPartitionGraphs(GraphDef.newBuilder()
          .addNode(node("conv2/Split/_2", "_Recv", GPU1))
          .addNode(node("conv2/tower1/Relu", "_FusedConv2D", GPU1))
          .addNode(node("conv2/tower1/Relu/_3", "_Send", GPU1)))
      .build();

  private static NodeDef node(String name, String op, String device) {
    return NodeDef.newBuilder().setName(name).setOp(op).setDevice(device).build();
  }

  @Test
  void readsEveryOpOfEveryPartitionWithItsShortDeviceName() {
    OpPlacement p = OpPlacement.of(RUN);

    assertThat(p.ops()).hasSize(12);
    assertThat(p.ops().get(1)).isEqualTo(new OpPlacement.Op("conv1/Relu", "_FusedConv2D", "/CPU:0"));
    assertThat(p.devices()).containsExactly("/CPU:0", "/GPU:1");
    assertThat(p.transfers()).as("_Send ops: tensors copied between devices").isEqualTo(2);
  }

  @Test
  void devicesOfAPrefixLeaveOutTheCopiesNamedAfterIt() {
    OpPlacement p = OpPlacement.of(RUN);

    assertThat(p.devicesOf("conv2/tower1/")).as("the _Recv of tower 1's output runs on /CPU:0 but is a copy")
        .containsExactly("/GPU:1");
    assertThat(p.devicesOf("conv2/")).containsExactly("/CPU:0", "/GPU:1");
    assertThat(p.devicesOf("fc6/")).isEmpty();
  }

  @Test
  void namesTheLayerOfEachOpWithFeedsAndFetchesApart() {
    OpPlacement p = OpPlacement.of(RUN);

    assertThat(p.ops()).extracting(OpPlacement.Op::layer).containsExactly("(feeds)", "conv1", "conv1", "conv2",
        "conv2", "conv2", "conv2", "prob", "(fetches)", "conv2", "conv2", "conv2");
  }

  @Test
  void theTableCountsOpsPerLayerAndDeviceInForwardOrderThenListsEveryOp() {
    String table = OpPlacement.of(RUN).format();

    assertThat(table).as(table).contains(String.join("\n",
        "ops per layer and device:",
        "  (feeds)      /CPU:0 1",
        "  conv1        /CPU:0 2",
        "  conv2        /CPU:0 4, /GPU:1 3",
        "  prob         /CPU:0 1",
        "  (fetches)    /CPU:0 1",
        "tensors copied between devices: 2",
        "every op (device, name, type):"));
    assertThat(table).as(table).containsPattern("\n  /GPU:1 +conv2/tower1/Relu +_FusedConv2D\n");
    assertThat(table.lines().count()).as("header lines plus one line per op").isEqualTo(8 + 12);
  }
}
