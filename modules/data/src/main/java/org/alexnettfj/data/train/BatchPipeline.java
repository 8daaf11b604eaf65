package org.alexnettfj.data.train;

import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.alexnettfj.data.BgrImage;
import org.alexnettfj.data.ImageDecodeException;
import org.alexnettfj.data.PreprocessConfig;
import org.alexnettfj.data.Preprocessor;

/**
 * Turns a {@link Dataset} into batches of network input for training: decode, {@link Augmentation}, preprocess
 * (resize, mean subtraction, as {@link Preprocessor}) on worker threads, a bounded number of batches ahead of the
 * consumer, in an order fixed by the seed and the epoch.
 *
 * <ul>
 *   <li><b>Deterministic.</b> Epoch {@code e} visits the items in a shuffle seeded by {@code (seed, e)}; item
 *       {@code i} draws its augmentation from a {@link Random} seeded by {@code (seed, e, i)}. Batch {@code b} is
 *       positions {@code [b * batchSize, (b + 1) * batchSize)} of that order. So the batches are identical across
 *       runs and whatever the number of workers.
 *   <li><b>Bounded.</b> At most {@code prefetch} batches are being made or waiting; with the one the consumer
 *       holds, memory is about {@code (prefetch + 1) * batchSize * cropSize² * 3 * 4} bytes (79 MB per batch of
 *       128 at 227).
 *   <li><b>No stall between epochs.</b> Once an epoch's last batches are under way, the room left goes to the first
 *       batches of the next epoch, which {@code epoch(e + 1)} takes over (asking for another epoch drops them), so
 *       they are made while the consumer validates or saves. After the last epoch that is up to {@code prefetch}
 *       batches made for nothing.
 *   <li><b>Bad images</b> (missing, truncated, not an image) never crash an epoch and are never dropped silently:
 *       by default they are left out of their batch, which is then smaller, and listed in {@link Batch#skipped()}
 *       and the epoch's {@link Epoch#report()}. With {@code strict}, the first one ends the epoch: {@code next()}
 *       throws an {@link UncheckedIOException} whose cause, an {@link ImageDecodeException}, names it.
 * </ul>
 *
 * <pre>{@code
 * try (Dataset data = Dataset.fromListFile(Path.of("train.txt"));
 *      BatchPipeline pipeline = BatchPipeline.builder().setDataset(data)
 *          .optAugmentation(Augmentation.PAPER).optBatchSize(128).optSeed(42).build()) {
 *   for (int epoch = 0; epoch < 10; epoch++) {
 *     BatchPipeline.Epoch batches = pipeline.epoch(epoch);
 *     while (batches.hasNext()) {
 *       BatchPipeline.Batch b = batches.next();   // b.images(): NHWC floats, b.labels()
 *     }
 *     System.out.println(batches.report());
 *   }
 * }
 * }</pre>
 */
public final class BatchPipeline implements AutoCloseable {

  /** How many skipped items a report lists by name; the count is always complete. */
  public static final int REPORTED_SKIPS = 10;

  private static final long SHUFFLE_STREAM = -1;

  private final Dataset dataset;
  private final Preprocessor preprocessor;
  private final Augmentation augmentation;
  private final int batchSize;
  private final int prefetch;
  private final int epochs;
  private final long seed;
  private final boolean shuffle;
  private final boolean strict;
  private final boolean dropLast;
  private final ExecutorService workers;
  private final AtomicInteger ahead = new AtomicInteger();
  private final AtomicInteger maxAhead = new AtomicInteger();
  // The next epoch's first batches, started by the current epoch's fill() (consumer thread only).
  private int startedEpoch = -1;
  private int[] startedOrder;
  private final Deque<Future<Batch>> started = new ArrayDeque<>();

  private BatchPipeline(Builder b) {
    this.dataset = b.dataset;
    this.preprocessor = new Preprocessor(b.preprocess);
    this.augmentation = b.augmentation;
    this.batchSize = b.batchSize;
    this.prefetch = b.prefetch > 0 ? b.prefetch : b.workers + 1;
    this.epochs = b.epochs;
    this.seed = b.seed;
    this.shuffle = b.shuffle;
    this.strict = b.strict;
    this.dropLast = b.dropLast;
    AtomicInteger n = new AtomicInteger();
    this.workers = Executors.newFixedThreadPool(b.workers, r -> {
      Thread t = new Thread(r, "alexnet-data-" + n.incrementAndGet());
      t.setDaemon(true);   // a pipeline that is never closed must not keep the JVM alive
      return t;
    });
  }

