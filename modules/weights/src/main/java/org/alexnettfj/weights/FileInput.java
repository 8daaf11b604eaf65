package org.alexnettfj.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Bounded, buffered reading of a region of a file with absolute offsets, for the NPY header and the pickle
 * opcodes. Every length is checked against the bytes that remain before anything is allocated, so a corrupt
 * length field yields an error, not an OutOfMemoryError.
 */
final class FileInput {

  private static final int BUFFER = 64 * 1024;
  private static final int PAYLOAD_CHUNK = 1 << 20;

  private final FileChannel channel;
  private final String name;
  private final long end;
  private final ByteBuffer buf = ByteBuffer.allocate(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
  private long bufStart;
  private Supplier<String> layer = () -> null;
  private ByteBuffer payloadChunk;
  private ProgressListener progress = ProgressListener.NONE;
  private long streamed;

  FileInput(FileChannel channel, String name, long start, long end) {
    this.channel = channel;
    this.name = name;
    this.end = end;
    this.bufStart = start;
    buf.limit(0);
  }

  /** Where errors say they are: the layer being read, if the caller knows it. */
  void layerContext(Supplier<String> layer) {
    this.layer = layer;
  }

  /** Reports payload bytes streamed so far against the whole region's size. */
  void progress(ProgressListener progress) {
    this.progress = progress;
  }

  String name() {
    return name;
  }

  long position() {
    return bufStart + buf.position();
  }

  long remaining() {
    return end - position();
  }

  long end() {
    return end;
  }

  WeightFileException error(long offset, String detail) {
    return new WeightFileException(name, layer.get(), offset, detail);
  }

  private void require(long n, String what) throws WeightFileException {
    if (n < 0 || n > remaining()) {
      throw error(position(), what + " needs " + n + " bytes but only " + remaining()
          + " remain (file truncated or length field corrupt)");
    }
    if (buf.remaining() < n && n <= BUFFER) {
      fill();
    }
  }

  private void fill() throws WeightFileException {
    long pos = position();
    buf.clear();
    bufStart = pos;
    int want = (int) Math.min(BUFFER, end - pos);
    buf.limit(want);
    try {
      while (buf.hasRemaining()) {
        if (channel.read(buf, pos + buf.position()) < 0) {
          throw error(pos + buf.position(), "unexpected end of file");
        }
      }
    } catch (IOException e) {
      throw error(pos, "read failed: " + e.getMessage());
    }
    buf.flip();
  }

  int u8(String what) throws WeightFileException {
    require(1, what);
    return buf.get() & 0xff;
  }

  int u16(String what) throws WeightFileException {
    require(2, what);
    return buf.getShort() & 0xffff;
  }

  int i32(String what) throws WeightFileException {
    require(4, what);
    return buf.getInt();
  }

  long u32(String what) throws WeightFileException {
    return i32(what) & 0xffffffffL;
  }

  long i64(String what) throws WeightFileException {
    require(8, what);
    return buf.getLong();
  }

  double f64BigEndian(String what) throws WeightFileException {
    require(8, what);
    return Double.longBitsToDouble(Long.reverseBytes(buf.getLong()));
  }

  /** Reads n bytes into a new array; n must be small (callers defer large payloads with {@link #skip}). */
  byte[] bytes(long n, String what) throws WeightFileException {
    require(n, what);
    byte[] out = new byte[(int) n];
    int got = Math.min(buf.remaining(), out.length);
    buf.get(out, 0, got);
    while (got < out.length) {
      fill();
      int k = Math.min(buf.remaining(), out.length - got);
      buf.get(out, got, k);
      got += k;
    }
    return out;
  }

  /** Reads up to a newline (text fields of GLOBAL), at most {@code max} bytes. */
  String line(int max, String what) throws WeightFileException {
    StringBuilder sb = new StringBuilder();
    while (true) {
      int b = u8(what);
      if (b == '\n') {
        return sb.toString();
      }
      if (sb.length() >= max) {
        throw error(position(), what + " longer than " + max + " bytes");
      }
      sb.append((char) b);
    }
  }

  String utf8(long n, String what) throws WeightFileException {
    return new String(bytes(n, what), StandardCharsets.UTF_8);
  }

  /** Skips n bytes after checking they exist; returns the offset where they start. */
  long skip(long n, String what) throws WeightFileException {
    require(n, what);
    long at = position();
    long target = at + n;
    if (target <= bufStart + buf.limit()) {
      buf.position((int) (target - bufStart));
    } else {
      bufStart = target;
      buf.limit(0);
    }
    return at;
  }

  /** Feeds the bytes of [offset, offset+length) of the file to {@code sink}, chunk by chunk. */
  void stream(long offset, long length, ChunkSink sink) throws WeightFileException {
    if (payloadChunk == null) {
      payloadChunk = ByteBuffer.allocateDirect(PAYLOAD_CHUNK);
    }
    ByteBuffer chunk = payloadChunk;
    chunk.clear();
    long pos = offset;
    long stop = offset + length;
    try {
      while (pos < stop || chunk.position() > 0) {
        int room = chunk.remaining();
        if (pos < stop && room > 0) {
          int want = (int) Math.min(room, stop - pos);
          chunk.limit(chunk.position() + want);
          int got = channel.read(chunk, pos);
          if (got < 0) {
            throw error(pos, "unexpected end of file");
          }
          pos += got;
          streamed += got;
          progress.progress(Math.min(streamed, end), end);
          chunk.limit(chunk.capacity());
        }
        chunk.flip();
        int before = chunk.remaining();
        sink.accept(chunk, pos >= stop);
        if (chunk.remaining() == before && pos >= stop) {
          return; // sink takes no more: a partial trailing element, reported by the caller
        }
        chunk.compact();
      }
    } catch (IOException e) {
      throw e instanceof WeightFileException w ? w : error(pos, "read failed: " + e.getMessage());
    }
  }

  /** Receives file bytes; consumes what it can and leaves the rest in the buffer for the next call. */
  interface ChunkSink {
    void accept(ByteBuffer chunk, boolean last) throws IOException;
  }
}
