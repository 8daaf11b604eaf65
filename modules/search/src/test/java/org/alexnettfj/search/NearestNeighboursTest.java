package org.alexnettfj.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.alexnettfj.search.NearestNeighbours.Metric;
import org.alexnettfj.search.NearestNeighbours.Neighbour;
import org.alexnettfj.weights.Float16;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NearestNeighboursTest {

  @TempDir
  Path dir;

  private FeatureIndex write(String name, float[][] rows, boolean float16) throws Exception {
    Path target = dir.resolve(name);
    try (FeatureIndex.Writer w = FeatureIndex.writer(target, rows[0].length, float16, Map.of("layer", "fc7"))) {
      for (int i = 0; i < rows.length; i++) {
        w.add(rows[i], "img" + i + ".jpg");
      }
      w.commit();
    }
    return FeatureIndex.open(target);
  }

  @Test
  void aToyIndexGivesTheKnownOrder() throws Exception {
    // three images on a line: 0 at the origin, 1 at distance 1, 2 at distance 3 (and at a different angle)
    float[][] rows = {{0, 0}, {1, 0}, {0, 3}};
    try (FeatureIndex index = write("toy.index", rows, false)) {
      List<List<Neighbour>> r = NearestNeighbours.search(index, List.of(new float[] {0.9f, 0}), 3,
          Metric.EUCLIDEAN, 1);
      assertThat(r.get(0)).extracting(Neighbour::path).containsExactly("img1.jpg", "img0.jpg", "img2.jpg");
      assertThat(r.get(0)).extracting(Neighbour::distance).containsExactly(
          (double) (1 - 0.9f), (double) 0.9f, Math.sqrt((double) 0.9f * 0.9f + 9));
      // cosine: img1 points the same way (0), img2 at right angles (1), the zero vector has no angle (1); ties by row
      List<List<Neighbour>> c = NearestNeighbours.search(index, List.of(new float[] {0.9f, 0}), 3, Metric.COSINE, 1);
      assertThat(c.get(0)).extracting(Neighbour::row).containsExactly(1, 0, 2);
      assertThat(c.get(0)).extracting(Neighbour::distance).containsExactly(0.0, 1.0, 1.0);
    }
  }

  /** Against a brute-force double-precision ranking, over several blocks, odd row counts and both dtypes. */
  @ParameterizedTest
  @CsvSource({"EUCLIDEAN,false,1", "EUCLIDEAN,true,3", "COSINE,false,2", "COSINE,true,1"})
  void matchesBruteForceAndFindsEachImageItself(Metric metric, boolean float16, int threads) throws Exception {
    Random random = new Random(11);
    int n = 203;
    int d = 4096;
    float[][] rows = new float[n][d];
    for (float[] r : rows) {
      for (int j = 0; j < d; j++) {
        // fc7-like: non-negative (ReLU), many zeros
        r[j] = random.nextFloat() < 0.6f ? 0 : random.nextFloat() * 4;
      }
    }
    rows[57] = new float[d];   // an all-zero row
    float[][] stored = new float[n][];
    for (int i = 0; i < n; i++) {
      stored[i] = rows[i].clone();
      if (float16) {
        for (int j = 0; j < d; j++) {
          stored[i][j] = Float16.toFloat(Float16.fromFloat(rows[i][j]));
        }
      }
    }
    List<float[]> queries = new ArrayList<>();
    for (int q : new int[] {0, 5, 63, 64, 130, 202}) {
      queries.add(rows[q]);   // float32: against a float16 index it is rounded as the rows were
    }
    float[] fresh = new float[d];
    for (int j = 0; j < d; j++) {
      fresh[j] = random.nextFloat();
    }
    queries.add(fresh);
    List<float[]> asStored = new ArrayList<>();
    for (float[] v : queries) {
      float[] r = v.clone();
      for (int j = 0; j < d && float16; j++) {
        r[j] = Float16.toFloat(Float16.fromFloat(v[j]));
      }
      asStored.add(r);
    }
    int k = 7;
    try (FeatureIndex index = write("big.index", rows, float16)) {
      assertThat(index.float16()).isEqualTo(float16);
      List<List<Neighbour>> got = NearestNeighbours.search(index, queries, k, metric, threads);
      for (int qi = 0; qi < queries.size(); qi++) {
        float[] q = asStored.get(qi);
        List<double[]> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          expected.add(new double[] {reference(q, stored[i], metric), i});
        }
        expected.sort(Comparator.<double[]>comparingDouble(e -> e[0]).thenComparingDouble(e -> e[1]));
        List<Neighbour> g = got.get(qi);
        assertThat(g).hasSize(k);
        for (int r = 0; r < k; r++) {
          assertThat(g.get(r).row()).as("query %d rank %d", qi, r).isEqualTo((int) expected.get(r)[1]);
          assertThat(g.get(r).distance()).isEqualTo(expected.get(r)[0]);
          assertThat(g.get(r).path()).isEqualTo("img" + g.get(r).row() + ".jpg");
        }
        if (qi < queries.size() - 1) {
          assertThat(g.get(0).distance()).as("an image's distance to itself").isZero();
        }
      }
    }
  }

  private static double reference(float[] q, float[] x, Metric metric) {
    if (metric == Metric.EUCLIDEAN) {
      double s = 0;
      for (int j = 0; j < q.length; j++) {
        s += ((double) q[j] - x[j]) * ((double) q[j] - x[j]);
      }
      return Math.sqrt(s);
    }
    double dot = 0;
    double qq = 0;
    double xx = 0;
    for (int j = 0; j < q.length; j++) {
      dot += (double) q[j] * x[j];
      qq += (double) q[j] * q[j];
      xx += (double) x[j] * x[j];
    }
    return qq > 0 && xx > 0 ? Math.max(0, 1 - dot / Math.sqrt(qq * xx)) : 1;
  }

  @Test
  void fewerRowsThanKGivesThemAll() throws Exception {
    try (FeatureIndex index = write("two.index", new float[][] {{1, 2, 3}, {3, 2, 1}}, false)) {
      List<List<Neighbour>> r = NearestNeighbours.search(index, List.of(new float[] {3, 2, 1}), 5,
          Metric.EUCLIDEAN, 4);
      assertThat(r.get(0)).extracting(Neighbour::row).containsExactly(1, 0);
    }
  }

  @Test
  void theBlockedProductEqualsDotProducts() {
    Random random = new Random(3);
    int d = 37;
    int nq = 6;
    int rows = 8;
    float[] q = new float[nq * d];
    float[] x = new float[rows * d];
    IntStream.range(0, q.length).forEach(i -> q[i] = random.nextFloat() - 0.5f);
    IntStream.range(0, x.length).forEach(i -> x[i] = random.nextFloat() - 0.5f);
    float[] dots = new float[nq * NearestNeighbours.BLOCK];
    NearestNeighbours.dots(q, nq, x, rows, d, dots);
    for (int i = 0; i < nq; i++) {
      for (int r = 0; r < rows; r++) {
        double s = 0;
        for (int j = 0; j < d; j++) {
          s += (double) q[i * d + j] * x[r * d + j];
        }
        assertThat((double) dots[i * NearestNeighbours.BLOCK + r]).isCloseTo(s, org.assertj.core.data.Offset.offset(
            1e-5));
      }
    }
  }

  @Test
  void refusesAQueryOfTheWrongLength() throws Exception {
    try (FeatureIndex index = write("w.index", new float[][] {{1, 2, 3}}, false)) {
      assertThatThrownBy(() -> NearestNeighbours.search(index, List.of(new float[4]), 1, Metric.EUCLIDEAN, 1))
          .hasMessageContaining("query of 4 values").hasMessageContaining("rows of 3");
      assertThatThrownBy(() -> NearestNeighbours.search(index, List.of(new float[3]), 0, Metric.EUCLIDEAN, 1))
          .hasMessageContaining("k must be at least 1");
    }
  }
}
