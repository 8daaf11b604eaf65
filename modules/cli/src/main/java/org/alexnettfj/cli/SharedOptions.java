package org.alexnettfj.cli;

/**
 * The one description of each option several commands share (docs/cli.md, Shared options), so that it means the
 * same in every command's help; a command may add a sentence of its own after it (what --force overwrites there,
 * what its --json holds). {@code CliConventionsTest} holds every command to these.
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

  private SharedOptions() {
  }
}