  /**
   * Worker threads when none are set: one per core, at most 4 — sized for training on the CPU, where TensorFlow
   * needs the cores too and 4 workers already decode several times what it trains.
   *
   * @return the available processors, between 1 and 4
   */
  public static int defaultWorkers() {
    return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
  }

  /**
   * Starts a pipeline; {@link Builder#setDataset} is required.
   *
   * @return a new builder with the defaults
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * One batch: {@code size()} images, NHWC, with their labels and sources in the same order.
   *
   * @param epoch the epoch it belongs to
   * @param index its position in the epoch, from 0
   * @param images {@code size() * cropSize * cropSize * 3} floats, NHWC
   * @param labels each image's class index
   * @param sources each image's file or archive entry
   * @param skipped the items of this batch's positions that were left out
   */
  public record Batch(int epoch, int index, float[] images, int[] labels, List<String> sources,
      List<Skipped> skipped) {

    /**
     * How many images the batch holds: {@code batchSize} less those skipped, fewer for an epoch's last batch.
     *
     * @return the number of images
     */
    public int size() {
      return labels.length;
    }
  }

  /**
   * An item left out because it could not be read or decoded.
   *
   * @param source its file or archive entry
   * @param reason why, without the source
   */
  public record Skipped(String source, String reason) {
  }

  /**
   * What an epoch has yielded so far: counts, and the first {@link #REPORTED_SKIPS} skipped items.
   *
   * @param epoch the epoch
   * @param batches batches returned
   * @param images images in them
   * @param skippedCount items left out, all of them
   * @param firstSkipped the first {@link #REPORTED_SKIPS} of those, by name
   */
  public record EpochReport(int epoch, int batches, int images, int skippedCount, List<Skipped> firstSkipped) {

    /** One line for a log, e.g. {@code epoch 3: 40 batches, 5120 images, 0 skipped}. */
    @Override
    public String toString() {
      return "epoch " + epoch + ": " + batches + " batches, " + images + " images, " + skippedCount + " skipped"
          + (firstSkipped.isEmpty() ? "" : " " + firstSkipped);
    }
  }

  /**
   * How far ahead the pipeline has run, to check the memory bound.
   *
   * @return the most batches that were ever being made or waiting at once; never more than {@code prefetch}
   */
  public int maxBatchesAhead() {
    return maxAhead.get();
  }

  /**
   * The bound on batches made ahead of the consumer.
   *
   * @return the prefetch set, or workers + 1 when none was
   */
  public int prefetch() {
    return prefetch;
  }

