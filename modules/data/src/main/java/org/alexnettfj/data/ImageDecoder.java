package org.alexnettfj.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes JPEG, PNG, GIF and BMP files into {@link BgrImage}s with the same pixel values as
 * {@code cv2.imread(path)} (OpenCV 4.6, {@code IMREAD_COLOR}), which is what the Python AlexNet code feeds the
 * network. Every conversion is deliberate and matches OpenCV:
 *
 * <ul>
 *   <li><b>Grayscale</b> (and 1/2/4-bit palette-free gray) is copied into all three channels.
 *   <li><b>Alpha is ignored</b>, not composited: the stored colour under a transparent pixel is kept, as OpenCV's
 *       PNG decoder does when it strips the alpha channel.
 *   <li><b>16-bit</b> samples keep their high byte ({@code v >> 8}), as libpng's {@code png_set_strip_16}.
 *   <li><b>Palette</b> images (GIF, 8-bit PNG and BMP) are expanded through the palette; a GIF gives its first
 *       frame, at that frame's own size (not composited onto the GIF's logical screen).
 *   <li><b>CMYK and YCCK JPEGs</b> are converted with OpenCV's formula ({@code R = K - (255 - C) * K / 256}, on
 *       libjpeg's Adobe-inverted samples), ignoring any embedded ICC profile, as OpenCV does.
 *   <li><b>Embedded ICC profiles</b> of RGB and gray images are ignored: the stored samples are used as they are.
 *   <li><b>EXIF orientation</b> of a JPEG is applied (rotate/flip upright) unless switched off, as
 *       {@code cv2.imread} does without {@code IMREAD_IGNORE_ORIENTATION}.
 *   <li>A <b>truncated JPEG</b> is refused (OpenCV returns it with the missing part grey) unless
 *       {@link #allowTruncated()} is set; harmless warnings such as extraneous bytes are ignored.
 * </ul>
 *
 * <p>The JDK's own readers are used for every format, even when another ImageIO plugin (e.g. TwelveMonkeys, which
 * colour-manages CMYK with the ICC profile) is on the classpath, so results do not depend on the classpath. The
 * JDK's JPEG decoder is libjpeg 6b with the same integer IDCT and upsampling as the libjpeg-turbo under OpenCV:
 * the three sample images decode to identical bytes.
 *
 * <p>Before any pixel is decoded the header's dimensions are checked against {@link #maxPixels()}, so a
 * decompression bomb costs a few bytes of reading, not gigabytes of heap.
 *
 * <pre>{@code
 * BgrImage img = ImageDecoder.DEFAULT.decode(Path.of("llama.jpeg"));          // 500x336, BGR
 * ImageDecoder strict = ImageDecoder.DEFAULT.withMaxPixels(20_000_000);        // refuse > 20 megapixels
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param maxPixels largest {@code width * height} accepted, read from the header before decoding
 * @param applyExifOrientation turn JPEGs upright by their EXIF orientation tag, as {@code cv2.imread} does
 * @param allowTruncated accept a JPEG that ends early, the missing part grey, as {@code cv2.imread} does
 * @param jpeg another decoder for plain JPEGs ({@link #withJpegDecoder}), or {@code null}: the JDK's reader
 * @param jpegMinSide the smallest side a DCT-scaled decode through {@code jpeg} may leave
 */
public record ImageDecoder(long maxPixels, boolean applyExifOrientation, boolean allowTruncated, JpegDecoder jpeg,
    int jpegMinSide) {

  /** 100 megapixels: a 10000x10000 photo decodes (300 MB of samples); a forged 60000x60000 header does not. */
  public static final long DEFAULT_MAX_PIXELS = 100_000_000L;

  /** The defaults: 100 megapixels at most, EXIF orientation applied, truncated JPEGs refused. */
  public static final ImageDecoder DEFAULT = new ImageDecoder(DEFAULT_MAX_PIXELS, true, false, null, 0);

  /**
   * Checks the limits.
   *
   * @param maxPixels largest {@code width * height} accepted, positive
   * @param applyExifOrientation turn JPEGs upright by their EXIF orientation tag
   * @param allowTruncated accept a JPEG that ends early
   * @param jpeg another decoder for plain JPEGs, or {@code null}
   * @param jpegMinSide the smallest side a DCT-scaled decode may leave, not negative
   * @throws IllegalArgumentException if {@code maxPixels} is not positive or {@code jpegMinSide} is negative
   */
  public ImageDecoder {
    if (maxPixels <= 0) {
      throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
    }
    if (jpegMinSide < 0) {
      throw new IllegalArgumentException("jpegMinSide must be >= 0, got " + jpegMinSide);
    }
  }

  /**
   * A copy with another pixel limit.
   *
   * @param maxPixels largest {@code width * height} accepted, positive
   * @return the new decoder; this one is unchanged
   */
  public ImageDecoder withMaxPixels(long maxPixels) {
    return new ImageDecoder(maxPixels, applyExifOrientation, allowTruncated, jpeg, jpegMinSide);
  }

  /**
   * A copy that does or does not turn JPEGs upright by their EXIF orientation.
   *
   * @param apply true to turn them, as {@code cv2.imread} does; false for the stored pixels
   * @return the new decoder; this one is unchanged
   */
  public ImageDecoder withApplyExifOrientation(boolean apply) {
    return new ImageDecoder(maxPixels, apply, allowTruncated, jpeg, jpegMinSide);
  }

  /**
   * A copy that does or does not accept truncated JPEGs.
   *
   * @param allow true to decode them with the missing part grey, as {@code cv2.imread} does; false to refuse them
   * @return the new decoder; this one is unchanged
   */
  public ImageDecoder withAllowTruncated(boolean allow) {
    return new ImageDecoder(maxPixels, applyExifOrientation, allow, jpeg, jpegMinSide);
  }

  /**
   * A copy that hands JPEGs at least twice {@code minSide} on both sides to {@code jpeg}, to be decoded at 1/2, 1/4
   * or 1/8 of their size by DCT scaling — the smallest that leaves both sides at least {@code minSide}: a 4000 x
   * 3000 photo for a 256 resize is decoded at 500 x 375, much faster than in full (see BENCHMARKS.md), and with
   * less aliasing than resizing the full decode. For training, where that matters more than {@code cv2.imread}'s
   * exact bytes.
   * Pass the side the preprocessing resizes to ({@link PreprocessConfig#minDecodedSide()}), so the resize never
   * enlarges what was scaled down. Smaller JPEGs, other formats, CMYK and Adobe JPEGs are decoded by the JDK's
   * reader as before; the pixel limit and the EXIF orientation apply as before; a JPEG that {@code jpeg} cannot
   * decode goes to the JDK's reader, which then also gives the error. {@code null}: the JDK's reader for all.
   *
   * @param jpeg the DCT-scaling decoder, or {@code null}
   * @param minSide the smallest side a scaled decode may leave; positive when {@code jpeg} is given
   * @return the new decoder; this one is unchanged
   * @throws IllegalArgumentException if {@code jpeg} is given and {@code minSide} is below 1
   */
  public ImageDecoder withJpegDecoder(JpegDecoder jpeg, int minSide) {
    if (jpeg != null && minSide < 1) {
      throw new IllegalArgumentException("minSide must be positive, got " + minSide);
    }
    return new ImageDecoder(maxPixels, applyExifOrientation, allowTruncated, jpeg, jpeg == null ? 0 : minSide);
  }

  /**
   * Decodes the image at {@code path}.
   *
   * @param path a JPEG, PNG, GIF or BMP file; the format is found from its bytes
   * @return its pixels, BGR, as {@code cv2.imread} gives them
   * @throws ImageDecodeException if the file is missing, empty, not a JPEG/PNG/GIF/BMP, truncated, corrupt, has a
   *     pixel layout that cannot be mapped to BGR, or is larger than {@link #maxPixels()}
   */
  public BgrImage decode(Path path) throws ImageDecodeException {
    long size = fileSize(path);
    if (size == 0) {
      throw new ImageDecodeException(path, "empty file (0 bytes)");
    }
    if (jpeg != null) {
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(path);
      } catch (IOException e) {
        throw new ImageDecodeException(path, "cannot read: " + message(e), e);
      }
      Origin origin = new Origin(path.toString(), path, bytes);
      BgrImage scaled = decodeJpeg(bytes, origin);
      return scaled != null ? scaled
          : decode(new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes)), origin);
    }
    ImageInputStream in;
    try {
      in = ImageIO.createImageInputStream(path.toFile());
    } catch (IOException e) {
      throw new ImageDecodeException(path, "cannot open: " + e.getMessage(), e);
    }
    if (in == null) {
      throw new ImageDecodeException(path, "cannot open for reading");
    }
    return decode(in, new Origin(path.toString(), path, null));
  }

  /**
   * Decodes an image held in memory — an entry of a zip or tar archive, a download — exactly as
   * {@link #decode(Path)} decodes the same bytes in a file. {@code name} only labels errors (e.g.
   * {@code "train.zip!/cats/1.jpg"}); the format is found from the bytes, not the name.
   *
   * <pre>{@code
   * BgrImage img = ImageDecoder.DEFAULT.decode(bytes, "train.zip!/cats/1.jpg");
   * }</pre>
   *
   * @param bytes the whole image file
   * @param name what errors call it
   * @return its pixels, BGR, as {@code cv2.imread} gives them
   * @throws ImageDecodeException as {@link #decode(Path)}; its {@link ImageDecodeException#source()} is {@code name}
   */
  public BgrImage decode(byte[] bytes, String name) throws ImageDecodeException {
    if (bytes.length == 0) {
      throw new ImageDecodeException(name, "empty file (0 bytes)", null);
    }
    Origin origin = new Origin(name, null, bytes);
    BgrImage scaled = jpeg != null ? decodeJpeg(bytes, origin) : null;
    return scaled != null ? scaled : decode(new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes)), origin);
  }

  /**
   * Reads the stream to its end and decodes it as {@link #decode(byte[], String)}; does not close the stream.
   *
   * @param stream the image file's bytes, e.g. an archive entry
   * @param name what errors call it
   * @return its pixels, BGR, as {@code cv2.imread} gives them
   * @throws ImageDecodeException if the stream fails, or as {@link #decode(byte[], String)}
   */
  public BgrImage decode(InputStream stream, String name) throws ImageDecodeException {
    byte[] bytes;
    try {
      bytes = stream.readAllBytes();
    } catch (IOException e) {
      throw new ImageDecodeException(name, "cannot read: " + message(e), e);
    }
    return decode(bytes, name);
  }

  /**
   * An image already in memory, as {@code cv2.imread} would have given it from a file: BGR bytes, alpha ignored
   * (not composited), gray spread to three channels. No EXIF orientation: a {@code BufferedImage} has none.
   *
   * @param image the picture; it is copied, never kept
   * @param name what errors call it
   * @return its BGR samples
   * @throws ImageDecodeException if its pixel layout is not one a decoder gives (the message names it)
   */
  public static BgrImage fromBufferedImage(BufferedImage image, String name) throws ImageDecodeException {
    return toBgr(image, new Origin(name, null, null), "image", false);
  }

  /** Where the bytes come from: a file, or memory; errors name it, and EXIF and the first bytes are read from it. */
  private record Origin(String name, Path path, byte[] bytes) {
    ImageDecodeException error(String reason) {
      return error(reason, null);
    }

    ImageDecodeException error(String reason, Throwable cause) {
      return path != null ? new ImageDecodeException(path, reason, cause)
          : new ImageDecodeException(name, reason, cause);
    }

    String pngCrcProblem() throws IOException {
      try (InputStream in = bytes != null ? new ByteArrayInputStream(bytes)
          : new java.io.BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
        return PngChunks.badCrc(in);
      }
    }

    int exifOrientation() {
      return bytes == null ? ExifOrientation.read(path) : ExifOrientation.read(new ByteArrayInputStream(bytes));
    }

    String describeStart() {
      if (bytes != null) {
        return ImageDecoder.describeStart(Arrays.copyOf(bytes, Math.min(8, bytes.length)));
      }
      try (InputStream in = Files.newInputStream(path)) {
        return ImageDecoder.describeStart(in.readNBytes(8));
      } catch (IOException e) {
        return "unreadable bytes";
      }
    }
  }

  private BgrImage decode(ImageInputStream in, Origin origin) throws ImageDecodeException {
    ImageReader reader = null;
    try (in) {
      reader = pickReader(in);
      if (reader == null) {
        throw origin.error("not a JPEG, PNG, GIF or BMP image (the file starts with "
            + origin.describeStart() + ")");
      }
      String format = reader.getFormatName().toUpperCase(Locale.ROOT);
      if (format.equals("PNG")) {
        String bad = origin.pngCrcProblem();
        if (bad != null) {
          throw origin.error(bad);
        }
      }
      reader.setInput(in, true, true);
      int width;
      int height;
      try {
        width = reader.getWidth(0);
        height = reader.getHeight(0);
      } catch (IOException | RuntimeException e) {
        throw origin.error("corrupt " + format + " header: " + message(e), e);
      }
      if (width <= 0 || height <= 0) {
        throw origin.error(format + " header gives an empty size " + width + "x" + height);
      }
      checkPixels(width, height, origin);
      List<String> warnings = new ArrayList<>();
      reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
      BufferedImage image;
      try {
        image = reader.read(0);
      } catch (IOException | RuntimeException e) {
        throw origin.error("corrupt " + format + " data: " + message(e), e);
      }
      if (!allowTruncated && format.equals("JPEG")) {
        for (String w : warnings) {
          String lower = w.toLowerCase(Locale.ROOT);
          if (lower.contains("truncated") || lower.contains("premature end")) {
            throw origin.error("truncated or corrupt JPEG (" + String.join("; ", warnings)
                + "); cv2.imread would return it with the missing part grey — set allowTruncated to accept it");
          }
        }
      }
      BgrImage bgr = toBgr(image, origin, format, true);
      if (applyExifOrientation && format.equals("JPEG")) {
        bgr = ExifOrientation.apply(bgr, origin.exifOrientation());
      }
      return bgr;
    } catch (ImageDecodeException e) {
      throw e;
    } catch (IOException e) {
      throw origin.error("cannot read: " + message(e), e);
    } catch (LinkageError e) {
      // not this image's fault: the runtime cannot decode at all, so no image may be skipped as unreadable
      throw new IllegalStateException("this Java runtime cannot decode images (" + e
          + "); Debian's and Ubuntu's JDKs read JPEG through the system's libjpeg.so.62 (package libjpeg62-turbo)",
          e);
    } finally {
      if (reader != null) {
        reader.dispose();
      }
    }
  }

  private void checkPixels(int width, int height, Origin origin) throws ImageDecodeException {
    long pixels = (long) width * height;
    if (pixels > maxPixels) {
      throw origin.error(String.format(Locale.ROOT,
          "image is %dx%d = %.1f megapixels, more than the limit of %.1f (raise ImageDecoder.maxPixels to "
              + "decode it)", width, height, pixels / 1e6, maxPixels / 1e6));
    }
  }

  /** A large plain JPEG through {@link #jpeg()}, DCT-scaled as far as {@link #jpegMinSide()} allows; else null. */
  private BgrImage decodeJpeg(byte[] bytes, Origin origin) throws ImageDecodeException {
    JpegHeader header = JpegHeader.read(bytes);
    if (header == null || !endsWithEoi(bytes)) {
      return null;   // the JDK's reader decides: it refuses a truncated JPEG or, if allowed, fills it grey
    }
    checkPixels(header.width(), header.height(), origin);
    int scale = dctScale(header.width(), header.height(), jpegMinSide);
    if (scale == 1) {
      return null;   // at full size the JDK's reader is as fast (BENCHMARKS.md) and exact
    }
    BgrImage image;
    try {
      image = jpeg.decode(bytes, scale);
    } catch (RuntimeException e) {
      return null;   // the JDK's reader decodes it, or says what is wrong with it
    }
    if (image == null) {
      return null;
    }
    return applyExifOrientation ? ExifOrientation.apply(image, origin.exifOrientation()) : image;
  }

  /** Whether an end-of-image marker is among the last 4 KiB (trailing bytes after it are common). */
  private static boolean endsWithEoi(byte[] b) {
    for (int i = b.length - 2; i >= Math.max(2, b.length - 4096); i--) {
      if (b[i] == (byte) 0xff && b[i + 1] == (byte) 0xd9) {
        return true;
      }
    }
    return false;
  }

  /** The largest of 8, 4, 2 that leaves both sides (rounded up, as libjpeg does) at least {@code minSide}, else 1. */
  static int dctScale(int width, int height, int minSide) {
    for (int scale = 8; scale > 1; scale /= 2) {
      if ((width + scale - 1) / scale >= minSide && (height + scale - 1) / scale >= minSide) {
        return scale;
      }
    }
    return 1;
  }

  private static long fileSize(Path path) throws ImageDecodeException {
    if (!Files.exists(path)) {
      throw new ImageDecodeException(path, "no such file");
    }
    if (!Files.isRegularFile(path)) {
      throw new ImageDecodeException(path, "not a regular file");
    }
    try {
      return Files.size(path);
    } catch (IOException e) {
      throw new ImageDecodeException(path, "cannot read: " + message(e), e);
    }
  }

  /** The JDK's reader for the stream's format; another plugin only where the JDK has none. */
  private static ImageReader pickReader(ImageInputStream in) {
    ImageReader fallback = null;
    for (Iterator<ImageReader> it = ImageIO.getImageReaders(in); it.hasNext(); ) {
      ImageReader r = it.next();
      if (r.getClass().getName().startsWith("com.sun.imageio.")) {
        if (fallback != null) {
          fallback.dispose();
        }
        return r;
      }
      if (fallback == null) {
        fallback = r;
      } else {
        r.dispose();
      }
    }
    return fallback;
  }

  // ---- from whatever ImageIO produced to cv2.imread's BGR bytes ----

  /** {@code owned}: the image is the decoder's own, so its byte array may become the result's. */
  private static BgrImage toBgr(BufferedImage image, Origin origin, String format, boolean owned)
      throws ImageDecodeException {
    int w = image.getWidth();
    int h = image.getHeight();
    Raster raster = image.getRaster();
    ColorModel cm = image.getColorModel();
    int bands = raster.getNumBands();
    if (image.getType() == BufferedImage.TYPE_3BYTE_BGR && raster.getDataBuffer() instanceof DataBufferByte data
        && data.getNumBanks() == 1 && data.getOffset() == 0 && data.getData().length == w * h * 3
        && raster.getSampleModelTranslateX() == 0 && raster.getSampleModelTranslateY() == 0
        && raster.getSampleModel() instanceof PixelInterleavedSampleModel sm && sm.getPixelStride() == 3
        && sm.getScanlineStride() == w * 3 && Arrays.equals(sm.getBandOffsets(), new int[] {2, 1, 0})) {
      // What the JDK's JPEG reader gives for colour JPEGs: its bytes are already B, G, R, row by row. The image is
      // ours alone, so its array is taken as is (the copy below costs about a sixth of a decode).
      return new BgrImage(w, h, owned ? data.getData() : data.getData().clone());
    }
    byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
    int[] row = new int[w * bands];
    if (cm instanceof IndexColorModel icm) {
      for (int y = 0; y < h; y++) {
        raster.getSamples(0, y, w, 1, 0, row);
        for (int x = 0, o = y * w * 3; x < w; x++, o += 3) {
          int i = row[x];
          out[o] = (byte) icm.getBlue(i);
          out[o + 1] = (byte) icm.getGreen(i);
          out[o + 2] = (byte) icm.getRed(i);
        }
      }
      return new BgrImage(w, h, out);
    }
    if (cm instanceof DirectColorModel) {
      // Packed-int layouts (BMP with bit masks). The colour model scales each field to 0..255.
      for (int y = 0; y < h; y++) {
        for (int x = 0, o = y * w * 3; x < w; x++, o += 3) {
          int argb = image.getRGB(x, y);
          out[o] = (byte) argb;
          out[o + 1] = (byte) (argb >> 8);
          out[o + 2] = (byte) (argb >> 16);
        }
      }
      return new BgrImage(w, h, out);
    }
    int shift = switch (raster.getTransferType()) {
      case DataBuffer.TYPE_BYTE -> 0;
      case DataBuffer.TYPE_USHORT -> 8;
      default -> throw origin.error("unsupported " + format + " sample type "
          + raster.getTransferType() + " (expected 8 or 16 bits per sample)");
    };
    int colorBands = cm.getNumColorComponents();
    int spaceType = cm.getColorSpace().getType();
    if (colorBands == 1 && (bands == 1 || bands == 2)) {
      // Gray, or gray + alpha: alpha ignored.
      for (int y = 0; y < h; y++) {
        raster.getPixels(0, y, w, 1, row);
        for (int x = 0, o = y * w * 3; x < w; x++, o += 3) {
          byte v = (byte) (row[x * bands] >> shift);
          out[o] = v;
          out[o + 1] = v;
          out[o + 2] = v;
        }
      }
    } else if (colorBands == 3 && spaceType == ColorSpace.TYPE_RGB && (bands == 3 || bands == 4)) {
      // RGB, or RGBA: alpha ignored, not composited. Bands are in R, G, B order whatever the storage order.
      for (int y = 0; y < h; y++) {
        raster.getPixels(0, y, w, 1, row);
        for (int x = 0, o = y * w * 3, i = 0; x < w; x++, o += 3, i += bands) {
          out[o] = (byte) (row[i + 2] >> shift);
          out[o + 1] = (byte) (row[i + 1] >> shift);
          out[o + 2] = (byte) (row[i] >> shift);
        }
      }
    } else if (colorBands == 4 && spaceType == ColorSpace.TYPE_CMYK && bands == 4 && shift == 0) {
      // The JDK hands out CMYK with ink as 255; libjpeg (and so OpenCV) keeps Adobe's inverted convention.
      // OpenCV's icvCvt_CMYK2BGR_8u_C4C3R on those inverted samples, in its integer arithmetic.
      for (int y = 0; y < h; y++) {
        raster.getPixels(0, y, w, 1, row);
        for (int x = 0, o = y * w * 3, i = 0; x < w; x++, o += 3, i += 4) {
          int c = 255 - row[i];
          int m = 255 - row[i + 1];
          int ye = 255 - row[i + 2];
          int k = 255 - row[i + 3];
          out[o] = (byte) (k - ((255 - ye) * k >> 8));
          out[o + 1] = (byte) (k - ((255 - m) * k >> 8));
          out[o + 2] = (byte) (k - ((255 - c) * k >> 8));
        }
      }
    } else {
      throw origin.error("unsupported " + format + " pixel layout: " + bands + " bands, "
          + colorBands + " colour components, colour space type " + spaceType);
    }
    return new BgrImage(w, h, out);
  }

  // ---- messages ----

  private static String message(Throwable e) {
    StringBuilder sb = new StringBuilder();
    int depth = 0;
    for (Throwable t = e; t != null && depth < 8; t = t.getCause(), depth++) {
      String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
      if (sb.indexOf(m) < 0) {
        sb.append(sb.length() == 0 ? "" : ": ").append(m);
      }
    }
    return sb.toString();
  }

  /** The first bytes in hex, and as text when they are printable (a mislabelled HTML or text file). */
  private static String describeStart(byte[] head) {
    StringBuilder hex = new StringBuilder();
    StringBuilder text = new StringBuilder();
    boolean printable = true;
    for (byte b : head) {
      hex.append(String.format("%02x ", b));
      printable &= b >= 0x20 && b < 0x7f;
      text.append((char) b);
    }
    return hex.toString().trim() + (printable ? ", text \"" + text + "\"" : "");
  }
}
