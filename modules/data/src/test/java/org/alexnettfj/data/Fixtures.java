package org.alexnettfj.data;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.alexnettfj.weights.WeightArray;
import org.alexnettfj.weights.WeightReader;

/** Test resources, and the expected values that make_fixtures.py computed with real OpenCV. */
final class Fixtures {

  private static Map<String, WeightArray> resizeExpected;

  private Fixtures() {
  }

  static Path resource(String name) {
    URL url = Fixtures.class.getResource("/" + name);
    if (url == null) {
      throw new IllegalStateException("missing test resource " + name);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path image(String name) {
    return resource("images/" + name);
  }

  static Path decode(String name) {
    return resource("decode/" + name);
  }

  /**
   * What cv2.imread returned for decode/NAME (or for images/NAME), read from the 8-bit RGB PNG that cv2.imwrite
   * wrote. Read with ImageIO's raster directly, not with ImageDecoder, so the expectation does not pass through the
   * code under test.
   */
  static BgrImage openCvDecoded(String name) {
    try {
      BufferedImage png = ImageIO.read(resource("decode/expected/" + name + ".png").toFile());
      Raster r = png.getRaster();
      if (r.getNumBands() != 3 || r.getSampleModel().getSampleSize(0) != 8) {
        throw new IllegalStateException(name + ": expected PNG is not 8-bit RGB");
      }
      int w = r.getWidth();
      int h = r.getHeight();
      int[] rgb = r.getPixels(0, 0, w, h, (int[]) null);
      byte[] bgr = new byte[rgb.length];
      for (int i = 0; i < rgb.length; i += 3) {
        bgr[i] = (byte) rgb[i + 2];
        bgr[i + 1] = (byte) rgb[i + 1];
        bgr[i + 2] = (byte) rgb[i];
      }
      return new BgrImage(w, h, bgr);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An array of resize/expected.npz, shape (H, W, 3) float32. */
  static synchronized WeightArray resizeExpected(String name) {
    if (resizeExpected == null) {
      try {
        resizeExpected = WeightReader.read(resource("resize/expected.npz")).arrays();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    WeightArray a = resizeExpected.get(name);
    if (a == null) {
      throw new IllegalStateException("resize/expected.npz has no " + name + ": " + resizeExpected.keySet());
    }
    return a;
  }

  /** Largest |a[i] - b[i]|, and where, for assertion messages. */
  static String maxDifference(float[] a, float[] b) {
    double max = 0;
    int at = -1;
    int count = 0;
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      double d = Math.abs((double) a[i] - b[i]);
      if (d > 0) {
        count++;
      }
      if (d > max) {
        max = d;
        at = i;
      }
    }
    return "max |difference| " + max + (at >= 0 ? " at index " + at + " (" + a[at] + " vs " + b[at] + ")" : "")
        + ", " + count + " of " + a.length + " values differ";
  }

  /** Per-byte comparison of two images: a histogram of |difference| for messages. */
  static String byteDifference(BgrImage a, BgrImage b) {
    if (a.width() != b.width() || a.height() != b.height()) {
      return "sizes differ: " + a + " vs " + b;
    }
    int[] hist = new int[256];
    for (int i = 0; i < a.pixels().length; i++) {
      hist[Math.abs((a.pixels()[i] & 0xff) - (b.pixels()[i] & 0xff))]++;
    }
    StringBuilder sb = new StringBuilder("|difference| histogram:");
    for (int d = 0; d < 256; d++) {
      if (hist[d] > 0) {
        sb.append(' ').append(d).append(':').append(hist[d]);
      }
    }
    return sb.toString();
  }
}
