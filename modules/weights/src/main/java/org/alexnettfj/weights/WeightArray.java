package org.alexnettfj.weights;

import java.util.Arrays;

/**
 * One named tensor from a weight file, as float32 in C (row-major) order, whatever order and dtype it was stored in.
 *
 * <p>{@code storedDtype} and {@code storedFortranOrder} say how the file held it (for {@code inspect} and for
 * writing the same form back); {@code data} is always the logical C-order view, so {@code fc7/weights} of the
 * classic file — stored Fortran-ordered — reads as the {@code [in, out]} matrix the graph expects.
 *
 * <pre>{@code
 * WeightArray w = file.array("conv1/weights");   // shape [11, 11, 3, 96], HWIO
 * float first = w.data()[0];
 * }</pre>
 */
public record WeightArray(int[] shape, float[] data, String storedDtype, boolean storedFortranOrder) {

  public WeightArray {
    shape = shape.clone();
    if (elementCount(shape) != data.length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " needs " + elementCount(shape) + " values, got " + data.length);
    }
  }

  /** A C-ordered float32 array, as the project itself produces them. */
  public static WeightArray of(int[] shape, float[] data) {
    return new WeightArray(shape, data, "<f4", false);
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  /**
   * numpy's {@code transpose(axes)}: a new C-ordered float32 array whose axis {@code k} is this one's
   * {@code axes[k]}, e.g. {@code (3, 2, 0, 1)} turns TensorFlow's conv kernels {@code [h, w, in, out]} into ONNX's
   * {@code [out, in, h, w]}.
   */
  public WeightArray transpose(int... axes) {
    if (axes.length != shape.length) {
      throw new IllegalArgumentException("transpose of a rank-" + shape.length + " array needs " + shape.length
          + " axes, got " + Arrays.toString(axes));
    }
    return of(Transpose.permutedShape(shape, axes), Transpose.permute(data, shape, axes));
  }

  public int dim(int axis) {
    return shape[axis];
  }

  public int size() {
    return data.length;
  }

  public boolean hasShape(int... expected) {
    return Arrays.equals(shape, expected);
  }

  /** The shape as Python prints it, e.g. {@code (11, 11, 3, 96)} or {@code (1000,)}. */
  public String shapeString() {
    return shapeString(shape);
  }

  public static String shapeString(int[] shape) {
    if (shape.length == 1) {
      return "(" + shape[0] + ",)";
    }
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    return sb.append(')').toString();
  }

  static long elementCount(int[] shape) {
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        return -1;
      }
      n *= d;
      if (n > Integer.MAX_VALUE) {
        return -1;
      }
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WeightArray w
        && Arrays.equals(shape, w.shape)
        && Arrays.equals(data, w.data)
        && storedDtype.equals(w.storedDtype)
        && storedFortranOrder == w.storedFortranOrder;
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "WeightArray" + shapeString() + " " + storedDtype + (storedFortranOrder ? " fortran" : "");
  }
}
