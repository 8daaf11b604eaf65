package org.alexnettfj.graph;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.tensorflow.TensorFlow;

/**
 * Checks once that TensorFlow's native library loads. The library modules leave the native jar to their user (one
 * per platform), so a missing one is the first thing a new user meets: say which dependency to add, not
 * JavaCPP's "no jnitensorflow in java.library.path".
 */
final class NativeLibrary {

  private static volatile boolean loaded;

  private NativeLibrary() { }

  static void require() {
    if (loaded) {
      return;
    }
    try {
      TensorFlow.version();
      loaded = true;
    } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
      throw new IllegalStateException("TensorFlow's native library did not load (" + e
          + "): add org.tensorflow:tensorflow-core-native:" + tensorFlowJava() + " with the classifier of "
          + "your platform to your dependencies: linux-x86_64, linux-x86_64-gpu (CUDA), linux-arm64, macosx-arm64 "
          + "or windows-x86_64 (docs/library.md)", e);
    }
  }

  /** The release of the TensorFlow Java API on the class path: the native jar must be the same one. */
  static String tensorFlowJava() {
    try (InputStream in = TensorFlow.class.getResourceAsStream(
        "/META-INF/maven/org.tensorflow/tensorflow-core-api/pom.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "(tensorflow-core-api's version)");
    } catch (IOException e) {
      return "(tensorflow-core-api's version)";
    }
  }
}
