package org.alexnettfj.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import javax.imageio.ImageReader;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;

/**
 * An ImageIO plugin for files starting {@code FAKEIMG} whose reader class cannot be loaded — what the JDK's JPEG
 * reader does in a runtime without the native libjpeg it links to (its class initializer fails).
 */
public final class UnloadableReaderSpi extends ImageReaderSpi {

  public static final byte[] BYTES = "FAKEIMG and then nothing".getBytes(StandardCharsets.US_ASCII);

  public UnloadableReaderSpi() {
    super("alexnet-tfj tests", "1", new String[] {"fakeimg"}, new String[] {"fakeimg"},
        new String[] {"image/x-fakeimg"}, "org.alexnettfj.data.NoSuchReader", new Class<?>[] {ImageInputStream.class},
        null, false, null, null, null, null, false, null, null, null, null);
  }

  /** Registers the plugin; closing deregisters it. */
  public static AutoCloseable register() {
    UnloadableReaderSpi spi = new UnloadableReaderSpi();
    IIORegistry.getDefaultInstance().registerServiceProvider(spi);
    return () -> IIORegistry.getDefaultInstance().deregisterServiceProvider(spi);
  }

  @Override
  public boolean canDecodeInput(Object source) throws IOException {
    if (!(source instanceof ImageInputStream in)) {
      return false;
    }
    byte[] start = new byte[7];
    in.mark();
    try {
      return in.read(start) == 7 && Arrays.equals(start, Arrays.copyOf(BYTES, 7));
    } finally {
      in.reset();
    }
  }

  @Override
  public ImageReader createReaderInstance(Object extension) {
    throw new NoClassDefFoundError("Could not initialize class org.alexnettfj.data.NoSuchReader");
  }

  @Override
  public String getDescription(Locale locale) {
    return "a reader that cannot be loaded";
  }
}
