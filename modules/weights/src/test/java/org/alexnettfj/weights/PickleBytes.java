package org.alexnettfj.weights;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Hand-assembles pickle opcodes for tests of what the reader must refuse: malicious or corrupt pickles that no
 * numpy would write. (Faithful files come from the committed fixtures instead.)
 */
final class PickleBytes {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  PickleBytes op(int... bytes) {
    for (int b : bytes) {
      out.write(b);
    }
    return this;
  }

  PickleBytes proto(int p) {
    return op(0x80, p);
  }

  PickleBytes global(String module, String name) {
    op('c');
    raw((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    return this;
  }

  PickleBytes unicode(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    op('X');
    u32(b.length);
    return raw(b);
  }

  PickleBytes shortBinString(String s) {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    op('U', b.length);
    return raw(b);
  }

  PickleBytes binString(byte[] b) {
    op('T');
    u32(b.length);
    return raw(b);
  }

  PickleBytes binInt(int v) {
    op('J');
    ByteBuffer bb = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v);
    return raw(bb.array());
  }

  PickleBytes u32(long v) {
    return raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
  }

  PickleBytes raw(byte[] b) {
    out.write(b, 0, b.length);
    return this;
  }

  /** numpy's float32 array: _reconstruct(ndarray, (0,), 'b') BUILD (1, shape, dtype('f4'), fortran, data). */
  PickleBytes floatArray(int[] shape, float[] cOrderData) {
    global("numpy.core.multiarray", "_reconstruct");
    global("numpy", "ndarray");
    binInt(0).op(0x85).shortBinString("b").op(0x87, 'R');
    op('(').binInt(1);
    op('(');
    for (int d : shape) {
      binInt(d);
    }
    op('t');
    global("numpy", "dtype").shortBinString("f4").binInt(0).binInt(1).op(0x87, 'R');
    op('(').binInt(3).shortBinString("<").op('N', 'N', 'N').binInt(-1).binInt(-1).binInt(0).op('t', 'b');
    op(0x89);
    ByteBuffer data = ByteBuffer.allocate(cOrderData.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    data.asFloatBuffer().put(cOrderData);
    binString(data.array());
    return op('t', 'b');
  }

  byte[] bytes() {
    return out.toByteArray();
  }

  /** The pickle behind an NPY v1.0 header for a 0-d object array, as np.save writes a dict. */
  byte[] asNpy() {
    String header = "{'descr': '|O', 'fortran_order': False, 'shape': (), }";
    int total = 10 + header.length() + 1;
    int pad = (16 - total % 16) % 16;
    StringBuilder h = new StringBuilder(header);
    h.append(" ".repeat(pad)).append('\n');
    ByteArrayOutputStream npy = new ByteArrayOutputStream();
    npy.write(0x93);
    npy.writeBytes("NUMPY".getBytes(StandardCharsets.US_ASCII));
    npy.write(1);
    npy.write(0);
    npy.write(h.length() & 0xff);
    npy.write(h.length() >> 8);
    npy.writeBytes(h.toString().getBytes(StandardCharsets.US_ASCII));
    npy.writeBytes(bytes());
    return npy.toByteArray();
  }

  Path writeNpy(Path dir, String name) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, asNpy());
    return p;
  }
}
