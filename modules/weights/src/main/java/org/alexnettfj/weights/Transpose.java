package org.alexnettfj.weights;

/** numpy's {@code transpose(axes)} on a C-ordered float array, into a new C-ordered array. */
final class Transpose {

  private Transpose() {
  }

  static int[] permutedShape(int[] shape, int[] axes) {
    int[] out = new int[axes.length];
    for (int i = 0; i < axes.length; i++) {
      out[i] = shape[axes[i]];
    }
    return out;
  }

  /** out[i0, i1, ...] = in[j] where input axis axes[k] takes index i_k. */
  static float[] permute(float[] in, int[] shape, int[] axes) {
    int rank = shape.length;
    int[] inStrides = new int[rank];
    for (int i = rank - 1, s = 1; i >= 0; i--) {
      inStrides[i] = s;
      s *= shape[i];
    }
    int[] outShape = permutedShape(shape, axes);
    int[] step = new int[rank];
    for (int k = 0; k < rank; k++) {
      step[k] = inStrides[axes[k]];
    }
    float[] out = new float[in.length];
    int[] idx = new int[rank];
    int src = 0;
    for (int o = 0; o < out.length; o++) {
      out[o] = in[src];
      for (int k = rank - 1; k >= 0; k--) {
        src += step[k];
        if (++idx[k] < outShape[k]) {
          break;
        }
        src -= step[k] * outShape[k];
        idx[k] = 0;
      }
    }
    return out;
  }
}
