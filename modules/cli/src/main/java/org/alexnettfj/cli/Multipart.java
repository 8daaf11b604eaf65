package org.alexnettfj.cli;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code multipart/form-data} body (RFC 7578) split into its parts, as {@code curl -F image=@zebra.jpeg} sends
 * it. The body is already in memory (the server bounds it by {@code --max-bytes}), so this is a scan for the
 * boundary, not a streaming parser.
 */
final class Multipart {

  /** One part: its form field name, the file name the client gave (or null) and its bytes. */
  record Part(String name, String filename, byte[] bytes) {
  }

  private static final Pattern BOUNDARY = Pattern.compile("boundary=(?:\"([^\"]+)\"|([^;\\s]+))",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern NAME = Pattern.compile("(?<![a-z])name=\"([^\"]*)\"", Pattern.CASE_INSENSITIVE);
  private static final Pattern FILENAME = Pattern.compile("filename=\"([^\"]*)\"", Pattern.CASE_INSENSITIVE);

  private Multipart() {
  }

  /** Whether a Content-Type header is multipart/form-data. */
  static boolean is(String contentType) {
    return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data");
  }

  /**
   * The parts of {@code body}, in order.
   *
   * @throws IllegalArgumentException naming what is wrong: no boundary in the Content-Type, no opening or closing
   *     boundary in the body, a part without its blank line after the headers
   */
  static List<Part> parse(String contentType, byte[] body) {
    Matcher m = BOUNDARY.matcher(contentType);
    if (!m.find()) {
      throw new IllegalArgumentException("multipart/form-data without a boundary in its Content-Type");
    }
    byte[] delimiter = ("--" + (m.group(1) != null ? m.group(1) : m.group(2))).getBytes(StandardCharsets.US_ASCII);
    int at = indexOf(body, delimiter, 0);
    if (at < 0) {
      throw new IllegalArgumentException("multipart body without its opening boundary");
    }
    List<Part> parts = new ArrayList<>();
    while (true) {
      int lineEnd = at + delimiter.length;
      if (lineEnd + 2 <= body.length && body[lineEnd] == '-' && body[lineEnd + 1] == '-') {
        return parts;   // the closing boundary
      }
      int headersStart = skipLine(body, lineEnd);
      int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), headersStart);
      if (headersStart < 0 || headersEnd < 0) {
        throw new IllegalArgumentException("multipart part " + (parts.size() + 1) + " has no blank line after "
            + "its headers");
      }
      String headers = new String(body, headersStart, headersEnd - headersStart, StandardCharsets.UTF_8);
      int dataStart = headersEnd + 4;
      byte[] next = new byte[delimiter.length + 2];
      next[0] = '\r';
      next[1] = '\n';
      System.arraycopy(delimiter, 0, next, 2, delimiter.length);
      int dataEnd = indexOf(body, next, dataStart);
      if (dataEnd < 0) {
        throw new IllegalArgumentException("multipart body ends inside part " + (parts.size() + 1)
            + " (no closing boundary)");
      }
      parts.add(new Part(group(NAME, headers), group(FILENAME, headers),
          Arrays.copyOfRange(body, dataStart, dataEnd)));
      at = dataEnd + 2;
    }
  }

  private static String group(Pattern p, String headers) {
    for (String line : headers.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-disposition:")) {
        Matcher m = p.matcher(line);
        return m.find() ? m.group(1) : null;
      }
    }
    return null;
  }

  /** The index after the CRLF that ends the line at {@code from}, or -1. */
  private static int skipLine(byte[] b, int from) {
    for (int i = from; i + 1 < b.length; i++) {
      if (b[i] == '\r' && b[i + 1] == '\n') {
        return i + 2;
      }
    }
    return -1;
  }

  static int indexOf(byte[] b, byte[] pattern, int from) {
    if (from < 0) {
      return -1;
    }
    outer:
    for (int i = from; i <= b.length - pattern.length; i++) {
      for (int k = 0; k < pattern.length; k++) {
        if (b[i + k] != pattern[k]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
