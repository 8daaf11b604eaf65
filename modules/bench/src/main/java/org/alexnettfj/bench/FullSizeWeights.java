package org.alexnettfj.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.alexnettfj.weights.AlexNetSpec;
import org.alexnettfj.weights.NpyWriter;
import org.alexnettfj.weights.WeightArray;

/**
 * A full-size file in the exact form of {@code bvlc_alexnet.npy} (Python-2 pickle, dict of lists, fc7 and fc8
 * Fortran-ordered), with seeded random values: the real file cannot be downloaded on the benchmark machines.
 * NpyWriterTest proves the writer's bytes equal Python 2 numpy's.
 */
public final class FullSizeWeights {

  private FullSizeWeights() {
  }

  /** Makes {@code path} if it is missing; returns it. */
  public static Path ensure(Path path) throws IOException {
    if (Files.isRegularFile(path)) {
      return path;
    }
    SplittableRandom rnd = new SplittableRandom(2012);
    Map<String, WeightArray> arrays = new LinkedHashMap<>();
    for (AlexNetSpec.Layer l : AlexNetSpec.layers(AlexNetSpec.IMAGENET_CLASSES)) {
      arrays.put(l.name() + "/weights", random(l.weightsShape(), rnd, 0.01));
      arrays.put(l.name() + "/biases", random(l.biasesShape(), rnd, 0.1));
    }
    NpyWriter.writeClassic(path, arrays, name -> name.startsWith("fc7/") || name.startsWith("fc8/"));
    return path;
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

  public static void main(String[] args) throws IOException {
    Path p = ensure(Path.of(args.length > 0 ? args[0] : "bench-data/bvlc_alexnet-full.npy"));
    System.out.println(p + " " + Files.size(p) + " bytes");
  }
}
