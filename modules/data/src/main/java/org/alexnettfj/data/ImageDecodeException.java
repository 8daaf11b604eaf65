package org.alexnettfj.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file that cannot be turned into an image: missing, empty, not an image, truncated, corrupt, or larger than the
 * configured pixel limit. The message names the file and the reason, so a user with a million-image dataset can
 * find and fix the one bad file.
 *
 * <pre>{@code
 * try {
 *   BgrImage img = ImageDecoder.DEFAULT.decode(path);
 * } catch (ImageDecodeException e) {
 *   log.warn("skipping {}: {}", e.path(), e.reason());
 * }
 * }</pre>
 */
public class ImageDecodeException extends IOException {

  private final Path path;
  private final String source;
  private final String reason;

  public ImageDecodeException(Path path, String reason) {
    this(path, reason, null);
  }

  public ImageDecodeException(Path path, String reason, Throwable cause) {
    super(path + ": " + reason, cause);
    this.path = path;
    this.source = path.toString();
    this.reason = reason;
  }

  /** For bytes that are not a file of their own, e.g. an archive entry named {@code "train.zip!/cats/1.jpg"}. */
  public ImageDecodeException(String source, String reason, Throwable cause) {
    super(source + ": " + reason, cause);
    this.path = null;
    this.source = source;
    this.reason = reason;
  }

  /** The file that could not be decoded, or {@code null} when the bytes came from memory (see {@link #source()}). */
  public Path path() {
    return path;
  }

  /** What could not be decoded: the file's path, or the name given with the bytes. Never {@code null}. */
  public String source() {
    return source;
  }

  /** Why, without the path, e.g. {@code "empty file (0 bytes)"}. */
  public String reason() {
    return reason;
  }
}
