package org.alexnettfj.weights;

import java.nio.ByteBuffer;

/**
 * Turns a stream of raw array bytes into the final C-ordered float array, without a second full-size copy.
 *
 * <p>C-ordered data is bulk-copied straight into place. Fortran-ordered data (fc7 and fc8 of the classic file)
 * arrives column by column; a few whole columns are staged at a time and written out row by row, which keeps the
 * transpose cache-friendly and the extra memory to a few hundred KB.
 */
final class FloatDecoder {

  private static final int STAGING_ELEMENTS = 1 << 16;

  private final float[] dest;
  private final Dtype dtype;
  private final boolean fortran;
  private int done;

  // Fortran order: column length (axis 0) and the C-order offsets of the remaining axes' positions.
  private final int rows;
  private final int columns;
  private final int[] innerShape;
  private final int[] innerCounter;
  private final int[] innerStrides;
  private int innerOffset;
  private float[] staging;
  private int staged;

  FloatDecoder(float[] dest, Dtype dtype, int[] shape, boolean fortran) {
    this.dest = dest;
    this.dtype = dtype;
    this.fortran = fortran && shape.length > 1;
    this.rows = shape.length == 0 ? 1 : shape[0];
    this.columns = rows == 0 ? 0 : dest.length / rows;
    this.innerShape = shape.length > 1 ? java.util.Arrays.copyOfRange(shape, 1, shape.length) : new int[0];
    this.innerCounter = new int[innerShape.length];
    this.innerStrides = new int[innerShape.length];
    for (int i = innerShape.length - 1, stride = 1; i >= 0; i--) {
      innerStrides[i] = stride;
      stride *= innerShape[i];
    }
    if (this.fortran && rows > 0) {
      int perStage = Math.max(1, Math.min(columns, STAGING_ELEMENTS / rows));
      staging = new float[perStage * rows];
    }
  }

  boolean complete() {
    return done == dest.length;
  }

  int elementsDone() {
    return done;
  }

  /** Consumes as many whole elements as {@code bytes} holds (up to the array's end); leaves any partial one. */
  void accept(ByteBuffer bytes) {
    bytes.order(dtype.order());
    if (!fortran) {
      int n = Math.min(bytes.remaining() / dtype.itemSize(), dest.length - done);
      convert(bytes, dest, done, n);
      done += n;
      return;
    }
    while (done + staged < dest.length && bytes.remaining() >= dtype.itemSize()) {
      int n = Math.min(bytes.remaining() / dtype.itemSize(),
          Math.min(staging.length - staged, dest.length - done - staged));
      convert(bytes, staging, staged, n);
      staged += n;
      if (staged == staging.length || done + staged == dest.length) {
        flushColumns();
      }
    }
  }

  /** Writes the staged whole columns into their C-order places, row by row. */
  private void flushColumns() {
    int cols = staged / rows;
    if (innerShape.length == 1) {
      // 2-D: the staged columns are contiguous in each destination row.
      int c0 = done / rows;
      for (int r = 0; r < rows; r++) {
        int base = r * columns + c0;
        for (int t = 0; t < cols; t++) {
          dest[base + t] = staging[t * rows + r];
        }
      }
    } else {
      for (int t = 0; t < cols; t++) {
        int off = innerOffset;
        for (int r = 0; r < rows; r++) {
          dest[r * columns + off] = staging[t * rows + r];
        }
        advanceInner();
      }
    }
    done += cols * rows;
    staged = 0;
  }

  /** Steps to the next column in Fortran order (first inner axis fastest), tracking its C-order offset. */
  private void advanceInner() {
    int[] strides = innerStrides;
    for (int axis = 0; axis < innerShape.length; axis++) {
      innerCounter[axis]++;
      innerOffset += strides[axis];
      if (innerCounter[axis] < innerShape[axis]) {
        return;
      }
      innerOffset -= strides[axis] * innerShape[axis];
      innerCounter[axis] = 0;
    }
  }

  private void convert(ByteBuffer src, float[] out, int off, int n) {
    switch (dtype.itemSize()) {
      case 4 -> {
        src.asFloatBuffer().get(out, off, n);
        src.position(src.position() + 4 * n);
      }
      case 8 -> {
        var doubles = src.asDoubleBuffer();
        for (int i = 0; i < n; i++) {
          out[off + i] = (float) doubles.get(i);
        }
        src.position(src.position() + 8 * n);
      }
      case 2 -> {
        var halves = src.asShortBuffer();
        for (int i = 0; i < n; i++) {
          out[off + i] = halfToFloat(halves.get(i));
        }
        src.position(src.position() + 2 * n);
      }
      default -> throw new IllegalStateException("not a float dtype: " + dtype);
    }
  }

  /** IEEE 754 binary16 to float32. */
  static float halfToFloat(short bits) {
    return Float16.toFloat(bits);
  }
}
