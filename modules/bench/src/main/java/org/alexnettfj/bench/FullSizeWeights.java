package org.alexnettfj.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.alexnettfj.testfixtures.RandomAlexNet;

/**
 * A full-size file in the exact form of {@code bvlc_alexnet.npy} (Python-2 pickle, dict of lists, fc7 and fc8
 * Fortran-ordered), with seeded random values ({@link RandomAlexNet#writeClassic}, seed 2012): the real file cannot
 * be downloaded on the benchmark machines. NpyWriterTest proves the writer's bytes equal Python 2 numpy's.
 */
public final class FullSizeWeights {

  private FullSizeWeights() {
  }

  /** Makes {@code path} if it is missing; returns it. */
  public static Path ensure(Path path) throws IOException {
    if (Files.isRegularFile(path)) {
      return path;
    }
    RandomAlexNet.writeClassic(path, 2012);
    return path;
  }

  public static void main(String[] args) throws IOException {
    Path p = ensure(Path.of(args.length > 0 ? args[0] : "bench-data/bvlc_alexnet-full.npy"));
    System.out.println(p + " " + Files.size(p) + " bytes");
  }
}
