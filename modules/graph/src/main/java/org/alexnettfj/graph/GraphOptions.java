package org.alexnettfj.graph;

import java.util.Collection;
import java.util.Objects;
import org.alexnettfj.graph.AlexNetGraph.Convolutions;
import org.alexnettfj.graph.AlexNetGraph.FcLayout;
import org.alexnettfj.graph.AlexNetGraph.Lrn;
import org.alexnettfj.graph.AlexNetGraph.LrnWindow;

/**
 * How {@link AlexNetGraph} lays out its layers, and on which devices. Every layout gives the same values (to float32
 * rounding); they differ in speed and in what TensorFlow can differentiate. This is the one place that decides
 * which layout is the fastest on a placement: with TensorFlow's oneDNN kernels on ({@link OneDnn#enabled()}) and
 * the graph on the CPU, LRN from basic ops with its window summed by a block convolution, grouped convolutions
 * and, on a core without AVX-512 ({@link CpuFeatures#avx512()}), transposed fc weights (on an AVX-512 core
 * norm1's 96 channels are summed faster by the banded product); elsewhere the classic layouts and the fused LRN,
 * oneDNN's kernels being CPU kernels, and on a GPU the fused op (cuDNN's LRN) the one measured and checked there.
 * The timings behind each choice are in BENCHMARKS.md.
 *
 * <p>The named factories are the choices the project makes:
 * <ul>
 *   <li>{@link #fastest(Placement)}, for inference ({@link AlexNetModel}): every layout the fastest there;
 *   <li>{@link #portable()}, for a SavedModel ({@link AlexNetSavedModel}) and for Grad-CAM ({@link GradCam}):
 *       classic convolutions and fc weights, which every runtime runs and TensorFlow differentiates on every
 *       device, with the fastest LRN here;
 *   <li>{@link #classic()}: the graph of the classic TensorFlow {@code create()};
 *   <li>{@link #forTraining}: any of them, made differentiable down to the layers trained.
 * </ul>
 *
 * <pre>{@code
 * AlexNetGraph net = AlexNetGraph.create(Ops.create(g), 1000, GraphOptions.fastest(Placement.DEFAULT));
 * GraphOptions training = GraphOptions.fastest(placement).forTraining(Set.of("fc6", "fc7", "fc8")).withSeed(42L);
 * }</pre>
 *
 * @param lrn how norm1 and norm2 are computed
 * @param convolutions how the convolutions are laid out
 * @param fcLayout how the fc weights are held (on the towers fc6's and fc7's are held classically, split on the
 *     output axis)
 * @param placement the devices the ops ask for: one device, or the paper's two towers ({@link Placement#towers})
 * @param seed the default key of dropout's masks (the masks are all ones while {@code keepProb} is 1)
 */
public record GraphOptions(Lrn lrn, Convolutions convolutions, FcLayout fcLayout, Placement placement, long seed) {

  /**
   * Options of these choices, checked.
   *
   * @param lrn how norm1 and norm2 are computed
   * @param convolutions how the convolutions are laid out
   * @param fcLayout how the fc weights are held
   * @param placement the devices the ops ask for
   * @param seed the default key of dropout's masks
   * @throws IllegalArgumentException if {@code convolutions} is {@link Convolutions#ONEDNN_FORWARD} on the CPU
   *     without oneDNN's kernels
   */
  public GraphOptions {
    Objects.requireNonNull(lrn, "lrn");
    Objects.requireNonNull(convolutions, "convolutions");
    Objects.requireNonNull(fcLayout, "fcLayout");
    Objects.requireNonNull(placement, "placement");
    if (convolutions == Convolutions.ONEDNN_FORWARD && placement.runsOnCpu() && !OneDnn.enabled()) {
      throw new IllegalArgumentException("Convolutions.ONEDNN_FORWARD needs TensorFlow's oneDNN kernels on the CPU "
          + "(TF_ENABLE_ONEDNN_OPTS=1): the default fused convolution does not do groups; use Convolutions.CLASSIC");
    }
  }

  /**
   * Every layout the fastest on {@code placement}, for a graph that is not differentiated; seed 0.
   *
   * @param placement the devices the graph will run on
   * @return the options; {@link Placement#DEFAULT} asks TensorFlow once whether it sees a GPU
   */
  public static GraphOptions fastest(Placement placement) {
    return new GraphOptions(fastestLrn(placement), fastestConvolutions(placement), fastestFcLayout(placement),
        placement, 0L);
  }

  /**
   * As the classic TensorFlow {@code create()}: the fused LRN op, grouped layers split → conv → concat, fc weights
   * {@code [in, out]}; TensorFlow's choice of device, seed 0.
   *
   * @return the options
   */
  public static GraphOptions classic() {
    return new GraphOptions(Lrn.FUSED, Convolutions.CLASSIC, FcLayout.CLASSIC, Placement.DEFAULT, 0L);
  }

