package org.alexnettfj.cli;

import org.alexnettfj.graph.Placement;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The one description of each option several commands share (docs/cli.md, Shared options), so that it means the
 * same in every command's help; a command may add a sentence of its own after it (what --force overwrites there,
 * what its --json holds). {@code CliConventionsTest} holds every command to these.
 *
 * <p>The options every command takes exactly so ({@code --strict}, {@code --threads}, {@code --device}) are also
 * declared here, once, as picocli mixins: a command takes one with a {@link Mixin} field.
 *
 * <pre>
 *   &#64;Mixin
 *   SharedOptions.Threads threads;   // --threads N; threads.count() in call()
 * </pre>
 */
final class SharedOptions {

  static final String WEIGHTS = "The weights: the classic bvlc_alexnet.npy, a fine-tuned MODEL.npz (finetune --out)"
      + " or any file `inspect` reads.";

  static final String LABELS = "Class names, one per line in output order (default: MODEL.classes.txt beside the"
      + " weights if there is one, as finetune --out writes it; else the 1000 ImageNet classes).";

  static final String BATCH_SIZE = "Images per batch.";

  static final String DEVICE = "Run every op on this TensorFlow device, e.g. /GPU:0 or /CPU:0 (default: TensorFlow"
      + " picks, a GPU if the -Pgpu build sees one). Fails, listing the devices there are, if it does not exist.";

  static final String THREADS = "TensorFlow intra-op threads (default: all cores).";

  static final String STRICT = "Stop at the first unreadable image instead of reporting and skipping it.";

  static final String FORCE = "Overwrite an existing output.";

  static final String JSON = "Print the result as one line of JSON on stdout.";

  /** {@code --strict}. */
  static final class Strict {
    @Option(names = "--strict", description = STRICT)
    boolean strict;

    /** Whether to stop at the first unreadable input. */
    boolean on() {
      return strict;
    }
  }

  /** {@code --threads N}. */
  static final class Threads {
    @Option(names = "--threads", paramLabel = "N", defaultValue = "0", description = THREADS)
    int threads;

    /** TensorFlow's intra-op threads: 0 (or less) leaves it every core. */
    int count() {
      return threads;
    }

    /** The threads of the commands' own parallel work (a search): --threads, or one per core without it. */
    int orAllCores() {
      return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }
  }

  /** {@code --device DEVICE}. */
  static final class Device {
    @Option(names = "--device", paramLabel = "DEVICE", description = DEVICE)
    String device;

    /** The device as given, or null: TensorFlow picks. */
    String name() {
      return device;
    }

    /** Every op on the device given, or TensorFlow's choice without one. */
    Placement placement() {
      return device != null ? Placement.device(device) : Placement.DEFAULT;
    }
  }

  private SharedOptions() {
  }
}
