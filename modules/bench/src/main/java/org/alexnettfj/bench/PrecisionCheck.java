package org.alexnettfj.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.alexnettfj.data.ImageDecodeException;
import org.alexnettfj.graph.AlexNetPredictor;
import org.alexnettfj.graph.Precision;

/**
 * {@code tools/bench precision [--weights FILE] [IMAGE...]}: what {@code --precision bf16} costs in answers. Runs
 * each photo through an fp32 and a bf16 predictor of the same weights and reports top-1 agreement (the same
 * class first), top-5 agreement (the same five classes), and fc7's largest difference relative to its largest
 * value. Default images: the sample photos and every JPEG/PNG among the data module's test images; default
 * weights: {@code weights/bvlc_alexnet.npy} if present, else the random full-size file the suite uses (whose
 * near-uniform probabilities make the agreement a harsh test, not ImageNet's).
 */
public final class PrecisionCheck {

  public static void main(String[] argv) throws Exception {
    Path weights = null;
    List<Path> images = new ArrayList<>();
    for (int i = 0; i < argv.length; i++) {
      if (argv[i].equals("--weights") && i + 1 < argv.length) {
        weights = Path.of(argv[++i]);
      } else {
        images.add(Path.of(argv[i]));
      }
    }
    if (weights == null) {
      Path real = Path.of("weights/bvlc_alexnet.npy");
      weights = Files.isRegularFile(real) ? real : FullSizeWeights.ensure(Path.of("bench-data/bvlc_alexnet-full.npy"));
    }
    if (images.isEmpty()) {
      try (Stream<Path> files = Files.walk(Path.of("modules/data/src/test/resources"))) {
        images = files.filter(p -> p.toString().toLowerCase(Locale.ROOT).matches(".*\\.(jpe?g|png)")).sorted()
            .toList();
      }
    }
    List<Path> readable = new ArrayList<>();
    List<float[]> fp32Prob = new ArrayList<>();
    List<float[]> fp32Fc7 = new ArrayList<>();
    try (AlexNetPredictor fp32 = AlexNetPredictor.builder().setWeightsFile(weights).build()) {
      for (Path image : images) {
        try {
          fp32Prob.add(fp32.features(List.of(image), "prob")[0]);
          fp32Fc7.add(fp32.features(List.of(image), "fc7")[0]);
          readable.add(image);
        } catch (ImageDecodeException e) {
          System.err.println("precision: skipped (not decodable): " + image);
        }
      }
    }
    int top1 = 0;
    int top5 = 0;
    double worst = 0;
    try (AlexNetPredictor bf16 = AlexNetPredictor.builder().setWeightsFile(weights).optPrecision(Precision.BF16)
        .build()) {
      for (int i = 0; i < readable.size(); i++) {
        float[] prob = bf16.features(List.of(readable.get(i)), "prob")[0];
        float[] fc7 = bf16.features(List.of(readable.get(i)), "fc7")[0];
        int[] a = top(fp32Prob.get(i), 5);
        int[] b = top(prob, 5);
        top1 += a[0] == b[0] ? 1 : 0;
        top5 += Arrays.equals(sorted(a), sorted(b)) ? 1 : 0;
        double scale = 0;
        double diff = 0;
        for (int j = 0; j < fc7.length; j++) {
          scale = Math.max(scale, Math.abs(fp32Fc7.get(i)[j]));
          diff = Math.max(diff, Math.abs(fc7[j] - fp32Fc7.get(i)[j]));
        }
        worst = Math.max(worst, scale > 0 ? diff / scale : 0);
      }
    }
    int n = readable.size();
    System.out.printf(Locale.ROOT, "precision: %s, %d images: bf16 vs fp32 top-1 agreement %d/%d (%.1f%%), top-5 "
        + "agreement %d/%d (%.1f%%), fc7 largest difference %.4f of its largest value%n", weights, n, top1, n,
        100.0 * top1 / n, top5, n, 100.0 * top5 / n, worst);
  }

  static int[] top(float[] p, int k) {
    Integer[] idx = new Integer[p.length];
    for (int i = 0; i < p.length; i++) {
      idx[i] = i;
    }
    Arrays.sort(idx, (x, y) -> Float.compare(p[y], p[x]));
    int[] out = new int[k];
    for (int i = 0; i < k; i++) {
      out[i] = idx[i];
    }
    return out;
  }

  private static int[] sorted(int[] a) {
    int[] s = a.clone();
    Arrays.sort(s);
    return s;
  }

  private PrecisionCheck() {
  }
}
