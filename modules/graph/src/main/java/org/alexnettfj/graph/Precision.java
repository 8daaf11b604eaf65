package org.alexnettfj.graph;

import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;

/**
 * The arithmetic a model runs in: float32, or faster but approximate bfloat16. {@link #FP32} is the default and
 * exact (the float64-reference tests hold it); {@link #BF16} is opt-in, for inference and training on cores with
 * bfloat16 instructions: TensorFlow's oneDNN bfloat16 rewrite ({@code auto_mixed_precision_onednn_bfloat16}) runs the
 * convolutions and products (and their gradients) in bfloat16 with float32 accumulation; the variables and their
 * updates stay float32. It is faster (BENCHMARKS.md) and close, not equal: fc7 moves by ~0.5% of its largest value, and
 * a class whose probability is close to another's can swap with it. {@code tools/bench precision} reports top-1/top-5
 * agreement and fc7's difference on real photos.
 */
public enum Precision {
  /** float32 throughout: exact, and the default. */
  FP32,
  /** bfloat16 convolutions and products with float32 accumulation, on cores with bfloat16 instructions. */
  BF16;

  /**
   * The precision for a command-line or configuration value.
   *
   * @param value {@code fp32} (or {@code float32}) or {@code bf16} (or {@code bfloat16}), any case
   * @return the precision
   * @throws IllegalArgumentException for any other value
   */
  public static Precision parse(String value) {
    return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "fp32", "float32" -> FP32;
      case "bf16", "bfloat16" -> BF16;
      default -> throw new IllegalArgumentException("precision '" + value + "': expected fp32 or bf16");
    };
  }

  /**
   * Refuses {@link #BF16} where it would not be the fast path: without oneDNN's kernels, off the CPU, or on a core
   * without bfloat16 instructions (avx512_bf16 or AMX), where oneDNN would emulate it slowly. {@link #FP32}
   * passes everywhere.
   *
   * @param placement the devices the model will run on
   * @throws IllegalArgumentException saying why bf16 is refused there
   */
  public void check(Placement placement) {
    check(placement, OneDnn.enabled(), CpuFeatures.bf16(), CpuFeatures.vector());
  }

  void check(Placement placement, boolean oneDnn, boolean bf16, String vector) {
    if (this == FP32) {
      return;
    }
    if (!placement.runsOnCpu()) {
      throw new IllegalArgumentException("precision bf16 is for the CPU (oneDNN's bfloat16 kernels); on "
          + placement + " use fp32");
    }
    if (!oneDnn) {
      throw new IllegalArgumentException("precision bf16 needs TensorFlow's oneDNN kernels (TF_ENABLE_ONEDNN_OPTS=1 "
          + "or unset); they are off in this process");
    }
    if (!bf16) {
      throw new IllegalArgumentException("precision bf16 needs a core with bfloat16 instructions (avx512_bf16 or "
          + "AMX); this one has " + vector + ", where bf16 would be emulated and slower than fp32: use "
          + "fp32 (the default)");
    }
  }

  /**
   * A session configuration with this precision's graph rewrite (a training graph's too: the gradients run in
   * bf16).
   *
   * @param config the rest of the configuration; not changed
   * @return {@code config} itself for {@link #FP32}, else a copy with oneDNN's bfloat16 rewrite on
   */
  public ConfigProto apply(ConfigProto config) {
    if (this == FP32) {
      return config;
    }
    GraphOptions.Builder graph = config.getGraphOptions().toBuilder();
    graph.setRewriteOptions(graph.getRewriteOptions().toBuilder()
        .setAutoMixedPrecisionOnednnBfloat16(RewriterConfig.Toggle.ON));
    return config.toBuilder().setGraphOptions(graph).build();
  }
}
