package org.alexnettfj.graph;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.alexnettfj.weights.WeightArray;

/**
 * AlexNet's forward pass in float64 with plain loops, written from the definitions and sharing no code with the
 * TensorFlow graph: the independent reference the graph is checked against.
 *
 * <p>Definitions used, per image, activations in (h, w, c) order:
 * <ul>
 *   <li>convolution: {@code out[y][x][o] = b[o] + sum over ky, kx, i of in[y*s - pad + ky][x*s - pad + kx]
 *       [g*Cg + i] * W[ky][kx][i][o]}, with {@code g = o / (O / groups)} the group of output channel {@code o},
 *       {@code Cg = C / groups} and zero outside the image. SAME pads {@code (k - 1) / 2} before (stride 1),
 *       VALID pads nothing.</li>
 *   <li>LRN as Caffe defines it (ACROSS_CHANNELS): {@code b_c = a_c / (k + alpha / n * sum over c' of
 *       a_c'^2)^beta}, {@code c'} from {@code c - (n-1)/2} to {@code c + (n-1)/2} within the channels, with Caffe's
 *       own parameters {@code n = 5, alpha = 1e-4, beta = 0.75, k = 1}. TensorFlow's
 *       {@code a / (bias + alpha' * sum over [c - r, c + r])^beta} is the same with {@code r = (n-1)/2 = 2},
 *       {@code alpha' = alpha / n = 2e-5}, {@code bias = k}: matching proves that correspondence.</li>
 *   <li>max pooling 3x3 stride 2 over the valid windows only.</li>
 *   <li>fully connected: {@code out[o] = b[o] + sum over i of in[i] * W[i][o]}, pool5 flattened in (h, w, c)
 *       order.</li>
 * </ul>
 */
final class ReferenceAlexNet {

  static final int CAFFE_LRN_LOCAL_SIZE = 5;
  static final double CAFFE_LRN_ALPHA = 1e-4;
  static final double CAFFE_LRN_BETA = 0.75;
  static final double CAFFE_LRN_K = 1.0;

  /** An activation volume of one image, (h, w, c) order. */
  record Volume(double[] data, int h, int w, int c) {

    Volume {
      if (data.length != h * w * c) {
        throw new IllegalArgumentException("volume " + h + "x" + w + "x" + c + " needs " + h * w * c + " values");
      }
    }

    static Volume of(float[] values, int h, int w, int c) {
      double[] d = new double[values.length];
      for (int i = 0; i < d.length; i++) {
        d[i] = values[i];
      }
      return new Volume(d, h, w, c);
    }
  }

  private ReferenceAlexNet() {
  }

  /**
   * Every layer's output for one 227x227x3 image, by the graph's layer names.
   *
   * @param params {@code conv1/weights} … {@code fc8/biases}
   */
  static Map<String, double[]> forward(float[] image, Function<String, WeightArray> params) {
    Map<String, double[]> out = new LinkedHashMap<>();
    Volume x = Volume.of(image, 227, 227, 3);
    Volume conv1 = relu(conv(x, params.apply("conv1/weights"), params.apply("conv1/biases"), 4, false, 1));
    out.put("conv1", conv1.data());
    Volume norm1 = lrnCaffe(conv1, CAFFE_LRN_LOCAL_SIZE, CAFFE_LRN_ALPHA, CAFFE_LRN_BETA, CAFFE_LRN_K);
    out.put("norm1", norm1.data());
    Volume pool1 = maxPool(norm1, 3, 2);
    out.put("pool1", pool1.data());
    Volume conv2 = relu(conv(pool1, params.apply("conv2/weights"), params.apply("conv2/biases"), 1, true, 2));
    out.put("conv2", conv2.data());
    Volume norm2 = lrnCaffe(conv2, CAFFE_LRN_LOCAL_SIZE, CAFFE_LRN_ALPHA, CAFFE_LRN_BETA, CAFFE_LRN_K);
    out.put("norm2", norm2.data());
    Volume pool2 = maxPool(norm2, 3, 2);
    out.put("pool2", pool2.data());
    Volume conv3 = relu(conv(pool2, params.apply("conv3/weights"), params.apply("conv3/biases"), 1, true, 1));
    out.put("conv3", conv3.data());
    Volume conv4 = relu(conv(conv3, params.apply("conv4/weights"), params.apply("conv4/biases"), 1, true, 2));
    out.put("conv4", conv4.data());
    Volume conv5 = relu(conv(conv4, params.apply("conv5/weights"), params.apply("conv5/biases"), 1, true, 2));
    out.put("conv5", conv5.data());
    Volume pool5 = maxPool(conv5, 3, 2);
    out.put("pool5", pool5.data());
    classifier(pool5.data(), params, out);
    return out;
  }

  /** fc6 … prob from flattened pool5, added to {@code out}. */
  static void classifier(double[] pool5, Function<String, WeightArray> params, Map<String, double[]> out) {
    double[] fc6 = relu(fc(pool5, params.apply("fc6/weights"), params.apply("fc6/biases")));
    out.put("fc6", fc6);
    double[] fc7 = relu(fc(fc6, params.apply("fc7/weights"), params.apply("fc7/biases")));
    out.put("fc7", fc7);
    double[] fc8 = fc(fc7, params.apply("fc8/weights"), params.apply("fc8/biases"));
    out.put("fc8", fc8);
    out.put("prob", softmax(fc8));
  }

