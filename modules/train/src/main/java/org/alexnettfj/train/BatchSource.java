package org.alexnettfj.train;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;
import org.alexnettfj.data.train.BatchPipeline;

/**
 * Where {@link FineTuning} gets its batches: images decoded and augmented by a {@link BatchPipeline}, or anything
 * else that yields rows of {@link Trainer} input with labels (pool5 features from a cache, say).
 *
 * <p>Epoch {@code e} must give the same batches, in the same order, every time it is asked for: a run resumed at
 * epoch {@code e} relies on it. {@link BatchPipeline#epoch} is, under its seed.
 *
 * <pre>{@code
 * BatchSource train = BatchSource.of(pipeline);
 * BatchSource cached = BatchSource.of(featureCache);                          // pool5 features
 * BatchSource other = BatchSource.of(size, e -> batchesOfEpoch(e));             // any Iterator<Batch>
 * }</pre>
 */
public interface BatchSource {

  /**
   * Examples in an epoch, for progress and ETA.
   *
   * @return the examples an epoch would give if every one could be read (it yields fewer if some cannot)
   */
  int size();

  /**
   * The batches of one epoch; the same ones, in the same order, each time it is asked for.
   *
   * @param epoch the epoch, counted from 0
   * @return an iterator over its batches, which the caller closes
   */
  Epoch epoch(int epoch);

  /**
   * {@code size()} examples: their values in a row, as {@link Trainer#step} takes them, their labels, and the
   * images they came from (for reports; empty when the source does not name them).
   *
   * @param inputs {@code size() * }{@link Trainer#inputValues()} values, example after example (not copied)
   * @param labels each example's class index (not copied)
   * @param sources each example's image, or empty; copied
   */
  record Batch(float[] inputs, int[] labels, List<String> sources) {

    /**
     * Checks the parts.
     *
     * @param inputs the examples' values, not null
     * @param labels their labels, not null
     * @param sources one per label, or empty
     * @throws IllegalArgumentException if {@code sources} is neither empty nor one per label
     */
    public Batch {
      Objects.requireNonNull(inputs, "inputs");
      Objects.requireNonNull(labels, "labels");
      sources = List.copyOf(sources);
      if (!sources.isEmpty() && sources.size() != labels.length) {
        throw new IllegalArgumentException(sources.size() + " sources for " + labels.length + " examples");
      }
    }

    /**
     * Examples without names.
     *
     * @param inputs the examples' values, as for the canonical constructor
     * @param labels their labels
     */
    public Batch(float[] inputs, int[] labels) {
      this(inputs, labels, List.of());
    }

    /**
     * The image of one example, for reports.
     *
     * @param i the example, in {@code [0, size())}
     * @return its source, or "" when the batch names none
     */
    public String source(int i) {
      return sources.isEmpty() ? "" : sources.get(i);
    }

    /**
     * The examples in this batch.
     *
     * @return the number of labels
     */
    public int size() {
      return labels.length;
    }
  }

  /**
   * Examples an epoch left out (unreadable images): how many, and the first few as {@code "path (reason)"}.
   *
   * @param count how many were left out
   * @param first the first few, {@code "path (reason)"}; copied
   */
  record Skipped(int count, List<String> first) {

    /** Nothing left out. */
    public static final Skipped NONE = new Skipped(0, List.of());

    /**
     * Copies the list.
     *
     * @param count how many were left out
     * @param first the first few; copied
     */
    public Skipped {
      first = List.copyOf(first);
    }

    /**
     * What a {@link BatchPipeline} (or a feature cache built by one) left out.
     *
     * @param report the pipeline's report of an epoch
     * @return its skipped count and first skipped items
     */
    public static Skipped of(BatchPipeline.EpochReport report) {
      List<String> first = new ArrayList<>();
      report.firstSkipped().forEach(s -> first.add(s.source() + " (" + s.reason() + ")"));
      return new Skipped(report.skippedCount(), first);
    }
  }

  /** One epoch's batches, for one thread. Closing it cancels work done ahead; it throws nothing. */
  interface Epoch extends Iterator<Batch>, AutoCloseable {

    /**
     * What was left out so far; all of it once {@link #hasNext()} is false.
     *
     * @return the skipped examples; {@link Skipped#NONE} by default
     */
    default Skipped skipped() {
      return Skipped.NONE;
    }

    @Override
    default void close() {
    }
  }

  /**
   * The batches of {@code pipeline}: its images, NHWC, and labels; its unreadable images are reported.
   *
   * @param pipeline the pipeline, still owned (and closed) by the caller
   * @return a source whose epoch {@code e} is the pipeline's epoch {@code e}
   */
  static BatchSource of(BatchPipeline pipeline) {
    int size = pipeline.order(0).length;
    return new BatchSource() {
      @Override
      public int size() {
        return size;
      }

      @Override
      public Epoch epoch(int epoch) {
        BatchPipeline.Epoch batches = pipeline.epoch(epoch);
        return new Epoch() {
          @Override
          public boolean hasNext() {
            return batches.hasNext();
          }

          @Override
          public Batch next() {
            BatchPipeline.Batch b = batches.next();
            return new Batch(b.images(), b.labels(), b.sources());
          }

          @Override
          public Skipped skipped() {
            return Skipped.of(batches.report());
          }

          @Override
          public void close() {
            batches.close();
          }
        };
      }
    };
  }

  /**
   * The pool5 features of {@code cache}, for a {@link Trainer.Input#POOL5} trainer: its batches in its per-epoch
   * order. Its unreadable images were reported when it was built ({@link FeatureCache#report()}).
   *
   * @param cache the cache, still owned (and closed) by the caller
   * @return a source of pool5 rows, {@link FeatureCache#VALUES} values per example
   */
  static BatchSource of(FeatureCache cache) {
    return of(cache.size(), epoch -> {
      Iterator<FeatureCache.Batch> batches = cache.epoch(epoch);
      return new Iterator<Batch>() {
        @Override
        public boolean hasNext() {
          return batches.hasNext();
        }

        @Override
        public Batch next() {
          FeatureCache.Batch b = batches.next();
          return new Batch(b.features(), b.labels(), b.sources());
        }
      };
    });
  }

  /**
   * A source from a function of the epoch; nothing is reported as skipped.
   *
   * @param size examples an epoch, for progress
   * @param epochs gives epoch {@code e}'s batches (called with {@code e}, from 0), the same each time
   * @return the source
   */
  static BatchSource of(int size, IntFunction<? extends Iterator<Batch>> epochs) {
    return new BatchSource() {
      @Override
      public int size() {
        return size;
      }

      @Override
      public Epoch epoch(int epoch) {
        Iterator<Batch> batches = epochs.apply(epoch);
        return new Epoch() {
          @Override
          public boolean hasNext() {
            return batches.hasNext();
          }

          @Override
          public Batch next() {
            return batches.next();
          }
        };
      }
    };
  }
}
