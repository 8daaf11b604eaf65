package org.alexnettfj.cli;

import java.nio.file.Path;

/** Checks on the command line's files, with messages that say what to do. */
final class Inputs {

  private Inputs() {
  }

  /** The pretrained file is not bundled (244 MB, and not ours to ship): say where it goes. */
  static void requireWeightsFile(Path file) throws java.io.FileNotFoundException {
    org.alexnettfj.weights.MissingFile.requireWeights(file);
  }
}
