package org.alexnettfj.data.train;

import java.util.List;
import java.util.Random;
import org.alexnettfj.data.BgrImage;
import org.alexnettfj.data.ImageDecodeException;
import org.alexnettfj.data.ImageDecoder;

/**
 * The paper's colour augmentation ("PCA lighting", section 4.1): to every pixel of an image add
 * {@code sum_i alpha_i * lambda_i * p_i}, with {@code p_i, lambda_i} the eigenvectors and eigenvalues of the 3x3
 * RGB covariance of the training pixels and one {@code alpha_i ~ N(0, alphaStd)} per image.
 *
 * <p>Units: eigenvalues and eigenvectors are for RGB pixel values scaled to [0, 1], the convention of the widely
 * copied ImageNet constants ({@link #IMAGENET}, from fb.resnet.torch); the shift is therefore multiplied by 255 to
 * act on our 0..255 samples, and applied to blue, green and red in the network's channel order. Those constants
 * are used as given: their leading "eigenvalue" 0.2175 is more than the total variance of ImageNet pixels in
 * [0, 1] (about 0.155 from the usual per-channel std 0.229, 0.224, 0.225), so they are not plain covariance
 * eigenvalues; {@link #fromSample} computes true ones for your own data.
 *
 * <pre>{@code
 * PcaColor imagenet = PcaColor.IMAGENET;                                  // alphaStd 0.1
 * PcaColor mine = PcaColor.fromSample(train, 200, ImageDecoder.DEFAULT);  // from 200 training images
 * }</pre>
 *
 * @param eigenvalues largest first, for RGB in [0, 1]
 * @param eigenvectors {@code eigenvectors[channel][k]} (channel 0 = R, 1 = G, 2 = B): column k goes with
 *     {@code eigenvalues[k]}
 * @param alphaStd the standard deviation of each {@code alpha_i} (0.1 in the paper)
 */
public record PcaColor(double[] eigenvalues, double[][] eigenvectors, double alphaStd) {

  /** ImageNet's values as used by fb.resnet.torch and its many ports, with the paper's alpha std 0.1. */
  public static final PcaColor IMAGENET = new PcaColor(new double[] {0.2175, 0.0188, 0.0045},
      new double[][] {{-0.5675, 0.7192, 0.4009}, {-0.5808, -0.0045, -0.8140}, {-0.5836, -0.6948, 0.4203}}, 0.1);

  /**
   * Checks the shapes and copies the arrays.
   *
   * @param eigenvalues three, largest first, for RGB in [0, 1]
   * @param eigenvectors a 3x3 matrix, column k for {@code eigenvalues[k]}
   * @param alphaStd the standard deviation of each {@code alpha_i}, not negative
   * @throws IllegalArgumentException if the shapes are not 3 and 3x3 or {@code alphaStd} is negative or NaN
   */
  public PcaColor {
    if (eigenvalues.length != 3 || eigenvectors.length != 3) {
      throw new IllegalArgumentException("expected 3 eigenvalues and a 3x3 eigenvector matrix");
    }
    for (double[] row : eigenvectors) {
      if (row.length != 3) {
        throw new IllegalArgumentException("expected a 3x3 eigenvector matrix");
      }
    }
    if (!(alphaStd >= 0)) {
      throw new IllegalArgumentException("alphaStd must be >= 0, got " + alphaStd);
    }
    eigenvalues = eigenvalues.clone();
    eigenvectors = new double[][] {eigenvectors[0].clone(), eigenvectors[1].clone(), eigenvectors[2].clone()};
  }

  /**
   * A copy with another alpha standard deviation.
   *
   * @param std the standard deviation of each {@code alpha_i}; 0 turns the shift off
   * @return the new lighting; this one is unchanged
   */
  public PcaColor withAlphaStd(double std) {
    return new PcaColor(eigenvalues, eigenvectors, std);
  }

  /**
   * The shift {@code 255 * sum_i alpha_i * lambda_i * p_i} added to every pixel, in 0..255 units, as
   * {@code {blue, green, red}}.
   *
   * @param alpha the image's three {@code alpha_i}, already scaled by {@link #alphaStd()}
   * @return the shift, blue first
   */
  public float[] shiftBgr(double[] alpha) {
    float[] bgr = new float[3];
    for (int rgb = 0; rgb < 3; rgb++) {
      double s = 0;
      for (int i = 0; i < 3; i++) {
        s += eigenvectors[rgb][i] * alpha[i] * eigenvalues[i];
      }
      bgr[2 - rgb] = (float) (255 * s);
    }
    return bgr;
  }

  /**
   * Eigenvalues and eigenvectors of the RGB covariance (pixels scaled to [0, 1]) of the first {@code maxImages}
   * decodable images of {@code dataset}; every {@code k}-th pixel is used, so each image adds some 65k to 131k
   * pixels. Images that do not decode are passed over.
   *
   * @param dataset the training images, read in their order
   * @param maxImages how many decodable images to use
   * @param decoder how to decode them
   * @return the lighting for these images, with the paper's alpha std 0.1
   * @throws IllegalArgumentException if no image decodes
   */
  public static PcaColor fromSample(Dataset dataset, int maxImages, ImageDecoder decoder) {
    double[] sum = new double[3];
    double[][] prod = new double[3][3];
    long n = 0;
    int used = 0;
    List<LabeledImage> items = dataset.items();
    for (int i = 0; i < items.size() && used < maxImages; i++) {
      BgrImage img;
      try {
        img = dataset.decode(items.get(i), decoder);
      } catch (ImageDecodeException e) {
        continue;
      }
      used++;
      byte[] p = img.pixels();
      int pixels = p.length / 3;
      int step = Math.max(1, pixels / 65_536);
      for (int k = 0; k < pixels; k += step) {
        double[] rgb = {(p[3 * k + 2] & 0xff) / 255.0, (p[3 * k + 1] & 0xff) / 255.0, (p[3 * k] & 0xff) / 255.0};
        for (int a = 0; a < 3; a++) {
          sum[a] += rgb[a];
          for (int b = 0; b < 3; b++) {
            prod[a][b] += rgb[a] * rgb[b];
          }
        }
        n++;
      }
    }
    if (n < 2) {
      throw new IllegalArgumentException("no decodable images to estimate the colour covariance from");
    }
    double[][] cov = new double[3][3];
    for (int a = 0; a < 3; a++) {
      for (int b = 0; b < 3; b++) {
        cov[a][b] = (prod[a][b] - sum[a] * sum[b] / n) / (n - 1);
      }
    }
    SymmetricEigen3 e = SymmetricEigen3.of(cov);
    return new PcaColor(e.values(), e.vectors(), 0.1);
  }
}
