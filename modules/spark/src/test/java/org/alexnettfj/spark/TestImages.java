package org.alexnettfj.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The classic repository's three photos, a deliberately broken JPEG beside them, and a file that is no image. */
final class TestImages {

  static final Path PHOTOS = Path.of("../data/src/test/resources/images");
  static final List<String> GOOD = List.of("llama.jpeg", "sealion.jpeg", "zebra.jpeg");
  static final String BROKEN = "broken.jpeg";

  private TestImages() {
  }

  /**
   * Copies the photos into {@code dir}, with {@code broken.jpeg} (the zebra cut off after 2000 bytes) and a text
   * file.
   */
  static Path folder(Path dir) throws IOException {
    Files.createDirectories(dir);
    for (String name : GOOD) {
      Files.copy(PHOTOS.resolve(name), dir.resolve(name));
    }
    byte[] zebra = Files.readAllBytes(PHOTOS.resolve("zebra.jpeg"));
    Files.write(dir.resolve(BROKEN), Arrays.copyOf(zebra, 2000));
    Files.writeString(dir.resolve("notes.txt"), "not an image; the image filter leaves it out");
    return dir;
  }
}
