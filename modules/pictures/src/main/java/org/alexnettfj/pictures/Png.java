package org.alexnettfj.pictures;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** PNG files and bytes through {@code javax.imageio}. */
public final class Png {

  private Png() {
  }

  /** The image as PNG bytes. */
  public static byte[] encode(BufferedImage image) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    if (!ImageIO.write(image, "png", bytes)) {
      throw new IOException("no PNG writer in this JDK");
    }
    return bytes.toByteArray();
  }

  /** Writes the image to {@code out} through a temporary file beside it: an interrupted write leaves no half PNG. */
  public static void write(BufferedImage image, Path out) throws IOException {
    Html.write(out, encode(image));
  }
}
