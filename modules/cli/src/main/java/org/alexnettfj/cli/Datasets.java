package org.alexnettfj.cli;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.alexnettfj.data.train.Dataset;

/** The labelled-image forms the commands take: class folders, a zip/tar/tar.gz of them, or a list file. */
final class Datasets {

  private Datasets() {
  }

  /** A folder of class folders, an archive (zip, tar, tar.gz), or else a list file ({@code path label} lines). */
  static Dataset open(String option, Path path) throws IOException {
    if (!Files.exists(path)) {
      throw new FileNotFoundException(option + " " + path + ": no such file or directory");
    }
    if (Files.isDirectory(path)) {
      return Dataset.fromImageFolder(path);
    }
    return isArchive(path) ? Dataset.fromArchive(path) : Dataset.fromListFile(path);
  }

  /** True when {@link #open} reads {@code path} as a list file, whose labels are numbers rather than names. */
  static boolean isListFile(Path path) {
    return !Files.isDirectory(path) && !isArchive(path);
  }

  private static boolean isArchive(Path path) {
    String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".zip") || name.endsWith(".tar") || name.endsWith(".tar.gz") || name.endsWith(".tgz");
  }
}