  /**
   * Classic convolutions and fc weights, which every runtime runs (a grouped {@code Conv2D} runs only under oneDNN
   * on the CPU, transposed fc weights slowly without it) and TensorFlow differentiates on every device; the LRN
   * as {@link #fastest} the default placement (both run everywhere); TensorFlow's choice of device, seed 0.
   *
   * @return the options
   */
  public static GraphOptions portable() {
    return new GraphOptions(fastestLrn(Placement.DEFAULT), Convolutions.CLASSIC, FcLayout.CLASSIC,
        Placement.DEFAULT, 0L);
  }

  /**
   * These options made differentiable for training {@code trainLayers}: when conv1 or conv2 is trained a gradient
   * passes through norm1 or norm2, so LRN from basic ops ({@link Lrn#BASIC_OPS}: the fused op's registered
   * gradient is wrong); when any conv layer is, classic convolutions (TensorFlow has no CPU gradient for the grouped
   * {@code Conv2D}). The other choices stay as they are.
   *
   * @param trainLayers the layers whose variables are trained, e.g. {@code fc6}, {@code fc7}, {@code fc8}
   * @return new options; these are unchanged
   */
  public GraphOptions forTraining(Collection<String> trainLayers) {
    boolean lrnDifferentiated = trainLayers.contains("conv1") || trainLayers.contains("conv2");
    boolean convsDifferentiated = trainLayers.stream().anyMatch(l -> l.startsWith("conv"));
    return new GraphOptions(lrnDifferentiated ? Lrn.BASIC_OPS : lrn,
        convsDifferentiated ? Convolutions.CLASSIC : convolutions, fcLayout, placement, seed);
  }

  /**
   * These options with norm1 and norm2 computed as {@code lrn} says.
   *
   * @param lrn the LRN mode
   * @return new options; these are unchanged
   */
  public GraphOptions withLrn(Lrn lrn) {
    return new GraphOptions(lrn, convolutions, fcLayout, placement, seed);
  }

  /**
   * These options with the convolutions laid out as {@code convolutions} says.
   *
   * @param convolutions the layout
   * @return new options; these are unchanged
   * @throws IllegalArgumentException if {@code convolutions} is {@link Convolutions#ONEDNN_FORWARD} on the CPU
   *     without oneDNN's kernels
   */
  public GraphOptions withConvolutions(Convolutions convolutions) {
    return new GraphOptions(lrn, convolutions, fcLayout, placement, seed);
  }

  /**
   * These options with the fc weights held as {@code fcLayout} says.
   *
   * @param fcLayout the layout
   * @return new options; these are unchanged
   */
  public GraphOptions withFcLayout(FcLayout fcLayout) {
    return new GraphOptions(lrn, convolutions, fcLayout, placement, seed);
  }

  /**
   * These options with another default key of dropout's masks.
   *
   * @param seed the key's first half
   * @return new options; these are unchanged
   */
  public GraphOptions withSeed(long seed) {
    return new GraphOptions(lrn, convolutions, fcLayout, placement, seed);
  }

  /**
   * How {@link Lrn#BASIC_OPS} sums the window of a norm over {@code channels}: the fastest on {@link #placement()}.
   * The window sums give the same values and gradients, so this is no choice to make.
   *
   * @param channels the depth of the activations normalised (96 for norm1, 256 for norm2)
   * @return the window sum
   */
  public LrnWindow lrnWindow(int channels) {
    return fastestLrnWindow(placement, channels);
  }

  // Which layout is fastest where. Each asks oneDNN first: only with it on does the placement matter, and the
  // first ask about the default placement costs TensorFlow a session.

  static Lrn fastestLrn(Placement placement) {
    return oneDnnOnCpu(placement) ? Lrn.BASIC_OPS : Lrn.FUSED;
  }

  static Convolutions fastestConvolutions(Placement placement) {
    return oneDnnOnCpu(placement) ? Convolutions.ONEDNN_FORWARD : Convolutions.CLASSIC;
  }

  static FcLayout fastestFcLayout(Placement placement) {
    return oneDnnOnCpu(placement) && !CpuFeatures.avx512() ? FcLayout.TRANSPOSED : FcLayout.CLASSIC;
  }

  static LrnWindow fastestLrnWindow(Placement placement) {
    return oneDnnOnCpu(placement) ? LrnWindow.BLOCK_CONVOLUTION : LrnWindow.BANDED_PRODUCT;
  }

  /** On an AVX-512 core oneDNN runs the banded product of norm1's 96 channels faster than the block convolution. */
  static LrnWindow fastestLrnWindow(Placement placement, int channels) {
    LrnWindow window = fastestLrnWindow(placement);
    return window == LrnWindow.BLOCK_CONVOLUTION && CpuFeatures.avx512() && channels <= 96
        ? LrnWindow.BANDED_PRODUCT : window;
  }

  private static boolean oneDnnOnCpu(Placement placement) {
    return OneDnn.enabled() && placement.runsOnCpu();
  }
}
