package org.alexnettfj.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.alexnettfj.weights.Float16;

/**
 * Exact k-nearest-neighbour search over a {@link FeatureIndex}: every row is compared with every query.
 *
 * <p>Rows are read block by block from the mapped index, and distances come from dot products computed four
 * queries by four rows at a time (each value loaded is used four times), as a blocked matrix product does. That
 * gives candidates; the best of them are then measured again exactly, in double precision and term by term, so
 * the distances returned are exact (an image's distance to itself is 0) and ties are broken by row. Against a
 * float16 index the queries are first rounded to float16 too, so that an indexed image still finds itself at 0.
 *
 * <p>Exact search reads the whole index per batch of queries: about a second per million fc7 rows on a core (see
 * BENCHMARKS.md). For hundreds of millions of images, use an approximate index (FAISS, HNSW, Lucene's vector
 * search) over the same {@code features.npy}; this class is then the ground truth to measure its recall against.
 */
public final class NearestNeighbours {

  /** How distance is measured. */
  public enum Metric {
    /** {@code sqrt(sum((q - x)^2))}: the paper's Figure 4. */
    EUCLIDEAN,
    /** {@code 1 - q.x / (|q| |x|)}, in [0, 2]; 1 when either vector is all zeros. */
    COSINE
  }

  /** One neighbour: its row in the index, its image and its distance to the query. */
  public record Neighbour(int row, String path, double distance) {
  }

  /** Rows compared per block: 64 fc7 rows are 1 MB, which stays in a core's cache while every query uses it. */
  static final int BLOCK = 64;

  private NearestNeighbours() {
  }

