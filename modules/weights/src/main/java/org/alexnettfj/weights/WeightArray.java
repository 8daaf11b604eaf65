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
 *
 * @param shape the dimensions, in the logical (C) order
 * @param data the values in C order; not copied, so whoever holds the array can change them
 * @param storedDtype numpy's dtype string as the file held it, e.g. {@code <f4}, {@code <f2}, {@code >f8}
 * @param storedFortranOrder whether the file held the values column-major
 */
public record WeightArray(int[] shape, float[] data, String storedDtype, boolean storedFortranOrder) {

  /**
   * Copies the shape and checks it against the values.
   *
   * @param shape the dimensions, in the logical (C) order
   * @param data the values in C order, not copied
   * @param storedDtype numpy's dtype string as the file held it
   * @param storedFortranOrder whether the file held the values column-major
   * @throws IllegalArgumentException if the shape does not hold exactly {@code data.length} values
   */
  public WeightArray {
    shape = shape.clone();
    if (elementCount(shape) != data.length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " needs " + elementCount(shape) + " values, got " + data.length);
    }
  }

  /**
   * A C-ordered float32 array, as the project itself produces them.
   *
   * @param shape the dimensions
   * @param data the values in C order, not copied
   * @return the array, stored as {@code <f4}, C order
   */
  public static WeightArray of(int[] shape, float[] data) {
    return new WeightArray(shape, data, "<f4", false);
  }

  /**
   * The dimensions, copied so that callers cannot change the array's shape.
   *
   * @return the dimensions in C order
   */
  @Override
  public int[] shape() {
    return shape.clone();
  }

  /**
   * The number of dimensions.
   *
   * @return 4 for a conv kernel, 2 for fc weights, 1 for biases
   */
  public int rank() {
    return shape.length;
  }

  /**
   * numpy's {@code transpose(axes)}: a new C-ordered float32 array whose axis {@code k} is this one's
   * {@code axes[k]}, e.g. {@code (3, 2, 0, 1)} turns TensorFlow's conv kernels {@code [h, w, in, out]} into ONNX's
   * {@code [out, in, h, w]}.
   *
   * @param axes a permutation of {@code 0 .. rank - 1}
   * @return a new array; this one is left as it is
   * @throws IllegalArgumentException if there are not {@link #rank()} axes
   */
  public WeightArray transpose(int... axes) {
    if (axes.length != shape.length) {
      throw new IllegalArgumentException("transpose of a rank-" + shape.length + " array needs " + shape.length
          + " axes, got " + Arrays.toString(axes));
    }
    return of(Transpose.permutedShape(shape, axes), Transpose.permute(data, shape, axes));
  }

  /**
   * One dimension, without copying the shape.
   *
   * @param axis from 0 to {@code rank() - 1}
   * @return the size along that axis
   */
  public int dim(int axis) {
    return shape[axis];
  }

  /**
   * The number of values.
   *
   * @return {@code data().length}
   */
  public int size() {
    return data.length;
  }

  /**
   * Whether the array has exactly the given dimensions.
   *
   * @param expected the dimensions, e.g. {@code 4096, 1000}
   * @return true when rank and every dimension match
   */
  public boolean hasShape(int... expected) {
    return Arrays.equals(shape, expected);
  }

  /**
   * The shape as Python prints it, e.g. {@code (11, 11, 3, 96)} or {@code (1000,)}.
   *
   * @return the shape as a Python tuple
   */
  public String shapeString() {
    return shapeString(shape);
  }

  /**
   * Any shape as Python prints it, for messages that compare the expected with the found.
   *
   * @param shape the dimensions
   * @return them as a Python tuple, e.g. {@code (1000,)}
   */
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

  /** Equal when shape, values and stored form are all equal (arrays compared by content). */
  @Override
  public boolean equals(Object o) {
    return o instanceof WeightArray w
        && Arrays.equals(shape, w.shape)
        && Arrays.equals(data, w.data)
        && storedDtype.equals(w.storedDtype)
        && storedFortranOrder == w.storedFortranOrder;
  }

  /** Hashes shape and values by content, consistent with {@link #equals(Object)}. */
  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
  }

  /** The shape and stored form, without the values (they can be millions). */
  @Override
  public String toString() {
    return "WeightArray" + shapeString() + " " + storedDtype + (storedFortranOrder ? " fortran" : "");
  }
}
