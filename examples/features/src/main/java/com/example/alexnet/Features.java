package com.example.alexnet;

import java.nio.file.Path;
import java.util.Locale;
import org.alexnettfj.graph.AlexNet;
import org.alexnettfj.graph.Prediction;

/**
 * fc7 features of each image as a {@code float[]}, and its most probable class.
 *
 * <pre>
 * mvn -q compile exec:java -Dexec.args="weights/bvlc_alexnet.npy photo.jpg other.png"
 * </pre>
 */
public final class Features {

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: Features WEIGHTS IMAGE...");
      System.exit(2);
    }
    // load once, share between threads, close at the end: the model's memory is native, not the Java heap's
    try (AlexNet net = AlexNet.load(Path.of(args[0]))) {
      for (int i = 1; i < args.length; i++) {
        Path image = Path.of(args[i]);
        float[] fc7 = net.features(image, "fc7");
        Prediction best = net.predict(image, 1);
        double norm = 0;
        for (float v : fc7) {
          norm += v * v;
        }
        System.out.printf(Locale.ROOT, "%s: fc7 has %d values, L2 norm %.4f; top class %s (%.4f)%n", image,
            fc7.length, Math.sqrt(norm), best.top().get(0).label(), best.top().get(0).probability());
      }
    }
  }
}
