package org.alexnettfj.data;

/**
 * A JPEG decoder with DCT scaling for {@link ImageDecoder#withJpegDecoder}: the train module's
 * {@code TfJpegDecoder} runs TensorFlow's libjpeg-turbo, which decodes at 1/2, 1/4 or 1/8 of the size for a
 * fraction of a full decode's cost — for photos much larger than the network's input.
 *
 * <p>{@link ImageDecoder} hands it only baseline or progressive Huffman-coded JPEGs with 1 or 3 components (no
 * CMYK, no Adobe colour transform) within its pixel limit and large enough to scale, and applies the EXIF
 * orientation itself.
 * Implementations must be safe to call from several threads at once.
 */
@FunctionalInterface
public interface JpegDecoder {

  /**
   * The JPEG's pixels in BGR order at {@code 1/scale} of its size (each side rounded up, as libjpeg scales).
   *
   * @param jpeg the whole JPEG file
   * @param scale 1, 2, 4 or 8
   * @return the decoded image, not yet turned by its EXIF orientation
   * @throws RuntimeException when it cannot decode these bytes; {@link ImageDecoder} then decodes them itself,
   *     and so gives its own error for a corrupt or truncated file
   */
  BgrImage decode(byte[] jpeg, int scale);
}
