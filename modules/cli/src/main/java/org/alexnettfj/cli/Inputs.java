package org.alexnettfj.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Checks on the command line's files, with messages that say what to do. */
final class Inputs {

  private Inputs() {
  }

  /** The pretrained file is not bundled (244 MB, and not ours to ship): say where it goes. */
  static void requireWeightsFile(Path file) throws java.io.FileNotFoundException {
    String missing = org.alexnettfj.weights.MissingFile.problem(file);
    if (missing != null && !Files.isDirectory(file)) {
      String hint = missing.equals("no such file") && file.getFileName().toString().startsWith("bvlc_alexnet")
          ? " (the pretrained weights are not bundled: put your copy of bvlc_alexnet.npy in weights/, see README)"
          : "";
      throw new java.io.FileNotFoundException(file + ": " + missing + hint);
    }
  }
}
