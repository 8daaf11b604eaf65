package org.alexnettfj.testfixtures;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Caffe's ImageNet mean image, {@code caffe-ilsvrc_2012_mean.npy}: BVLC/caffe
 * {@code python/caffe/imagenet/ilsvrc_2012_mean.npy} (BSD-2-Clause), plain npy v1.0, {@code <f8}, shape
 * (3, 256, 256), BGR. Committed once, in weights' {@code src/test/resources/fixtures/real/} (its origin and checksum
 * in ORIGIN.md there); this module's jar carries it.
 */
public final class CaffeMean {

  /** The file's name, kept wherever it is: Spark ships files to its executors by name. */
  public static final String FILE_NAME = "caffe-ilsvrc_2012_mean.npy";

  private static Path file;

  private CaffeMean() {
  }

  /**
   * The mean image as a file: the resource itself where the class path has it as a file (the reactor's
   * {@code target/classes}), else a copy of the same name in a temporary folder, removed when the JVM exits.
   *
   * @return the file
   */
  public static synchronized Path file() {
    if (file == null) {
      URL url = CaffeMean.class.getResource(FILE_NAME);
      if (url == null) {
        throw new IllegalStateException("no " + FILE_NAME + " beside " + CaffeMean.class.getName());
      }
      try {
        if (url.getProtocol().equals("file")) {
          file = Path.of(url.toURI());
        } else {
          Path dir = Files.createTempDirectory("alexnet-caffe-mean");
          Path copy = dir.resolve(FILE_NAME);
          // deleteOnExit runs in reverse order of registration: the directory first would leave it
          dir.toFile().deleteOnExit();
          copy.toFile().deleteOnExit();
          try (InputStream in = url.openStream()) {
            Files.copy(in, copy);
          }
          file = copy;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (URISyntaxException e) {
        throw new IllegalStateException(e);
      }
    }
    return file;
  }
}
