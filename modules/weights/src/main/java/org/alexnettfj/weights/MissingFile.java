package org.alexnettfj.weights;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Why a path cannot be read as a file, in words: a missing file and a symbolic link loop are different fixes. */
public final class MissingFile {

  private MissingFile() {
  }

  /**
   * The check every command and job makes on its {@code --weights} before anything else, with one message: the
   * pretrained file is not bundled (244 MB, and not ours to ship), so a missing {@code bvlc_alexnet*} says where it
   * goes. A folder passes (a SavedModel or checkpoint folder is read as weights).
   *
   * @param weights the weight file the user named
   * @throws java.io.FileNotFoundException if it cannot be read, naming it and why
   */
  public static void requireWeights(Path weights) throws java.io.FileNotFoundException {
    String missing = problem(weights);
    if (missing != null && !Files.isDirectory(weights)) {
      String hint = missing.equals("no such file") && weights.getFileName().toString().startsWith("bvlc_alexnet")
          ? " (the pretrained weights are not bundled: put your copy of bvlc_alexnet.npy in weights/, see README)"
          : "";
      throw new java.io.FileNotFoundException(weights + ": " + missing + hint);
    }
  }

  /**
   * Says what keeps {@code path} from being read, following links.
   *
   * @param path the file the user named
   * @return null when it is a regular file (after links); else what is wrong with it, e.g. {@code no such file}
   */
  public static String problem(Path path) {
    if (Files.isRegularFile(path)) {
      return null;
    }
    if (Files.exists(path)) {
      return Files.isDirectory(path) ? "is a directory, not a file" : "not a regular file";
    }
    if (!Files.isSymbolicLink(path) && !Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return parentLoop(path) ? "a symbolic link loop in its folders" : "no such file";
    }
    try {
      path.toRealPath();
      return "no such file";
    } catch (FileSystemException e) {
      String reason = e.getReason() == null ? "" : e.getReason();
      if (reason.toLowerCase(java.util.Locale.ROOT).contains("levels of symbolic links")) {
        return "a symbolic link loop (the link leads back to itself)";
      }
      return "a symbolic link to a missing file (" + target(path) + ")";
    } catch (IOException e) {
      return "a symbolic link that cannot be followed: " + e.getMessage();
    }
  }

  private static boolean parentLoop(Path path) {
    Path parent = path.toAbsolutePath().getParent();
    if (parent == null) {
      return false;
    }
    try {
      parent.toRealPath();
      return false;
    } catch (FileSystemException e) {
      return e.getReason() != null && e.getReason().toLowerCase(java.util.Locale.ROOT).contains("symbolic links");
    } catch (IOException e) {
      return false;
    }
  }

  private static String target(Path link) {
    try {
      return "it points to " + Files.readSymbolicLink(link);
    } catch (IOException | UnsupportedOperationException e) {
      return "its target is gone";
    }
  }
}
