package org.alexnettfj.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.alexnettfj.testfixtures.RandomAlexNet;

/**
 * A full-size file in the exact form of {@code bvlc_alexnet.npy} (Python-2 pickle, fc7 and fc8 Fortran-ordered) with
 * seeded random values ({@link RandomAlexNet#writeClassic}): the real file cannot be downloaded here. Written once
 * per test JVM (244 MB), removed when it exits.
 */
final class TestWeights {

  private static Path file;

  private TestWeights() {
  }

  static synchronized Path file() {
    if (file == null) {
      try {
        Path dir = Files.createTempDirectory("alexnet-spark-weights");
        Path f = dir.resolve("bvlc_alexnet.npy");
        // deleteOnExit runs in reverse order of registration: the directory first, the file after would leave it
        dir.toFile().deleteOnExit();
        f.toFile().deleteOnExit();
        RandomAlexNet.writeClassic(f, 5);
        file = f;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return file;
  }
}
