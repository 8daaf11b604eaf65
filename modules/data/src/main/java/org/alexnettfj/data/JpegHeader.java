package org.alexnettfj.data;

/**
 * The frame header of a JPEG that any libjpeg decodes to the same samples: baseline, extended or progressive
 * Huffman coding (SOF0-SOF2), 1 or 3 components, no Adobe (APP14) segment, whose colour transform the JDK and
 * libjpeg-turbo may read differently. Anything else is left to the JDK's reader.
 */
record JpegHeader(int width, int height, int components) {

  private static final int SOS = 0xda;
  private static final int EOI = 0xd9;
  private static final int APP14 = 0xee;

  /** The header of a JPEG {@link JpegDecoder} may decode, or {@code null}. Reads the markers up to the first scan. */
  static JpegHeader read(byte[] b) {
    if (b.length < 4 || (b[0] & 0xff) != 0xff || (b[1] & 0xff) != 0xd8) {
      return null;
    }
    JpegHeader frame = null;
    int at = 2;
    while (at + 4 <= b.length) {
      if ((b[at] & 0xff) != 0xff) {
        return null;
      }
      int marker = b[at + 1] & 0xff;
      if (marker == 0xff) {
        at++;   // fill byte
        continue;
      }
      if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        at += 2;
        continue;
      }
      if (marker == SOS) {
        return frame;
      }
      if (marker == EOI || marker == APP14) {
        return null;   // no scan, or an Adobe segment
      }
      int length = ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
      if (length < 2 || at + 2 + length > b.length) {
        return null;
      }
      if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc) {
        if (marker > 0xc2 || length < 8) {
          return null;   // lossless, hierarchical or arithmetic-coded: the JDK's reader decides
        }
        int height = ((b[at + 5] & 0xff) << 8) | (b[at + 6] & 0xff);
        int width = ((b[at + 7] & 0xff) << 8) | (b[at + 8] & 0xff);
        int components = b[at + 9] & 0xff;
        if (frame != null || width == 0 || height == 0 || (components != 1 && components != 3)) {
          return null;
        }
        frame = new JpegHeader(width, height, components);
      }
      at += 2 + length;
    }
    return null;
  }
}
