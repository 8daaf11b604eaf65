package org.alexnettfj.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The EXIF orientation tag of a JPEG, and turning an image upright by it exactly as OpenCV's
 * {@code ApplyExifOrientation} does (flips and transposes, no resampling).
 *
 * <p>Values follow the EXIF/TIFF standard: 1 upright, 2 mirrored left-right, 3 rotated 180°, 4 mirrored
 * top-bottom, 5 transposed, 6 needs 90° clockwise, 7 transversed, 8 needs 90° counter-clockwise. A missing, corrupt
 * or out-of-range tag counts as 1, as in OpenCV.
 */
final class ExifOrientation {

  static final int UPRIGHT = 1;
  private static final int ORIENTATION_TAG = 0x0112;
  private static final int SOS = 0xda;
  private static final int EOI = 0xd9;

  private ExifOrientation() {
  }

  /** The orientation in the file's first Exif APP1 segment, or 1. Reads only the markers before the scan data. */
  static int read(Path jpeg) {
    try (InputStream raw = Files.newInputStream(jpeg)) {
      return read(raw);
    } catch (IOException e) {
      return UPRIGHT;
    }
  }

  /** As {@link #read(Path)}, from a stream at the start of the JPEG; does not close it. */
  static int read(InputStream raw) {
    try {
      DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 14));
      if (in.readUnsignedShort() != 0xffd8) {
        return UPRIGHT;
      }
      while (true) {
        int ff = in.readUnsignedByte();
        if (ff != 0xff) {
          return UPRIGHT;
        }
        int marker = in.readUnsignedByte();
        while (marker == 0xff) {
          marker = in.readUnsignedByte();
        }
        if (marker == SOS || marker == EOI) {
          return UPRIGHT;
        }
        if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
          continue;
        }
        int length = in.readUnsignedShort() - 2;
        if (length < 0) {
          return UPRIGHT;
        }
        if (marker == 0xe1 && length >= 14) {
          byte[] segment = in.readNBytes(length);
          if (segment.length == length && startsWithExif(segment)) {
            return fromTiff(ByteBuffer.wrap(segment, 6, segment.length - 6).slice());
          }
        } else {
          in.skipNBytes(length);
        }
      }
    } catch (EOFException e) {
      return UPRIGHT;
    } catch (IOException | RuntimeException e) {
      return UPRIGHT;
    }
  }

  private static boolean startsWithExif(byte[] s) {
    return s[0] == 'E' && s[1] == 'x' && s[2] == 'i' && s[3] == 'f' && s[4] == 0 && s[5] == 0;
  }

  /** IFD0's orientation entry in a TIFF structure (the Exif payload after {@code "Exif\0\0"}). */
  private static int fromTiff(ByteBuffer tiff) {
    if (tiff.remaining() < 8) {
      return UPRIGHT;
    }
    short order = tiff.getShort(0);
    if (order == 0x4949) {
      tiff.order(ByteOrder.LITTLE_ENDIAN);
    } else if (order == 0x4d4d) {
      tiff.order(ByteOrder.BIG_ENDIAN);
    } else {
      return UPRIGHT;
    }
    long ifd = tiff.getInt(4) & 0xffffffffL;
    if (ifd + 2 > tiff.limit()) {
      return UPRIGHT;
    }
    int entries = tiff.getShort((int) ifd) & 0xffff;
    for (int i = 0; i < entries; i++) {
      int at = (int) ifd + 2 + 12 * i;
      if (at + 12 > tiff.limit()) {
        return UPRIGHT;
      }
      if ((tiff.getShort(at) & 0xffff) == ORIENTATION_TAG) {
        int type = tiff.getShort(at + 2) & 0xffff;
        int value = type == 3 ? tiff.getShort(at + 8) & 0xffff : type == 4 ? tiff.getInt(at + 8) : 0;
        return value >= 1 && value <= 8 ? value : UPRIGHT;
      }
    }
    return UPRIGHT;
  }

  /** The image turned upright: output pixel (y, x) is the input pixel OpenCV's flips and transposes put there. */
  static BgrImage apply(BgrImage img, int orientation) {
    if (orientation < 2 || orientation > 8) {
      return img;
    }
    int w = img.width();
    int h = img.height();
    boolean transpose = orientation >= 5;
    int ow = transpose ? h : w;
    int oh = transpose ? w : h;
    byte[] src = img.pixels();
    byte[] out = new byte[src.length];
    for (int y = 0; y < oh; y++) {
      for (int x = 0; x < ow; x++) {
        int sx;
        int sy;
        switch (orientation) {
          case 2 -> { sy = y; sx = w - 1 - x; }                // flip horizontally
          case 3 -> { sy = h - 1 - y; sx = w - 1 - x; }        // flip both
          case 4 -> { sy = h - 1 - y; sx = x; }                // flip vertically
          case 5 -> { sy = x; sx = y; }                        // transpose
          case 6 -> { sy = h - 1 - x; sx = y; }                // transpose, then flip horizontally
          case 7 -> { sy = h - 1 - x; sx = w - 1 - y; }        // flip both, then transpose
          default -> { sy = x; sx = w - 1 - y; }               // 8: transpose, then flip vertically
        }
        System.arraycopy(src, (sy * w + sx) * 3, out, (y * ow + x) * 3, 3);
      }
    }
    return new BgrImage(ow, oh, out);
  }
}
