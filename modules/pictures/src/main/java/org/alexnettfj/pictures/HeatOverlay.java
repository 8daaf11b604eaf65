package org.alexnettfj.pictures;

import java.awt.image.BufferedImage;
import org.alexnettfj.data.BgrImage;

/**
 * A coarse map (Grad-CAM's 13 x 13 for conv5) drawn over the image it was computed for: enlarged bilinearly to
 * the image's size, coloured blue (0) to red (1) and blended half and half with the photo.
 */
public final class HeatOverlay {

  private HeatOverlay() {
  }

  /**
   * The image with {@code map} ({@code mapHeight * mapWidth} values in [0, 1], row by row, covering the whole
   * image) over it, at most {@code maxSide} pixels a side.
   */
  public static BufferedImage render(BgrImage image, float[] map, int mapHeight, int mapWidth, int maxSide) {
    BufferedImage photo = Thumbnails.toRgb(image);
    double f = Math.min(1.0, (double) maxSide / Math.max(photo.getWidth(), photo.getHeight()));
    int w = Math.max(1, (int) Math.round(photo.getWidth() * f));
    int h = Math.max(1, (int) Math.round(photo.getHeight() * f));
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D g = out.createGraphics();
    g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION,
        java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(photo, 0, 0, w, h, null);
    g.dispose();
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double v = sample(map, mapHeight, mapWidth, (y + 0.5) / h * mapHeight - 0.5, (x + 0.5) / w * mapWidth - 0.5);
        int heat = colour(v);
        int p = out.getRGB(x, y);
        out.setRGB(x, y, blend(p, heat));
      }
    }
    return out;
  }

  /** Bilinear sample of the map at fractional (row, column), clamped to its edges. */
  static double sample(float[] map, int h, int w, double r, double c) {
    r = Math.max(0, Math.min(h - 1, r));
    c = Math.max(0, Math.min(w - 1, c));
    int r0 = (int) Math.floor(r);
    int c0 = (int) Math.floor(c);
    int r1 = Math.min(h - 1, r0 + 1);
    int c1 = Math.min(w - 1, c0 + 1);
    double fr = r - r0;
    double fc = c - c0;
    double top = map[r0 * w + c0] * (1 - fc) + map[r0 * w + c1] * fc;
    double bottom = map[r1 * w + c0] * (1 - fc) + map[r1 * w + c1] * fc;
    return top * (1 - fr) + bottom * fr;
  }

  /** Blue through green and yellow to red ("jet"), as 0xRRGGBB. */
  static int colour(double v) {
    v = Math.max(0, Math.min(1, v));
    double r = Math.max(0, Math.min(1, 1.5 - Math.abs(4 * v - 3)));
    double g = Math.max(0, Math.min(1, 1.5 - Math.abs(4 * v - 2)));
    double b = Math.max(0, Math.min(1, 1.5 - Math.abs(4 * v - 1)));
    return ((int) Math.round(255 * r) << 16) | ((int) Math.round(255 * g) << 8) | (int) Math.round(255 * b);
  }

  private static int blend(int a, int b) {
    int r = (((a >> 16) & 0xff) + ((b >> 16) & 0xff)) / 2;
    int g = (((a >> 8) & 0xff) + ((b >> 8) & 0xff)) / 2;
    int bl = ((a & 0xff) + (b & 0xff)) / 2;
    return (r << 16) | (g << 8) | bl;
  }
}