  /**
   * The order epoch {@code epoch} visits the items in; the same for the same seed, whatever the workers.
   *
   * @param epoch the epoch, from 0
   * @return the positions of the dataset's items in that order (dataset order without shuffling)
   */
  public int[] order(int epoch) {
    List<Integer> order = new ArrayList<>(dataset.size());
    for (int i = 0; i < dataset.size(); i++) {
      order.add(i);
    }
    if (shuffle) {
      Collections.shuffle(order, new Random(Seeds.mix(seed, epoch, SHUFFLE_STREAM)));
    }
    return order.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * The batches of one epoch. Starts making them right away, up to {@code prefetch} ahead (or takes over those the
   * previous epoch started). This and the epoch's methods are for one consumer thread.
   *
   * @param epoch the epoch, from 0; it fixes the shuffle and the augmentation
   * @return an iterator over its batches
   */
  public Epoch epoch(int epoch) {
    return new Epoch(epoch);
  }

  /** How many of the next epoch's batches are started ahead of it (for tests). */
  int startedAhead() {
    return started.size();
  }

  private int batchCount(int items) {
    return dropLast ? items / batchSize : (items + batchSize - 1) / batchSize;
  }

  private Future<Batch> submit(int epoch, int b, int[] order) {
    int now = ahead.incrementAndGet();
    maxAhead.accumulateAndGet(now, Math::max);
    return workers.submit(() -> makeBatch(epoch, b, order));
  }

  private void cancelStarted() {
    for (Future<Batch> f; (f = started.poll()) != null; ) {
      f.cancel(true);
      ahead.decrementAndGet();
    }
    startedEpoch = -1;
    startedOrder = null;
  }

  /** Starts epoch {@code next}'s first batches in {@code room} free slots of the prefetch window. */
  private void startAhead(int next, int room) {
    if (startedEpoch != next) {
      cancelStarted();
      startedEpoch = next;
      startedOrder = order(next);
    }
    int nextBatches = batchCount(startedOrder.length);
    while (room-- > 0 && started.size() < nextBatches) {
      started.add(submit(next, started.size(), startedOrder));
    }
  }

  /** An iterator over one epoch's batches. Closing it (or the pipeline) cancels batches still being made. */
  public final class Epoch implements Iterator<Batch>, AutoCloseable {
    private final int epoch;
    private final int[] order;
    private final int batches;
    private final Deque<Future<Batch>> window = new ArrayDeque<>();
    private int submitted;
    private int returned;
    private int images;
    private int skippedCount;
    private final List<Skipped> firstSkipped = new ArrayList<>();
    private boolean failed;
    private boolean closed;

    private Epoch(int epoch) {
      this.epoch = epoch;
      boolean takeOver = startedEpoch == epoch;
      this.order = takeOver ? startedOrder : order(epoch);
      if (takeOver) {
        window.addAll(started);
        submitted = started.size();
        started.clear();
      }
      cancelStarted();   // another epoch's batches are dropped; after a takeover this only resets
      this.batches = batchCount(order.length);
      fill();
    }

    private void fill() {
      while (window.size() + started.size() < prefetch && submitted < batches) {
        window.add(submit(epoch, submitted++, order));
      }
      if (submitted == batches && !closed && epoch + 1 < epochs) {   // a failed epoch is closed too
        startAhead(epoch + 1, prefetch - window.size() - started.size());
      }
    }

    @Override
    public boolean hasNext() {
      return !failed && returned < batches;
    }

    @Override
    public Batch next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Future<Batch> head = window.poll();
      Batch batch;
      try {
        batch = head.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw new IllegalStateException("interrupted while waiting for batch " + returned, e);
      } catch (ExecutionException e) {
        close();
        failed = true;
        if (e.getCause() instanceof ImageDecodeException bad) {
          throw new UncheckedIOException("strict mode: " + bad.getMessage(), bad);
        }
        Throwable cause = e.getCause();
        throw new IllegalStateException("making batch " + returned + " of epoch " + epoch + " failed: "
            + (cause.getMessage() != null ? cause.getMessage() : cause.toString()), cause);
      } finally {
        ahead.decrementAndGet();
      }
      returned++;
      images += batch.size();
      skippedCount += batch.skipped().size();
      for (Skipped s : batch.skipped()) {
        if (firstSkipped.size() < REPORTED_SKIPS) {
          firstSkipped.add(s);
        }
      }
      fill();
      return batch;
    }

    /**
     * What this epoch has yielded so far (all of it once {@link #hasNext()} is false).
     *
     * @return the counts and the first skipped items
     */
    public EpochReport report() {
      return new EpochReport(epoch, returned, images, skippedCount, List.copyOf(firstSkipped));
    }

    /** Cancels this epoch's batches still being made; the next epoch's, if started, are kept for it. */
    @Override
    public void close() {
      closed = true;
      for (Future<Batch> f; (f = window.poll()) != null; ) {
        f.cancel(true);
        ahead.decrementAndGet();
      }
      submitted = batches;
    }
  }

  private Batch makeBatch(int epoch, int b, int[] order) throws ImageDecodeException {
    int from = b * batchSize;
    int to = Math.min(order.length, from + batchSize);
    int per = preprocessor.config().cropSize() * preprocessor.config().cropSize() * 3;
    // Each image is written straight into its place in the batch; a skipped item's place goes to the next one.
    float[] images = new float[(to - from) * per];
    List<Integer> labels = new ArrayList<>(to - from);
    List<String> sources = new ArrayList<>(to - from);
    List<Skipped> skipped = new ArrayList<>();
    for (int p = from; p < to; p++) {
      int index = order[p];
      LabeledImage item = dataset.items().get(index);
      try {
        BgrImage image = dataset.decode(item, preprocessor.config().decoder());
        augmentation.apply(preprocessor, image, new Random(Seeds.mix(seed, epoch, index)), images,
            labels.size() * per);
      } catch (ImageDecodeException e) {
        if (strict) {
          throw e;
        }
        skipped.add(new Skipped(item.source(), e.reason()));
        continue;
      } catch (RuntimeException e) {
        if (e.getCause() instanceof LinkageError) {
          throw e;   // the runtime cannot decode at all (ImageDecoder says why): every item would be skipped
        }
        // A bug or an odd image must cost one item, reported, not the epoch.
        if (strict) {
          throw new ImageDecodeException(item.source(), "cannot preprocess: " + e, e);
        }
        skipped.add(new Skipped(item.source(), "cannot preprocess: " + e));
        continue;
      }
      labels.add(item.label());
      sources.add(item.source());
    }
    if (labels.size() < to - from) {
      images = Arrays.copyOf(images, labels.size() * per);
    }
    return new Batch(epoch, b, images, labels.stream().mapToInt(Integer::intValue).toArray(), List.copyOf(sources),
        List.copyOf(skipped));
  }