  /** Convolution with HWIO weights {@code [kh, kw, C / groups, O]}; SAME or VALID padding as TensorFlow pads. */
  static Volume conv(Volume in, WeightArray weights, WeightArray biases, int stride, boolean same, int groups) {
    int kh = weights.dim(0);
    int kw = weights.dim(1);
    int cg = weights.dim(2);
    int outChannels = weights.dim(3);
    if (cg * groups != in.c() || outChannels % groups != 0) {
      throw new IllegalArgumentException("weights " + weights.shapeString() + " do not fit " + in.c()
          + " channels in " + groups + " groups");
    }
    int og = outChannels / groups;
    int outH = same ? ceilDiv(in.h(), stride) : (in.h() - kh) / stride + 1;
    int outW = same ? ceilDiv(in.w(), stride) : (in.w() - kw) / stride + 1;
    int padTop = same ? Math.max((outH - 1) * stride + kh - in.h(), 0) / 2 : 0;
    int padLeft = same ? Math.max((outW - 1) * stride + kw - in.w(), 0) / 2 : 0;
    double[] w = toDouble(weights.data());
    double[] b = toDouble(biases.data());
    double[] out = new double[outH * outW * outChannels];
    double[] acc = new double[outChannels];
    for (int oy = 0; oy < outH; oy++) {
      for (int ox = 0; ox < outW; ox++) {
        System.arraycopy(b, 0, acc, 0, outChannels);
        for (int ky = 0; ky < kh; ky++) {
          int iy = oy * stride - padTop + ky;
          if (iy < 0 || iy >= in.h()) {
            continue;
          }
          for (int kx = 0; kx < kw; kx++) {
            int ix = ox * stride - padLeft + kx;
            if (ix < 0 || ix >= in.w()) {
              continue;
            }
            int inBase = (iy * in.w() + ix) * in.c();
            for (int g = 0; g < groups; g++) {
              for (int i = 0; i < cg; i++) {
                double v = in.data()[inBase + g * cg + i];
                if (v == 0) {
                  continue;
                }
                int wBase = ((ky * kw + kx) * cg + i) * outChannels + g * og;
                int aBase = g * og;
                for (int o = 0; o < og; o++) {
                  acc[aBase + o] += v * w[wBase + o];
                }
              }
            }
          }
        }
        System.arraycopy(acc, 0, out, (oy * outW + ox) * outChannels, outChannels);
      }
    }
    return new Volume(out, outH, outW, outChannels);
  }

  /** Caffe's LRN across channels, in Caffe's own parameters (see the class comment). */
  static Volume lrnCaffe(Volume a, int localSize, double alpha, double beta, double k) {
    int half = (localSize - 1) / 2;
    double[] out = new double[a.data().length];
    for (int p = 0; p < a.h() * a.w(); p++) {
      int base = p * a.c();
      for (int c = 0; c < a.c(); c++) {
        double sum = 0;
        for (int j = Math.max(0, c - half); j <= Math.min(a.c() - 1, c + half); j++) {
          double v = a.data()[base + j];
          sum += v * v;
        }
        out[base + c] = a.data()[base + c] / Math.pow(k + alpha / localSize * sum, beta);
      }
    }
    return new Volume(out, a.h(), a.w(), a.c());
  }

  /** Max over {@code size x size} windows at stride {@code stride}, windows wholly inside (VALID). */
  static Volume maxPool(Volume in, int size, int stride) {
    int outH = (in.h() - size) / stride + 1;
    int outW = (in.w() - size) / stride + 1;
    double[] out = new double[outH * outW * in.c()];
    for (int oy = 0; oy < outH; oy++) {
      for (int ox = 0; ox < outW; ox++) {
        for (int c = 0; c < in.c(); c++) {
          double max = Double.NEGATIVE_INFINITY;
          for (int ky = 0; ky < size; ky++) {
            for (int kx = 0; kx < size; kx++) {
              max = Math.max(max, in.data()[((oy * stride + ky) * in.w() + ox * stride + kx) * in.c() + c]);
            }
          }
          out[(oy * outW + ox) * in.c() + c] = max;
        }
      }
    }
    return new Volume(out, outH, outW, in.c());
  }

  /** {@code x · W + b} with W {@code [in, out]} row-major. */
  static double[] fc(double[] x, WeightArray weights, WeightArray biases) {
    int in = weights.dim(0);
    int outSize = weights.dim(1);
    if (x.length != in) {
      throw new IllegalArgumentException("fc weights " + weights.shapeString() + " need " + in + " inputs, got "
          + x.length);
    }
    float[] w = weights.data();
    double[] out = toDouble(biases.data());
    for (int i = 0; i < in; i++) {
      double v = x[i];
      if (v == 0) {
        continue;
      }
      int base = i * outSize;
      for (int o = 0; o < outSize; o++) {
        out[o] += v * w[base + o];
      }
    }
    return out;
  }

  static Volume relu(Volume v) {
    return new Volume(relu(v.data()), v.h(), v.w(), v.c());
  }

  static double[] relu(double[] x) {
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = Math.max(0, x[i]);
    }
    return out;
  }

  static double[] softmax(double[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : logits) {
      max = Math.max(max, v);
    }
    double sum = 0;
    double[] out = new double[logits.length];
    for (int i = 0; i < logits.length; i++) {
      out[i] = Math.exp(logits[i] - max);
      sum += out[i];
    }
    for (int i = 0; i < out.length; i++) {
      out[i] /= sum;
    }
    return out;
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  private static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
