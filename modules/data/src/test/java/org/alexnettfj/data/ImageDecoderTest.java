package org.alexnettfj.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageDecoderTest {

  private static final ImageDecoder DECODER = ImageDecoder.DEFAULT;

  @TempDir
  Path temp;

  @ParameterizedTest
  @ValueSource(strings = {"llama.jpeg", "sealion.jpeg", "zebra.jpeg"})
  void decodesTheSampleJpegsToExactlyTheBytesOfCv2Imread(String name) throws IOException {
    BgrImage java = DECODER.decode(Fixtures.image(name));
    BgrImage openCv = Fixtures.openCvDecoded(name);
    // Measured: 0 of 504000 / 562500 / 562500 samples differ. The JDK's libjpeg 6b and OpenCV's libjpeg-turbo
    // share the integer IDCT and the "fancy" chroma upsampling, so baseline 4:2:0 JPEGs decode identically.
    assertThat(java)
        .as("JDK JPEG decoding vs OpenCV's libjpeg-turbo for %s: %s", name, Fixtures.byteDifference(java, openCv))
        .isEqualTo(openCv);
  }

  @ParameterizedTest
  @ValueSource(strings = {"small.png", "small.jpg", "small.bmp", "gray.jpg", "gray.png", "bilevel.png",
      "alpha.png", "gray-alpha.png", "palette-trns.png", "rgb16.png", "gray16.png", "palette8.bmp", "cmyk.jpg",
      "cmyk-icc.jpg"})
  void decodesEachFormatAndPixelLayoutAsOpenCvDoes(String name) throws IOException {
    BgrImage java = DECODER.decode(Fixtures.decode(name));
    BgrImage openCv = Fixtures.openCvDecoded(name);
    assertThat(java).as("%s vs cv2.imread: %s", name, Fixtures.byteDifference(java, openCv)).isEqualTo(openCv);
  }

  @Test
  void aRuntimeThatCannotLoadAReaderFailsClearlyRatherThanCallingTheImageUnreadable() throws Exception {
    try (AutoCloseable plugin = UnloadableReaderSpi.register()) {
      assertThatThrownBy(() -> DECODER.decode(UnloadableReaderSpi.BYTES, "x.fakeimg"))
          .as("not an ImageDecodeException, which would have the image skipped as unreadable")
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("this Java runtime cannot decode images")
          .hasMessageContaining("Could not initialize class")
          .hasMessageContaining("libjpeg62-turbo")
          .hasCauseInstanceOf(NoClassDefFoundError.class);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"small.gif", "animated.gif"})
  void decodesTheFirstFrameOfAGifAsImageMagickDoes(String name) throws IOException {
    BgrImage java = DECODER.decode(Fixtures.decode(name));
    BgrImage magick = Fixtures.openCvDecoded(name);
    assertThat(java).as("%s frame 0 vs ImageMagick: %s", name, Fixtures.byteDifference(java, magick))
        .isEqualTo(magick);
  }

  @ParameterizedTest
  @ValueSource(strings = {"small.png", "small.gif", "palette8.bmp", "cmyk.jpg", "orientation-6.jpg", "gray16.png"})
  void decodesBytesInMemoryExactlyAsTheSameFile(String name) throws IOException {
    Path file = Fixtures.decode(name);
    assertThat(DECODER.decode(Files.readAllBytes(file), "archive.zip!/" + name))
        .as("bytes of %s decode as the file does, EXIF orientation included", name)
        .isEqualTo(DECODER.decode(file));
  }

  @ParameterizedTest
  @ValueSource(strings = {"empty.jpg", "text.jpg", "truncated.jpg"})
  void namesTheSourceOfBadBytesInMemory(String name) throws IOException {
    byte[] bytes = Files.readAllBytes(Fixtures.decode(name));
    assertThatThrownBy(() -> DECODER.decode(bytes, "train.zip!/cats/" + name))
        .isInstanceOfSatisfying(ImageDecodeException.class, e -> {
          assertThat(e.source()).isEqualTo("train.zip!/cats/" + name);
          assertThat(e.path()).as("no file behind bytes in memory").isNull();
          assertThat(e.getMessage()).startsWith("train.zip!/cats/" + name + ": ");
        });
  }

  @Test
  void keepsTheColourUnderTransparentPixelsInsteadOfCompositing() throws IOException {
    BgrImage alpha = DECODER.decode(Fixtures.decode("alpha.png"));
    BgrImage opaque = DECODER.decode(Fixtures.decode("small.png"));
    // alpha.png is small.png plus a random alpha channel, fully transparent in the top-left 10x10 corner.
    assertThat(alpha).as("alpha is ignored, as cv2.imread(IMREAD_COLOR) ignores it").isEqualTo(opaque);
  }

  @Test
  void keepsTheHighByteOfSixteenBitSamples() throws IOException {
    // rgb16.png is small.png << 8 plus random low bytes: dropping the low byte must give small.png back.
    assertThat(DECODER.decode(Fixtures.decode("rgb16.png"))).isEqualTo(DECODER.decode(Fixtures.decode("small.png")));
  }

  @Test
  void copiesGrayIntoAllThreeChannels() throws IOException {
    BgrImage gray = DECODER.decode(Fixtures.decode("gray.png"));
    for (int i = 0; i < gray.pixels().length; i += 3) {
      assertThat(gray.pixels()[i + 1]).isEqualTo(gray.pixels()[i]);
      assertThat(gray.pixels()[i + 2]).isEqualTo(gray.pixels()[i]);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
  void turnsJpegsUprightByTheirExifOrientationAsCv2ImreadDoes(int orientation) throws IOException {
    String name = "orientation-" + orientation + ".jpg";
    BgrImage java = DECODER.decode(Fixtures.decode(name));
    BgrImage openCv = Fixtures.openCvDecoded(name);
    assertThat(java).as("%s: %s", name, Fixtures.byteDifference(java, openCv)).isEqualTo(openCv);
  }

  @Test
  void leavesExifOrientationAloneWhenAskedTo() throws IOException {
    BgrImage raw = DECODER.withApplyExifOrientation(false).decode(Fixtures.decode("orientation-6.jpg"));
    assertThat(raw).as("stored pixels, as cv2.IMREAD_IGNORE_ORIENTATION gives")
        .isEqualTo(Fixtures.openCvDecoded("small.jpg"));
  }

  @Test
  void usesTheJdkReaderEvenWhenTwelveMonkeysIsOnTheClasspath() throws IOException {
    Path cmyk = Fixtures.decode("cmyk-icc.jpg");
    List<String> readers = new ArrayList<>();
    ImageReader twelveMonkeys = null;
    try (ImageInputStream in = ImageIO.createImageInputStream(cmyk.toFile())) {
      for (Iterator<ImageReader> it = ImageIO.getImageReaders(in); it.hasNext(); ) {
        ImageReader r = it.next();
        readers.add(r.getClass().getName());
        if (r.getClass().getName().startsWith("com.twelvemonkeys.")) {
          twelveMonkeys = r;
        }
      }
      assertThat(twelveMonkeys).as("TwelveMonkeys is on the test classpath; readers: %s", readers).isNotNull();
      twelveMonkeys.setInput(in);
      BgrImage viaTwelveMonkeys = rgbToBgr(twelveMonkeys.read(0));
      // The premise of choosing the JDK reader: TwelveMonkeys applies the ICC profile, OpenCV does not.
      assertThat(Fixtures.byteDifference(viaTwelveMonkeys, Fixtures.openCvDecoded("cmyk-icc.jpg")))
          .as("TwelveMonkeys' colour-managed CMYK differs from OpenCV's").doesNotMatch(".*histogram: 0:\\d+$");
    }
    assertThat(DECODER.decode(cmyk)).isEqualTo(Fixtures.openCvDecoded("cmyk-icc.jpg"));
  }

  private static BgrImage rgbToBgr(java.awt.image.BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    byte[] out = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int rgb = img.getRGB(x, y);
        int o = (y * w + x) * 3;
        out[o] = (byte) rgb;
        out[o + 1] = (byte) (rgb >> 8);
        out[o + 2] = (byte) (rgb >> 16);
      }
    }
    return new BgrImage(w, h, out);
  }

  @Test
  void rejectsATruncatedJpegAndSaysWhy() {
    Path truncated = Fixtures.decode("truncated.jpg");
    assertThatThrownBy(() -> DECODER.decode(truncated))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageStartingWith(truncated + ": truncated or corrupt JPEG")
        .hasMessageContaining("Missing EOI marker")
        .hasMessageContaining("allowTruncated");
  }

  @Test
  void acceptsATruncatedJpegWhenAllowedAsCv2ImreadDoes() throws IOException {
    BgrImage partial = DECODER.withAllowTruncated(true).decode(Fixtures.decode("truncated.jpg"));
    assertThat(partial.width()).isEqualTo(500);
    assertThat(partial.height()).isEqualTo(336);
    BgrImage whole = Fixtures.openCvDecoded("llama.jpeg");
    assertThat(partial.get(0, 0, 0)).as("the first rows are intact").isEqualTo(whole.get(0, 0, 0));
  }

  @Test
  void rejectsATextFileNamedJpgAndShowsItsFirstBytes() {
    Path text = Fixtures.decode("text.jpg");
    assertThatThrownBy(() -> DECODER.decode(text))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessage(text + ": not a JPEG, PNG, GIF or BMP image (the file starts with "
            + "54 68 69 73 20 69 73 20, text \"This is \")")
        .satisfies(e -> assertThat(((ImageDecodeException) e).path()).isEqualTo(text));
  }

  @Test
  void rejectsAnEmptyFile() {
    Path empty = Fixtures.decode("empty.jpg");
    assertThatThrownBy(() -> DECODER.decode(empty))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessage(empty + ": empty file (0 bytes)")
        .satisfies(e -> assertThat(((ImageDecodeException) e).reason()).isEqualTo("empty file (0 bytes)"));
  }

  @Test
  void rejectsAMissingFileAndADirectory() {
    assertThatThrownBy(() -> DECODER.decode(temp.resolve("nope.jpg")))
        .isInstanceOf(ImageDecodeException.class).hasMessageEndingWith(": no such file");
    assertThatThrownBy(() -> DECODER.decode(temp))
        .isInstanceOf(ImageDecodeException.class).hasMessageEndingWith(": not a regular file");
  }

  @Test
  void rejectsAPngWhoseDataIsCut() throws IOException {
    Path cut = temp.resolve("cut.png");
    byte[] whole = Files.readAllBytes(Fixtures.decode("small.png"));
    Files.write(cut, java.util.Arrays.copyOf(whole, whole.length / 2));
    assertThatThrownBy(() -> DECODER.decode(cut))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageStartingWith(cut + ": corrupt PNG");
  }

  @Test
  void refusesAnImageOverThePixelLimitFromItsHeader() {
    Path llama = Fixtures.image("llama.jpeg");
    assertThatThrownBy(() -> DECODER.withMaxPixels(100_000).decode(llama))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessage(llama + ": image is 500x336 = 0.2 megapixels, more than the limit of 0.1 (raise "
            + "ImageDecoder.maxPixels to decode it)");
  }

  @Test
  void refusesAForgedHugeHeaderWithoutDecodingIt() throws IOException {
    // 60000 x 60000 = 3.6 gigapixels announced by a 100-byte file: decoding would need 10 GB.
    Path bomb = temp.resolve("bomb.png");
    Files.write(bomb, png(60_000, 60_000));
    long start = System.nanoTime();
    assertThatThrownBy(() -> DECODER.decode(bomb))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessage(bomb + ": image is 60000x60000 = 3600.0 megapixels, more than the limit of 100.0 (raise "
            + "ImageDecoder.maxPixels to decode it)");
    assertThat(System.nanoTime() - start).as("refused from the header, in well under a second")
        .isLessThan(1_000_000_000L);
  }

  @Test
  void rejectsANonPositivePixelLimit() {
    assertThatThrownBy(() -> DECODER.withMaxPixels(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void decodesTheSameFileToTheSameBytesEveryTime() throws IOException {
    Path zebra = Fixtures.image("zebra.jpeg");
    assertThat(DECODER.decode(zebra)).isEqualTo(DECODER.decode(zebra));
  }

  /** A minimal RGB PNG header for a huge image with a tiny (wrong) IDAT: enough for a reader to see the size. */
  private static byte[] png(int width, int height) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
    DataOutputStream h = new DataOutputStream(ihdr);
    h.writeInt(width);
    h.writeInt(height);
    h.write(new byte[] {8, 2, 0, 0, 0});
    chunk(out, "IHDR", ihdr.toByteArray());
    Deflater deflater = new Deflater();
    deflater.setInput(new byte[16]);
    deflater.finish();
    byte[] idat = new byte[64];
    int n = deflater.deflate(idat);
    chunk(out, "IDAT", java.util.Arrays.copyOf(idat, n));
    chunk(out, "IEND", new byte[0]);
    return bytes.toByteArray();
  }

  /** libpng (and so cv2.imread) refuses a critical chunk whose CRC is wrong; the JDK's reader alone would not. */
  @Test
  void aPngWithABadCrcInACriticalChunkIsRefusedAndAnAncillaryOneIsNot() throws Exception {
    byte[] good = Files.readAllBytes(Fixtures.decode("small.png"));
    byte[] badIhdr = good.clone();
    badIhdr[8 + 4 + 4 + 13] ^= 0x01;   // the first byte of IHDR's CRC
    Path file = temp.resolve("bad-ihdr.png");
    Files.write(file, badIhdr);
    assertThatThrownBy(() -> DECODER.decode(file)).isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("bad-ihdr.png").hasMessageContaining("chunk IHDR at byte 8 has CRC")
        .hasMessageContaining("cv2.imread");
    assertThatThrownBy(() -> DECODER.decode(badIhdr, "in-memory.png")).hasMessageContaining("chunk IHDR");
    // a byte of image data changed: IDAT's CRC no longer matches
    int idat = indexOf(good, "IDAT");
    byte[] badIdat = good.clone();
    badIdat[idat + 10] ^= 0x40;
    assertThatThrownBy(() -> DECODER.decode(badIdat, "idat.png")).hasMessageContaining("chunk IDAT at byte "
        + (idat - 4));
    // an ancillary text chunk with a bad CRC before IDAT: skipped as libpng skips it, the pixels are the same
    ByteArrayOutputStream with = new ByteArrayOutputStream();
    with.write(good, 0, idat - 4);
    DataOutputStream d = new DataOutputStream(with);
    byte[] text = "Comment\0hello".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    d.writeInt(text.length);
    d.writeBytes("tEXt");
    d.write(text);
    d.writeInt(0x12345678);
    with.write(good, idat - 4, good.length - (idat - 4));
    assertThat(DECODER.decode(with.toByteArray(), "text.png")).isEqualTo(DECODER.decode(good, "small.png"));
  }

  private static int indexOf(byte[] bytes, String type) {
    byte[] t = type.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    for (int i = 0; i + t.length <= bytes.length; i++) {
      if (java.util.Arrays.equals(bytes, i, i + t.length, t, 0, t.length)) {
        return i;
      }
    }
    throw new IllegalStateException("no " + type);
  }

  private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
    out.writeInt(data.length);
    byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    out.write(t);
    out.write(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.writeInt((int) crc.getValue());
  }
}
