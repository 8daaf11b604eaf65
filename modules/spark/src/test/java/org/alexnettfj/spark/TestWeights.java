package org.alexnettfj.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.alexnettfj.weights.AlexNetSpec;
import org.alexnettfj.weights.NpyWriter;
import org.alexnettfj.weights.WeightArray;

/**
 * A full-size file in the exact form of {@code bvlc_alexnet.npy} (Python-2 pickle, fc7 and fc8 Fortran-ordered) with
 * seeded random values, as the CLI's tests make it: the real file cannot be downloaded here. Written once per test
 * JVM (244 MB), removed when it exits.
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
        SplittableRandom rnd = new SplittableRandom(5);
        Map<String, WeightArray> arrays = new LinkedHashMap<>();
        for (AlexNetSpec.Layer l : AlexNetSpec.layers(AlexNetSpec.IMAGENET_CLASSES)) {
          arrays.put(l.name() + "/weights", random(l.weightsShape(), rnd, 0.01));
          arrays.put(l.name() + "/biases", random(l.biasesShape(), rnd, 0.1));
        }
        // deleteOnExit runs in reverse order of registration: the directory first, the file after would leave it
        dir.toFile().deleteOnExit();
        f.toFile().deleteOnExit();
        NpyWriter.writeClassic(f, arrays, n -> n.startsWith("fc7/") || n.startsWith("fc8/"));
        file = f;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return file;
  }

  private static WeightArray random(int[] shape, SplittableRandom rnd, double scale) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
    }
    return WeightArray.of(shape, v);
  }
}
