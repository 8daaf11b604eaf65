package org.alexnettfj.data.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SymmetricEigen3Test {

  @Test
  void sortsTheEigenvaluesOfADiagonalMatrixWithAxisVectors() {
    SymmetricEigen3 e = SymmetricEigen3.of(new double[][] {{1, 0, 0}, {0, 5, 0}, {0, 0, 3}});
    assertThat(e.values()).containsExactly(new double[] {5, 3, 1}, within(1e-12));
    assertThat(Math.abs(e.vectors()[1][0])).as("largest eigenvalue's vector is the y axis").isCloseTo(1, within(1e-12));
    assertThat(Math.abs(e.vectors()[2][1])).isCloseTo(1, within(1e-12));
    assertThat(Math.abs(e.vectors()[0][2])).isCloseTo(1, within(1e-12));
  }

  @Test
  void recoversTheEigenpairsOfAKnownRotatedMatrix() {
    // By hand: [[2,1,0],[1,2,0],[0,0,1]] has eigenvalues 3 ((1,1,0)/√2), 1 ((1,-1,0)/√2 and (0,0,1)).
    // Rotate it by R (45° about z then 30° about x) to get a dense matrix A = R M Rᵀ with the same eigenvalues.
    double c = Math.cos(Math.PI / 6);
    double s = Math.sin(Math.PI / 6);
    double r2 = Math.sqrt(0.5);
    double[][] rz = {{r2, -r2, 0}, {r2, r2, 0}, {0, 0, 1}};
    double[][] rx = {{1, 0, 0}, {0, c, -s}, {0, s, c}};
    double[][] r = mul(rx, rz);
    double[][] m = {{4, 0, 0}, {0, 2, 0}, {0, 0, 1}};
    double[][] a = mul(mul(r, m), transpose(r));
    SymmetricEigen3 e = SymmetricEigen3.of(a);
    assertThat(e.values()).containsExactly(new double[] {4, 2, 1}, within(1e-12));
    for (int k = 0; k < 3; k++) {
      double dot = 0;
      for (int i = 0; i < 3; i++) {
        dot += e.vectors()[i][k] * r[i][k];
      }
      assertThat(Math.abs(dot)).as("eigenvector %d is column %d of the rotation (up to sign)", k, k)
          .isCloseTo(1, within(1e-12));
    }
  }

  private static double[][] mul(double[][] x, double[][] y) {
    double[][] out = new double[3][3];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        for (int k = 0; k < 3; k++) {
          out[i][j] += x[i][k] * y[k][j];
        }
      }
    }
    return out;
  }

  private static double[][] transpose(double[][] x) {
    double[][] out = new double[3][3];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        out[i][j] = x[j][i];
      }
    }
    return out;
  }
}