  /**
   * The {@code k} nearest rows to each query (fewer when the index is smaller), nearest first.
   *
   * @param queries vectors of {@link FeatureIndex#dims()} values
   * @param threads threads sharing the rows (1 or more)
   */
  public static List<List<Neighbour>> search(FeatureIndex index, List<float[]> queries, int k, Metric metric,
      int threads) throws InterruptedException {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, was " + k);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, was " + threads);
    }
    int d = index.dims();
    for (float[] q : queries) {
      if (q.length != d) {
        throw new IllegalArgumentException("query of " + q.length + " values, but the index " + index.location()
            + " holds rows of " + d);
      }
    }
    if (index.float16()) {
      List<float[]> rounded = new ArrayList<>();
      for (float[] v : queries) {
        float[] r = new float[d];
        for (int j = 0; j < d; j++) {
          r[j] = Float16.toFloat(Float16.fromFloat(v[j]));
        }
        rounded.add(r);
      }
      queries = rounded;
    }
    int nq = queries.size();
    if (nq == 0 || index.size() == 0) {
      List<List<Neighbour>> none = new ArrayList<>();
      queries.forEach(q -> none.add(List.of()));
      return none;
    }
    // Candidates kept by the fast pass: more than k, so float rounding cannot push a true neighbour out.
    int candidates = Math.min(index.size(), k + Math.max(k, 16));
    float[] q = new float[nq * d];
    float[] qNorm2 = new float[nq];
    for (int i = 0; i < nq; i++) {
      float[] v = queries.get(i);
      double s = 0;
      for (float x : v) {
        s += (double) x * x;
      }
      double scale = metric == Metric.COSINE ? (s > 0 ? 1 / Math.sqrt(s) : 0) : 1;
      for (int j = 0; j < d; j++) {
        q[i * d + j] = (float) (v[j] * scale);
      }
      qNorm2[i] = (float) s;
    }
    int blocks = (index.size() + BLOCK - 1) / BLOCK;
    AtomicInteger next = new AtomicInteger();
    int workers = Math.min(threads, blocks);
    List<Candidates[]> results = new ArrayList<>();
    if (workers == 1) {
      results.add(scan(index, q, qNorm2, nq, metric, candidates, next, blocks));
    } else {
      ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
        Thread t = new Thread(r, "nearest-neighbours");
        t.setDaemon(true);
        return t;
      });
      try {
        List<Future<Candidates[]>> futures = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
          futures.add(pool.submit(() -> scan(index, q, qNorm2, nq, metric, candidates, next, blocks)));
        }
        for (Future<Candidates[]> f : futures) {
          try {
            results.add(f.get());
          } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
          }
        }
      } finally {
        pool.shutdownNow();
      }
    }
    List<List<Neighbour>> out = new ArrayList<>();
    for (int i = 0; i < nq; i++) {
      Candidates merged = new Candidates(candidates);
      for (Candidates[] r : results) {
        merged.addAll(r[i]);
      }
      out.add(exact(index, queries.get(i), merged.rows(), k, metric));
    }
    return out;
  }

  /** One thread's pass: claims blocks until none are left, keeping each query's best candidates. */
  private static Candidates[] scan(FeatureIndex index, float[] q, float[] qNorm2, int nq, Metric metric,
      int keep, AtomicInteger next, int blocks) {
    int d = index.dims();
    Candidates[] best = new Candidates[nq];
    for (int i = 0; i < nq; i++) {
      best[i] = new Candidates(keep);
    }
    float[] x = new float[BLOCK * d];
    float[] dots = new float[nq * BLOCK];
    float[] xNorm = new float[BLOCK];
    for (int b = next.getAndIncrement(); b < blocks; b = next.getAndIncrement()) {
      int first = b * BLOCK;
      int n = Math.min(BLOCK, index.size() - first);
      index.rows(first, n, x, 0);
      int padded = (n + 3) & ~3;
      Arrays.fill(x, n * d, padded * d, 0f);
      for (int r = 0; r < n; r++) {
        float s = 0;
        for (int j = r * d, end = j + d; j < end; j++) {
          s += x[j] * x[j];
        }
        xNorm[r] = metric == Metric.COSINE ? (float) Math.sqrt(s) : s;
      }
      dots(q, nq, x, padded, d, dots);
      for (int i = 0; i < nq; i++) {
        Candidates c = best[i];
        for (int r = 0; r < n; r++) {
          float dot = dots[i * BLOCK + r];
          float score = metric == Metric.COSINE ? (xNorm[r] > 0 ? 1 - dot / xNorm[r] : 1)
              : qNorm2[i] + xNorm[r] - 2 * dot;
          c.offer(score, first + r);
        }
      }
    }
    return best;
  }

  /** {@code dots[i * BLOCK + r] = q_i . x_r} for {@code rows} rows (a multiple of 4). */
  static void dots(float[] q, int nq, float[] x, int rows, int d, float[] dots) {
    int i = 0;
    for (; i + 4 <= nq; i += 4) {
      for (int r = 0; r < rows; r += 4) {
        tile4x4(q, i * d, x, r * d, d, dots, i * BLOCK + r);
      }
    }
    for (; i < nq; i++) {
      for (int r = 0; r < rows; r += 4) {
        tile1x4(q, i * d, x, r * d, d, dots, i * BLOCK + r);
      }
    }
  }

  /** Sixteen dot products at once: four query rows by four index rows, 8 loads for 16 multiply-adds. */
  private static void tile4x4(float[] q, int qo, float[] x, int xo, int d, float[] out, int oo) {
    float s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
    float s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
    int a0 = qo, a1 = qo + d, a2 = qo + 2 * d, a3 = qo + 3 * d;
    int b0 = xo, b1 = xo + d, b2 = xo + 2 * d, b3 = xo + 3 * d;
    for (int j = 0; j < d; j++) {
      float x0 = x[b0 + j], x1 = x[b1 + j], x2 = x[b2 + j], x3 = x[b3 + j];
      float q0 = q[a0 + j], q1 = q[a1 + j], q2 = q[a2 + j], q3 = q[a3 + j];
      s00 += q0 * x0; s01 += q0 * x1; s02 += q0 * x2; s03 += q0 * x3;
      s10 += q1 * x0; s11 += q1 * x1; s12 += q1 * x2; s13 += q1 * x3;
      s20 += q2 * x0; s21 += q2 * x1; s22 += q2 * x2; s23 += q2 * x3;
      s30 += q3 * x0; s31 += q3 * x1; s32 += q3 * x2; s33 += q3 * x3;
    }
    out[oo] = s00; out[oo + 1] = s01; out[oo + 2] = s02; out[oo + 3] = s03;
    oo += BLOCK;
    out[oo] = s10; out[oo + 1] = s11; out[oo + 2] = s12; out[oo + 3] = s13;
    oo += BLOCK;
    out[oo] = s20; out[oo + 1] = s21; out[oo + 2] = s22; out[oo + 3] = s23;
    oo += BLOCK;
    out[oo] = s30; out[oo + 1] = s31; out[oo + 2] = s32; out[oo + 3] = s33;
  }

  /** One query row by four index rows, for the queries left over by {@link #tile4x4}. */
  private static void tile1x4(float[] q, int qo, float[] x, int xo, int d, float[] out, int oo) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int b0 = xo, b1 = xo + d, b2 = xo + 2 * d, b3 = xo + 3 * d;
    for (int j = 0; j < d; j++) {
      float v = q[qo + j];
      s0 += v * x[b0 + j]; s1 += v * x[b1 + j]; s2 += v * x[b2 + j]; s3 += v * x[b3 + j];
    }
    out[oo] = s0; out[oo + 1] = s1; out[oo + 2] = s2; out[oo + 3] = s3;
  }

  /** The candidates measured exactly, term by term in double; the {@code k} nearest, ties to the lower row. */
  private static List<Neighbour> exact(FeatureIndex index, float[] query, int[] rows, int k, Metric metric) {
    double qq = 0;
    for (float v : query) {
      qq += (double) v * v;
    }
    List<Neighbour> all = new ArrayList<>();
    float[] x = new float[index.dims()];
    for (int row : rows) {
      index.rows(row, 1, x, 0);
      double distance;
      if (metric == Metric.EUCLIDEAN) {
        double s = 0;
        for (int j = 0; j < x.length; j++) {
          double diff = (double) query[j] - x[j];
          s += diff * diff;
        }
        distance = Math.sqrt(s);
      } else {
        double dot = 0;
        double xx = 0;
        for (int j = 0; j < x.length; j++) {
          dot += (double) query[j] * x[j];
          xx += (double) x[j] * x[j];
        }
        distance = qq > 0 && xx > 0 ? Math.max(0, 1 - dot / Math.sqrt(qq * xx)) : 1;
      }
      all.add(new Neighbour(row, index.path(row), distance));
    }
    all.sort(Comparator.comparingDouble(Neighbour::distance).thenComparingInt(Neighbour::row));
    return List.copyOf(all.subList(0, Math.min(k, all.size())));
  }

  /** The {@code capacity} lowest scores seen, in a max-heap (NaN scores count as the largest). */
  private static final class Candidates {
    private final int capacity;
    private final PriorityQueue<long[]> heap;

    Candidates(int capacity) {
      this.capacity = capacity;
      // [score bits as a sortable long, row]; the head is the worst kept
      this.heap = new PriorityQueue<>(capacity + 1, (a, b) -> a[0] != b[0] ? Long.compare(b[0], a[0])
          : Long.compare(b[1], a[1]));
    }

    void offer(float score, int row) {
      long key = sortable(score);
      if (heap.size() < capacity) {
        heap.add(new long[] {key, row});
      } else {
        long[] worst = heap.peek();
        if (key < worst[0] || (key == worst[0] && row < worst[1])) {
          heap.poll();
          heap.add(new long[] {key, row});
        }
      }
    }

    void addAll(Candidates other) {
      for (long[] e : other.heap) {
        if (heap.size() < capacity) {
          heap.add(e);
        } else {
          long[] worst = heap.peek();
          if (e[0] < worst[0] || (e[0] == worst[0] && e[1] < worst[1])) {
            heap.poll();
            heap.add(e);
          }
        }
      }
    }

    int[] rows() {
      return heap.stream().mapToInt(e -> (int) e[1]).toArray();
    }

    /** Orders floats as their values do, NaN above everything. */
    private static long sortable(float score) {
      if (Float.isNaN(score)) {
        return Long.MAX_VALUE;
      }
      int bits = Float.floatToIntBits(score + 0f);
      return bits >= 0 ? bits : -(long) (bits & 0x7fffffff);
    }
  }
}
