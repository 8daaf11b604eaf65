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

  /** The file, or null for bytes from memory. */
  private final Path path;
  /** The file's path or the name given with the bytes. */
  private final String source;
  /** Why it failed, without the path. */
  private final String reason;

  /**
   * A file that cannot be decoded, for a reason found without an underlying exception.
   *
   * @param path the file
   * @param reason why, e.g. {@code "empty file (0 bytes)"}
   */
  public ImageDecodeException(Path path, String reason) {
    this(path, reason, null);
  }

  /**
   * A file that cannot be decoded, because of {@code cause}.
   *
   * @param path the file
   * @param reason why, without the path
   * @param cause what the decoder or the file system threw, or null
   */
  public ImageDecodeException(Path path, String reason, Throwable cause) {
    super(path + ": " + reason, cause);
    this.path = path;
    this.source = path.toString();
    this.reason = reason;
  }

  /**
   * For bytes that are not a file of their own, e.g. an archive entry named {@code "train.zip!/cats/1.jpg"}.
   *
   * @param source what to call the bytes in the message
   * @param reason why, without the name
   * @param cause what the decoder threw, or null
   */
  public ImageDecodeException(String source, String reason, Throwable cause) {
    super(source + ": " + reason, cause);
    this.path = null;
    this.source = source;
    this.reason = reason;
  }

  /**
   * The file that could not be decoded.
   *
   * @return the file, or {@code null} when the bytes came from memory (see {@link #source()})
   */
  public Path path() {
    return path;
  }

  /**
   * What could not be decoded, for bytes as well as files.
   *
   * @return the file's path, or the name given with the bytes; never {@code null}
   */
  public String source() {
    return source;
  }

  /**
   * Why the decode failed, for messages that name the file themselves.
   *
   * @return the reason without the path, e.g. {@code "empty file (0 bytes)"}
   */
  public String reason() {
    return reason;
  }
}
