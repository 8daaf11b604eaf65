package org.alexnettfj.pictures;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.alexnettfj.data.BgrImage;
import org.alexnettfj.data.ImageDecodeException;
import org.alexnettfj.data.ImageDecoder;

/**
 * Small JPEG copies of images, embedded in a page as {@code data:} URIs so that it opens anywhere without the
 * originals. Images are decoded as the model decodes them ({@link ImageDecoder}, EXIF orientation applied) and
 * shrunk to fit {@code maxSide}; smaller images are kept as they are and enlarged by the page.
 */
public final class Thumbnails {

  /** Reads an image's bytes by the name a page shows: a file path, or an entry in an archive. */
  @FunctionalInterface
  public interface ImageSource {
    byte[] read(String name) throws IOException;

    /** Names are file paths. */
    ImageSource FILES = name -> Files.readAllBytes(Path.of(name));
  }

  private Thumbnails() {
  }

  /** A {@code data:image/jpeg;base64,...} URI of the image, at most {@code maxSide} pixels a side. */
  public static String dataUri(byte[] imageBytes, String name, int maxSide) throws IOException {
    BgrImage bgr;
    try {
      bgr = ImageDecoder.DEFAULT.decode(imageBytes, name);
    } catch (ImageDecodeException e) {
      throw new IOException(e.getMessage(), e);
    }
    BufferedImage image = toRgb(bgr);
    double f = Math.min(1.0, (double) maxSide / Math.max(image.getWidth(), image.getHeight()));
    int w = Math.max(1, (int) Math.round(image.getWidth() * f));
    int h = Math.max(1, (int) Math.round(image.getHeight() * f));
    // halve while more than twice too big: one bilinear step from far larger skips pixels
    while (image.getWidth() > 2 * w && image.getHeight() > 2 * h) {
      image = scaled(image, image.getWidth() / 2, image.getHeight() / 2);
    }
    if (image.getWidth() != w || image.getHeight() != h) {
      image = scaled(image, w, h);
    }
    return "data:image/jpeg;base64," + Base64.getEncoder().encodeToString(jpeg(image, 0.85f));
  }

  static BufferedImage toRgb(BgrImage bgr) {
    BufferedImage image = new BufferedImage(bgr.width(), bgr.height(), BufferedImage.TYPE_INT_RGB);
    byte[] p = bgr.pixels();
    int[] row = new int[bgr.width()];
    for (int y = 0; y < bgr.height(); y++) {
      for (int x = 0; x < bgr.width(); x++) {
        int i = (y * bgr.width() + x) * 3;
        row[x] = ((p[i + 2] & 0xff) << 16) | ((p[i + 1] & 0xff) << 8) | (p[i] & 0xff);
      }
      image.setRGB(0, y, bgr.width(), 1, row, 0, bgr.width());
    }
    return image;
  }

  private static BufferedImage scaled(BufferedImage src, int w, int h) {
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(src, 0, 0, w, h, null);
    g.dispose();
    return out;
  }

  private static byte[] jpeg(BufferedImage image, float quality) throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(stream);
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(quality);
      writer.write(null, new IIOImage(image, null, null), param);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  /** A figure: the thumbnail (or what went wrong reading it) and caption lines, escaped here. */
  static String figure(ImageSource source, String name, int maxSide, String cssClass, String... caption) {
    StringBuilder b = new StringBuilder("<figure").append(cssClass == null ? "" : " class=\"" + cssClass + "\"")
        .append(" title=\"").append(Html.escape(name)).append("\">");
    try {
      b.append("<img alt=\"").append(Html.escape(name)).append("\" src=\"")
          .append(dataUri(source.read(name), name, maxSide)).append("\">");
    } catch (IOException | RuntimeException e) {
      b.append("<div class=\"missing\">").append(Html.escape("unreadable: " + e.getMessage())).append("</div>");
    }
    for (String line : caption) {
      b.append("<div>").append(Html.escape(line)).append("</div>");
    }
    return b.append("</figure>\n").toString();
  }
}
