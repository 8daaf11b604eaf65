package org.alexnettfj.weights;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of an NPY file: magic, version, and the Python dict literal
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (3, 256, 256), }}.
 */
record NpyHeader(int major, Dtype dtype, boolean fortranOrder, int[] shape, long dataOffset) {

  static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final int MAX_HEADER = 1 << 20;

  /** Reads the header at the input's position; leaves the input at the start of the data. */
  static NpyHeader read(FileInput in) throws WeightFileException {
    long start = in.position();
    byte[] magic = in.bytes(Math.min(6, in.remaining()), "NPY magic");
    if (!java.util.Arrays.equals(magic, MAGIC)) {
      throw in.error(start, "not an NPY file: expected magic \\x93NUMPY");
    }
    int major = in.u8("NPY version");
    int minor = in.u8("NPY version");
    if (major < 1 || major > 3 || minor != 0) {
      throw in.error(start + 6, "NPY version " + major + "." + minor + " is not supported (1.0, 2.0, 3.0 are)");
    }
    long headerLength = major == 1 ? in.u16("NPY header length") : in.u32("NPY header length");
    if (headerLength > MAX_HEADER) {
      throw in.error(start + 8, "NPY header length " + headerLength + " is implausible (over 1 MiB)");
    }
    long textAt = in.position();
    byte[] raw = in.bytes(headerLength, "NPY header");
    String text = new String(raw, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    Map<String, Object> dict;
    try {
      dict = new Literal(text).dict();
    } catch (IllegalArgumentException e) {
      throw in.error(textAt, "NPY header is not a valid dict literal: " + e.getMessage() + " in " + clip(text));
    }
    if (!(dict.get("descr") instanceof String descr)) {
      throw in.error(textAt, "NPY header has no string 'descr' (structured dtypes are not weight arrays): "
          + clip(text));
    }
    if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
      throw in.error(textAt, "NPY header has no boolean 'fortran_order': " + clip(text));
    }
    if (!(dict.get("shape") instanceof List<?> dims)) {
      throw in.error(textAt, "NPY header has no tuple 'shape': " + clip(text));
    }
    int[] shape = new int[dims.size()];
    for (int i = 0; i < shape.length; i++) {
      if (!(dims.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
        throw in.error(textAt, "NPY header shape has an invalid dimension: " + clip(text));
      }
      shape[i] = (int) (long) d;
    }
    Dtype dtype;
    try {
      dtype = Dtype.parseDescr(descr);
    } catch (IllegalArgumentException e) {
      throw in.error(textAt, "NPY header: " + e.getMessage());
    }
    return new NpyHeader(major, dtype, fortran, shape, in.position());
  }

  private static String clip(String s) {
    String t = s.strip();
    return t.length() > 120 ? t.substring(0, 120) + "..." : t;
  }

  /** A tiny parser for the Python literals numpy writes: dict, tuple, str, int, True/False. */
  private static final class Literal {
    private final String s;
    private int i;
    private int depth;

    Literal(String s) {
      this.s = s;
    }

    Map<String, Object> dict() {
      Object v = value();
      skipSpace();
      if (!(v instanceof Map<?, ?> m)) {
        throw new IllegalArgumentException("expected a dict");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> dict = (Map<String, Object>) m;
      return dict;
    }

    private Object value() {
      skipSpace();
      if (i >= s.length()) {
        throw new IllegalArgumentException("unexpected end");
      }
      if (++depth > 8) {
        throw new IllegalArgumentException("nested too deeply");
      }
      try {
        char c = s.charAt(i);
        if (c == '{') {
          return map();
        }
        if (c == '(' || c == '[') {
          return sequence(c == '(' ? ')' : ']');
        }
        if (c == '\'' || c == '"') {
          return string();
        }
        if (s.startsWith("True", i)) {
          i += 4;
          return Boolean.TRUE;
        }
        if (s.startsWith("False", i)) {
          i += 5;
          return Boolean.FALSE;
        }
        return integer();
      } finally {
        depth--;
      }
    }

    private Map<String, Object> map() {
      Map<String, Object> m = new HashMap<>();
      i++;
      while (true) {
        skipSpace();
        if (peek() == '}') {
          i++;
          return m;
        }
        if (!(value() instanceof String key)) {
          throw new IllegalArgumentException("dict key is not a string");
        }
        skipSpace();
        expect(':');
        m.put(key, value());
        skipSpace();
        if (peek() == ',') {
          i++;
        } else if (peek() != '}') {
          throw new IllegalArgumentException("expected ',' or '}' at " + i);
        }
      }
    }

    private List<Object> sequence(char close) {
      List<Object> out = new ArrayList<>();
      i++;
      while (true) {
        skipSpace();
        if (peek() == close) {
          i++;
          return out;
        }
        out.add(value());
        skipSpace();
        if (peek() == ',') {
          i++;
        } else if (peek() != close) {
          throw new IllegalArgumentException("expected ',' or '" + close + "' at " + i);
        }
      }
    }

    private String string() {
      char quote = s.charAt(i++);
      int end = s.indexOf(quote, i);
      if (end < 0) {
        throw new IllegalArgumentException("unterminated string");
      }
      String out = s.substring(i, end);
      i = end + 1;
      return out;
    }

    private Long integer() {
      int start = i;
      while (i < s.length() && Character.isDigit(s.charAt(i))) {
        i++;
      }
      if (i == start || i - start > 18) {
        throw new IllegalArgumentException("unexpected '" + s.charAt(start) + "' at " + start);
      }
      long v = Long.parseLong(s.substring(start, i));
      if (i < s.length() && (s.charAt(i) == 'L' || s.charAt(i) == 'l')) {
        i++; // Python 2 long suffix
      }
      return v;
    }

    private char peek() {
      if (i >= s.length()) {
        throw new IllegalArgumentException("unexpected end");
      }
      return s.charAt(i);
    }

    private void expect(char c) {
      if (peek() != c) {
        throw new IllegalArgumentException("expected '" + c + "' at " + i);
      }
      i++;
    }

    private void skipSpace() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }
  }
}
