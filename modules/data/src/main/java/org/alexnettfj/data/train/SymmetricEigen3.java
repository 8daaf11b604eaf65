package org.alexnettfj.data.train;

/**
 * Eigen-decomposition of a symmetric 3x3 matrix by cyclic Jacobi rotations: small, exact to double precision, and
 * enough for the 3x3 RGB covariance of the paper's colour augmentation.
 *
 * <pre>{@code
 * SymmetricEigen3 e = SymmetricEigen3.of(new double[][] {{2, 1, 0}, {1, 2, 0}, {0, 0, 1}});
 * e.values();      // {3, 1, 1}, descending
 * e.vectors();     // vectors[row][k]: column k is the unit eigenvector of values[k]
 * }</pre>
 *
 * @param values eigenvalues, largest first
 * @param vectors unit eigenvectors as columns, {@code vectors[component][k]} for {@code values[k]}
 */
public record SymmetricEigen3(double[] values, double[][] vectors) {

  private static final int MAX_SWEEPS = 50;

  /**
   * Decomposes {@code matrix}.
   *
   * @param matrix a symmetric 3x3 matrix (to within 1e-9 relative)
   * @return its eigenvalues, largest first, and their unit eigenvectors
   * @throws IllegalArgumentException if the matrix is not 3x3 or not symmetric
   */
  public static SymmetricEigen3 of(double[][] matrix) {
    double[][] a = new double[3][3];
    for (int i = 0; i < 3; i++) {
      if (matrix[i].length != 3) {
        throw new IllegalArgumentException("expected a 3x3 matrix");
      }
      for (int j = 0; j < 3; j++) {
        if (Math.abs(matrix[i][j] - matrix[j][i]) > 1e-9 * (1 + Math.abs(matrix[i][j]))) {
          throw new IllegalArgumentException("matrix is not symmetric at (" + i + ", " + j + ")");
        }
        a[i][j] = matrix[i][j];
      }
    }
    double[][] v = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
      double off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2];
      if (off < 1e-30) {
        break;
      }
      for (int p = 0; p < 2; p++) {
        for (int q = p + 1; q < 3; q++) {
          if (a[p][q] == 0) {
            continue;
          }
          // The rotation that zeroes a[p][q] (Golub & Van Loan, Algorithm 8.4.1).
          double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
          double t = Math.signum(theta == 0 ? 1 : theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
          double c = 1 / Math.sqrt(t * t + 1);
          double s = t * c;
          for (int k = 0; k < 3; k++) {
            double akp = a[k][p];
            double akq = a[k][q];
            a[k][p] = c * akp - s * akq;
            a[k][q] = s * akp + c * akq;
          }
          for (int k = 0; k < 3; k++) {
            double apk = a[p][k];
            double aqk = a[q][k];
            a[p][k] = c * apk - s * aqk;
            a[q][k] = s * apk + c * aqk;
          }
          for (int k = 0; k < 3; k++) {
            double vkp = v[k][p];
            double vkq = v[k][q];
            v[k][p] = c * vkp - s * vkq;
            v[k][q] = s * vkp + c * vkq;
          }
        }
      }
    }
    Integer[] order = {0, 1, 2};
    java.util.Arrays.sort(order, (x, y) -> Double.compare(a[y][y], a[x][x]));
    double[] values = new double[3];
    double[][] vectors = new double[3][3];
    for (int k = 0; k < 3; k++) {
      values[k] = a[order[k]][order[k]];
      for (int r = 0; r < 3; r++) {
        vectors[r][k] = v[r][order[k]];
      }
    }
    return new SymmetricEigen3(values, vectors);
  }
}
