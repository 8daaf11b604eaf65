package org.alexnettfj.weights;

/**
 * Text taken from a weight file (dict keys, pickle global names, NPY headers, Caffe layer names, zip entry names)
 * made safe to print: a file must not be able to move a terminal's cursor, clear its screen or fake a line of
 * output. Control characters (C0, DEL, C1), line and paragraph separators and the bidirectional overrides are
 * escaped as {@code \xNN} / <code>&#92;uNNNN</code>; other characters, accented or not, pass unchanged. Long text
 * is cut.
 */
public final class SafeText {

  /** How much of one name (a key, a layer) a message shows. */
  public static final int NAME = 200;
  /** How much of one message detail is shown. */
  public static final int DETAIL = 2000;

  private SafeText() {
  }

  /**
   * Escapes and cuts text from a file for a message.
   *
   * @param s the text, or null
   * @param max the most characters of {@code s} to keep
   * @return {@code s} escaped and cut to at most {@code max} characters of the original, marked "..." with the
   *     full length when cut; null for null
   */
  public static String of(String s, int max) {
    if (s == null) {
      return null;
    }
    StringBuilder sb = null;
    int n = Math.min(s.length(), max);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (unsafe(c)) {
        if (sb == null) {
          sb = new StringBuilder(n + 16).append(s, 0, i);
        }
        sb.append(c <= 0xff ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
      } else if (sb != null) {
        sb.append(c);
      }
    }
    if (sb == null && n == s.length()) {
      return s;
    }
    String out = sb == null ? s.substring(0, n) : sb.toString();
    return n < s.length() ? out + "... (" + s.length() + " characters)" : out;
  }

  /**
   * A name (dict key, layer, global) from the file, escaped and cut to {@link #NAME}.
   *
   * @param s the name, or null
   * @return it, safe to print; null for null
   */
  public static String name(String s) {
    return of(s, NAME);
  }

  /**
   * Whether {@code s} can be printed as it is.
   *
   * @param s the text
   * @return true when it has nothing to escape (its length is not checked)
   */
  public static boolean isSafe(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (unsafe(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean unsafe(char c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029
        || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x061c || c == 0x200e
        || c == 0x200f || c == 0xfeff;
  }
}
