package org.alexnettfj.graph;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** Renames into place, so that a reader sees the old file or the whole new one, never half of one. */
final class AtomicFiles {

  private AtomicFiles() {
  }

  /** Renames {@code from} to {@code to}, replacing a file there; atomic where the file system allows. */
  static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * Renames folder {@code from} to {@code to}. A folder already at {@code to} is first renamed aside and deleted
   * only after the new one is in place, so an interruption leaves the old or the new folder, not a mixture.
   */
  static void moveDirectory(Path from, Path to) throws IOException {
    Path aside = null;
    if (Files.exists(to)) {
      // a fixed name: one left by a process killed between the two renames is the old copy, replaced here
      aside = to.toAbsolutePath().resolveSibling("." + to.getFileName() + ".old");
      deleteTree(aside);
      Files.move(to, aside, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    if (aside != null) {
      deleteTree(aside);
    }
  }

  /** Deletes a file or a folder with everything in it; nothing if it is not there. */
  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
