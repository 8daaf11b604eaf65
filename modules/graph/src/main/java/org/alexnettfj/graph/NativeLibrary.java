package org.alexnettfj.graph;

import org.tensorflow.TensorFlow;

/**
 * Checks once that TensorFlow's native library loads. The library modules leave the native jar to their user (one
 * per platform), so a missing one is the first thing a new user meets: say which dependency to add, not
 * JavaCPP's "no jnitensorflow in java.library.path".
 */
final class NativeLibrary {

  /** The TensorFlow Java release the modules are built against (the parent pom and the BOM pin the same). */
  static final String TENSORFLOW_JAVA = "1.1.0";

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
          + "): add org.tensorflow:tensorflow-core-native:" + TENSORFLOW_JAVA + " with the classifier of "
          + "your platform to your dependencies: linux-x86_64, linux-x86_64-gpu (CUDA), linux-arm64, macosx-arm64 "
          + "or windows-x86_64 (docs/library.md)", e);
    }
  }
}
