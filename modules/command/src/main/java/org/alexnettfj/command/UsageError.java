package org.alexnettfj.command;

/**
 * An option value or combination the command cannot take ({@code --top 0}, {@code --val} with
 * {@code --val-split}): a usage error, exit code 2 like an unknown option, found before any input is read. Input
 * that turns out unusable is exit code 1 ({@link Commands#EXIT_BAD_INPUT}).
 *
 * <pre>
 *   if (batchSize &lt; 1) {
 *     throw new UsageError("--batch-size must be at least 1, was " + batchSize);
 *   }
 * </pre>
 */
public class UsageError extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  /**
   * A usage error, printed as the one line of the command's error.
   *
   * @param message what is wrong, naming the option
   */
  public UsageError(String message) {
    super(message);
  }
}
