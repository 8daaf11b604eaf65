package org.alexnettfj.weights;

import java.nio.ByteOrder;

/** A numpy dtype as far as weight files need it: kind, item size and byte order, e.g. {@code <f4}. */
record Dtype(char kind, int itemSize, char byteOrder) {

  static final Dtype OBJECT = new Dtype('O', 8, '|');

  /** Parses an NPY {@code descr} such as {@code <f4}, {@code >f8}, {@code |O}, {@code <i4}. */
  static Dtype parseDescr(String descr) {
    if (descr.isEmpty()) {
      throw new IllegalArgumentException("empty dtype");
    }
    char order = descr.charAt(0);
    String rest = descr;
    if (order == '<' || order == '>' || order == '|' || order == '=') {
      rest = descr.substring(1);
    } else {
      order = '|';
    }
    return parseTypeCode(rest, order);
  }

  /** Parses the first argument of a pickled {@code numpy.dtype(...)}, e.g. {@code f4} or {@code O8}. */
  static Dtype parseTypeCode(String code, char byteOrder) {
    if (code.isEmpty() || code.length() > 8) {
      throw new IllegalArgumentException("not a dtype: '" + code + "'");
    }
    char kind = code.charAt(0);
    int size;
    if (code.length() == 1) {
      size = kind == 'O' ? 8 : -1;
    } else {
      try {
        size = Integer.parseInt(code.substring(1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a dtype: '" + code + "'");
      }
    }
    if (size <= 0 && kind != 'O') {
      throw new IllegalArgumentException("not a dtype: '" + code + "'");
    }
    return new Dtype(kind, size, byteOrder);
  }

  Dtype withByteOrder(char order) {
    return new Dtype(kind, itemSize, order);
  }

  boolean isFloat() {
    return kind == 'f' && (itemSize == 2 || itemSize == 4 || itemSize == 8);
  }

  boolean isObject() {
    return kind == 'O';
  }

  /** Byte order of the data; '|' and '=' are little-endian on every machine these files come from. */
  ByteOrder order() {
    return byteOrder == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
  }

  /** The canonical descr, as numpy writes it in a header: {@code <f4}, {@code |O}. */
  String descr() {
    if (kind == 'O') {
      return "|O";
    }
    char o = itemSize == 1 ? '|' : (byteOrder == '>' ? '>' : '<');
    return "" + o + kind + itemSize;
  }

  @Override
  public String toString() {
    return descr();
  }
}