  /** Stops the worker threads, cancelling batches still being made. */
  @Override
  public void close() {
    cancelStarted();
    workers.shutdownNow();
    try {
      workers.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Settings of a {@link BatchPipeline}: {@code setDataset} is required; the {@code opt} settings have defaults. */
  public static final class Builder {
    private Dataset dataset;
    private PreprocessConfig preprocess = PreprocessConfig.NOTEBOOK;
    private Augmentation augmentation = Augmentation.NONE;
    private int batchSize = 128;
    private int workers = defaultWorkers();
    private int prefetch;
    private int epochs = Integer.MAX_VALUE;
    private long seed;
    private boolean shuffle = true;
    private boolean strict;
    private boolean dropLast;

    /**
     * Sets the images to make batches of; required.
     *
     * @param dataset the dataset, closed by its owner rather than by the pipeline
     * @return this builder
     */
    public Builder setDataset(Dataset dataset) {
      this.dataset = dataset;
      return this;
    }

    /**
     * Sets resize, crop size, mean, channel order and decoder; default {@link PreprocessConfig#NOTEBOOK}.
     *
     * @param config the preprocessing
     * @return this builder
     */
    public Builder optPreprocess(PreprocessConfig config) {
      this.preprocess = config;
      return this;
    }

    /**
     * Sets the augmentation; default {@link Augmentation#NONE} (validation), {@link Augmentation#PAPER} for
     * training.
     *
     * @param augmentation the augmentation, compatible with the preprocessing
     * @return this builder
     */
    public Builder optAugmentation(Augmentation augmentation) {
      this.augmentation = augmentation;
      return this;
    }

    /**
     * Sets the images per batch; default 128, as the classic finetune.py.
     *
     * @param batchSize positive
     * @return this builder
     */
    public Builder optBatchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /**
     * Sets the worker threads; default {@link #defaultWorkers()}.
     *
     * @param workers positive
     * @return this builder
     */
    public Builder optWorkers(int workers) {
      this.workers = workers;
      return this;
    }

    /**
     * How many epochs will be asked for (0 … epochs − 1), when that is known: the last then starts no batches of
     * an epoch nobody takes, which would only compete with what runs after it (the last validation). Asking for a
     * later epoch still works. Default: no limit.
     *
     * @param epochs at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code epochs} is below 1
     */
    public Builder optEpochs(int epochs) {
      if (epochs < 1) {
        throw new IllegalArgumentException("epochs must be at least 1, was " + epochs);
      }
      this.epochs = epochs;
      return this;
    }

    /**
     * Sets the most batches made ahead of the consumer; default workers + 1.
     *
     * @param prefetch the bound, or 0 for the default
     * @return this builder
     */
    public Builder optPrefetch(int prefetch) {
      this.prefetch = prefetch;
      return this;
    }

    /**
     * Seeds the shuffle and the augmentation; default 0.
     *
     * @param seed any value; the same seed gives the same batches
     * @return this builder
     */
    public Builder optSeed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Sets whether each epoch is shuffled; default true. Off, items come in dataset order (e.g. for validation).
     *
     * @param shuffle false for dataset order
     * @return this builder
     */
    public Builder optShuffle(boolean shuffle) {
      this.shuffle = shuffle;
      return this;
    }

    /**
     * Sets whether the first bad image ends the epoch instead of being skipped; default false.
     *
     * @param strict true to stop at the first bad image
     * @return this builder
     */
    public Builder optStrict(boolean strict) {
      this.strict = strict;
      return this;
    }

    /**
     * Sets whether the last, smaller batch of an epoch is left out; default false.
     *
     * @param dropLast true to leave it out
     * @return this builder
     */
    public Builder optDropLast(boolean dropLast) {
      this.dropLast = dropLast;
      return this;
    }

    /**
     * Checks the settings and starts the worker threads.
     *
     * @return the pipeline; close it to stop them
     * @throws NullPointerException if no dataset was set
     * @throws IllegalArgumentException if a size is out of range or the augmentation does not fit the
     *     preprocessing
     */
    public BatchPipeline build() {
      Objects.requireNonNull(dataset, "setDataset is required");
      Objects.requireNonNull(preprocess, "preprocess");
      Objects.requireNonNull(augmentation, "augmentation");
      if (batchSize <= 0 || workers <= 0 || prefetch < 0) {
        throw new IllegalArgumentException("batchSize and workers must be positive and prefetch >= 0, got "
            + batchSize + ", " + workers + ", " + prefetch);
      }
      augmentation.checkCompatible(preprocess);
      return new BatchPipeline(this);
    }
  }
}
