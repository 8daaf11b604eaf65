package org.alexnettfj.cli;

/**
 * An option value or combination the command cannot take (--top 0, --val with --val-split): a usage error, exit
 * code 2 like an unknown option, found before any input is read. Input that turns out unusable is exit code 1.
 */
final class UsageError extends IllegalArgumentException {

  UsageError(String message) {
    super(message);
  }
}
