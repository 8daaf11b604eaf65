package org.alexnettfj.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The protobuf wire format, just enough of it for Caffe's {@code NetParameter}: tags, varints, fixed32/64 and
 * length-delimited fields over a region of a (memory-mapped) file, with absolute offsets in every error.
 *
 * <p>Hand-written rather than the protobuf library so the weights module stays a few small jars; Caffe's messages
 * need nothing beyond these four wire types. Every length is checked against the bytes left in the enclosing
 * message before anything is read or allocated, so a corrupt length yields a {@link WeightFileException}, never an
 * OutOfMemoryError or an IndexOutOfBoundsException.
 *
 * <pre>{@code
 * ProtoReader r = new ProtoReader(buffer, "net.caffemodel", 0, buffer.limit());
 * while (r.next()) {
 *   if (r.field() == 1 && r.wireType() == ProtoReader.LEN) name = r.string();
 *   else r.skip();
 * }
 * }</pre>
 */
final class ProtoReader {

  static final int VARINT = 0;
  static final int I64 = 1;
  static final int LEN = 2;
  static final int I32 = 5;

  private static final int MAX_FIELD = (1 << 29) - 1;

  private final ByteBuffer buf;
  private final String file;
  private final int end;
  private int pos;
  private String layer;
  private int field;
  private int wireType;
  private int tagOffset;

  /** Reads the message in [start, end) of {@code buf} (absolute indexes, which are file offsets). */
  ProtoReader(ByteBuffer buf, String file, int start, int end) {
    this.buf = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    this.file = file;
    this.pos = start;
    this.end = end;
  }

  /** Names the layer in errors from here on. */
  ProtoReader layer(String layer) {
    this.layer = layer;
    return this;
  }

  String layer() {
    return layer;
  }

  int position() {
    return pos;
  }

  int end() {
    return end;
  }

  int field() {
    return field;
  }

  int wireType() {
    return wireType;
  }

  /** Where the current field's tag starts. */
  int tagOffset() {
    return tagOffset;
  }

  WeightFileException error(long offset, String detail) {
    return new WeightFileException(file, layer, offset, detail);
  }

  /** Reads the next tag; false at the end of the message. */
  boolean next() throws WeightFileException {
    if (pos >= end) {
      return false;
    }
    tagOffset = pos;
    long tag = varint();
    if (tag > 0xffffffffL) {
      throw error(tagOffset, "field tag " + Long.toUnsignedString(tag) + " does not fit in 32 bits (corrupt data)");
    }
    long number = tag >>> 3;
    wireType = (int) (tag & 7);
    if (number < 1 || number > MAX_FIELD) {
      throw error(tagOffset, "field number " + number + " is not valid protobuf (corrupt data)");
    }
    field = (int) number;
    if (wireType != VARINT && wireType != I64 && wireType != LEN && wireType != I32) {
      throw error(tagOffset, "field " + field + " has wire type " + wireType
          + (wireType == 3 || wireType == 4 ? " (a group, which Caffe never writes)" : " (not a protobuf wire type)")
          + ": not a Caffe model, or corrupt");
    }
    return true;
  }

  /** A base-128 varint: at most 10 bytes, at most 64 bits. */
  long varint() throws WeightFileException {
    int start = pos;
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= end) {
        throw error(start, "varint runs past the end of its message (truncated or corrupt)");
      }
      int b = buf.get(pos++) & 0xff;
      if (shift == 63 && b > 1) {
        throw error(start, "varint overflows 64 bits (corrupt data)");
      }
      value |= (long) (b & 0x7f) << shift;
      if (b < 0x80) {
        return value;
      }
    }
    throw error(start, "varint longer than 10 bytes (corrupt data)");
  }

  /** The current field's value as protobuf's int32 (a varint truncated to 32 bits, negatives sign-extended). */
  int int32() throws WeightFileException {
    expect(VARINT);
    return (int) varint();
  }

  /**
   * A length-delimited field's payload, checked against the bytes that remain: returns its start; the reader is
   * left after it. The length is checked before anything looks at the payload.
   */
  int lengthDelimited() throws WeightFileException {
    expect(LEN);
    long n = varint();
    if (n > end - pos) {
      throw error(tagOffset, "field " + field + " claims " + n + " bytes but only " + (end - pos)
          + (end == buf.limit() ? " remain in the file" : " remain in its message") + " (truncated or corrupt)");
    }
    int start = pos;
    pos += (int) n;
    return start;
  }

  /** The current length-delimited field as a reader of its own, naming the same layer; this one moves past it. */
  ProtoReader message() throws WeightFileException {
    int start = lengthDelimited();
    return new ProtoReader(buf, file, start, pos).layer(layer);
  }

  /** A reader over what is left of this message (to salvage a name from a damaged entry). */
  ProtoReader rest() {
    return new ProtoReader(buf, file, pos, end).layer(layer);
  }

  String string() throws WeightFileException {
    int start = lengthDelimited();
    byte[] b = new byte[pos - start];
    buf.get(start, b);
    return new String(b, StandardCharsets.UTF_8);
  }

  float fixed32Float() throws WeightFileException {
    expect(I32);
    require(4);
    float v = buf.getFloat(pos);
    pos += 4;
    return v;
  }

  double fixed64Double() throws WeightFileException {
    expect(I64);
    require(8);
    double v = buf.getDouble(pos);
    pos += 8;
    return v;
  }

  /** Skips the current field's value, whatever its wire type. */
  void skip() throws WeightFileException {
    switch (wireType) {
      case VARINT -> varint();
      case I64 -> {
        require(8);
        pos += 8;
      }
      case I32 -> {
        require(4);
        pos += 4;
      }
      case LEN -> lengthDelimited();
      default -> throw new IllegalStateException("wire type " + wireType);
    }
  }

  /** Copies {@code count} little-endian floats starting at {@code offset} (already bounds-checked) into dst. */
  void floats(int offset, float[] dst, int count) {
    buf.slice(offset, count * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(dst, 0, count);
  }

  void doubles(int offset, double[] dst, int count) {
    buf.slice(offset, count * 8).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(dst, 0, count);
  }

  private void require(int n) throws WeightFileException {
    if (end - pos < n) {
      throw error(tagOffset, "field " + field + " needs " + n + " bytes but only " + (end - pos)
          + " remain in its message (truncated or corrupt)");
    }
  }

  private void expect(int wire) throws WeightFileException {
    if (wireType != wire) {
      throw error(tagOffset, "field " + field + " has wire type " + wireType + ", expected " + wire
          + " (not the Caffe schema, or corrupt)");
    }
  }
}
