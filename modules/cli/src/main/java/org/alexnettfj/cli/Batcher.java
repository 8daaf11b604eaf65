package org.alexnettfj.cli;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.alexnettfj.graph.AlexNetModel;

/**
 * Dynamic batching: requests' images that arrive within {@code maxWait} of the first one waiting run as one call
 * of the model, up to {@code maxBatch} images (the crops of a 10-crop request count one each). A batch waits only
 * while other requests are still being decoded, or, up to {@code maxWait} after the last batch was answered, while
 * the clients it answered have not sent again: a request alone runs
 * at once, and clients that each wait for their answer before they send again run together rather than in two
 * alternating halves. One thread calls
 * the model, so it is never entered twice; decoding stays in the callers' threads. Images asking for different
 * layers run in different batches, each job in the order it came.
 */
final class Batcher implements AutoCloseable {

  /** {@code crops} preprocessed inputs for {@code layer}; completed with one output row per crop. */
  private record Job(String layer, float[][] crops, CompletableFuture<float[][]> result) {
  }

  private static final Job STOP = new Job(null, new float[0][], null);
  /** How often a gathering batch looks again whether images are still on their way. */
  private static final long WAIT_STEP_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

  private final AlexNetModel model;
  private final int maxBatch;
  private final long maxWaitNanos;
  private final ServerMetrics metrics;
  private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
  /** Requests read but still decoding: their images are on the way, so a batch waits for them (up to maxWait). */
  private final java.util.concurrent.atomic.AtomicInteger arriving = new java.util.concurrent.atomic.AtomicInteger();
  /** Requests the last batches answered whose clients have not sent again: likely on their way back. */
  private final java.util.concurrent.atomic.AtomicInteger returning = new java.util.concurrent.atomic.AtomicInteger();
  /** When the last batch was answered: its clients are waited for up to maxWait after it. */
  private volatile long answeredAt;
  private final Thread thread;
  private volatile boolean closed;

  Batcher(AlexNetModel model, int maxBatch, long maxWaitMillis, ServerMetrics metrics) {
    if (maxBatch < 1) {
      throw new IllegalArgumentException("--max-batch must be at least 1, was " + maxBatch);
    }
    if (maxWaitMillis < 0) {
      throw new IllegalArgumentException("--max-wait-ms must be >= 0, was " + maxWaitMillis);
    }
    this.model = model;
    this.maxBatch = maxBatch;
    this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMillis);
    this.metrics = metrics;
    this.thread = new Thread(this::loop, "alexnet-batcher");
    thread.setDaemon(true);
    thread.start();
  }

  /** A request's images are being decoded: batches being gathered wait for them (up to maxWait). */
  void arriving() {
    arriving.incrementAndGet();
    returning.getAndUpdate(n -> Math.max(0, n - 1));
  }

  /** Its images were submitted, or could not be read. */
  void arrived() {
    arriving.decrementAndGet();
  }

  /** The output of {@code layer} for each crop, once its batch has run. */
  CompletableFuture<float[][]> submit(String layer, float[][] crops) {
    CompletableFuture<float[][]> result = new CompletableFuture<>();
    if (closed) {
      result.completeExceptionally(new IllegalStateException("the server is shutting down"));
      return result;
    }
    queue.add(new Job(layer, crops, result));
    return result;
  }

  private void loop() {
    Deque<Job> later = new ArrayDeque<>();   // jobs for another layer than the batch being gathered
    while (true) {
      Job first;
      try {
        first = later.isEmpty() ? queue.take() : later.poll();
      } catch (InterruptedException e) {
        return;
      }
      if (first == STOP) {
        if (later.isEmpty() && queue.isEmpty()) {
          return;
        }
        queue.add(STOP);   // what came before the stop is still run
        continue;
      }
      List<Job> batch = new ArrayList<>();
      batch.add(first);
      int images = first.crops().length;
      long deadline = System.nanoTime() + maxWaitNanos;
      // the jobs set aside before take their turn first, then the queue until the batch is full or time is up
      for (var it = later.iterator(); it.hasNext() && images < maxBatch; ) {
        Job j = it.next();
        if (j != STOP && j.layer().equals(first.layer()) && images + j.crops().length <= maxBatch) {
          batch.add(j);
          images += j.crops().length;
          it.remove();
        }
      }
      while (images < maxBatch) {
        Job next;
        try {
          long left = deadline - System.nanoTime();
          // wait only while more images are on their way: alone, a request runs at once
          boolean expected = arriving.get() > 0
              || returning.get() > 0 && System.nanoTime() - answeredAt < maxWaitNanos;
          next = left <= 0 || !expected ? queue.poll()
              : queue.poll(Math.min(left, WAIT_STEP_NANOS), TimeUnit.NANOSECONDS);
          if (next == null && left > 0 && expected) {
            continue;
          }
        } catch (InterruptedException e) {
          next = null;
        }
        if (next == null) {
          break;
        }
        if (next == STOP || !next.layer().equals(first.layer()) || images + next.crops().length > maxBatch) {
          later.add(next);
          if (next == STOP || images + next.crops().length > maxBatch) {
            break;
          }
          continue;
        }
        batch.add(next);
        images += next.crops().length;
      }
      run(first.layer(), batch, images);
    }
  }

  private void run(String layer, List<Job> batch, int images) {
    try {
      float[] input = new float[images * AlexNetModel.IMAGE_VALUES];
      int at = 0;
      for (Job j : batch) {
        for (float[] crop : j.crops()) {
          System.arraycopy(crop, 0, input, at, AlexNetModel.IMAGE_VALUES);
          at += AlexNetModel.IMAGE_VALUES;
        }
      }
      float[][] rows = model.features(input, images, layer);
      metrics.batch(images);
      returning.getAndUpdate(n -> Math.min(maxBatch, n + batch.size()));
      answeredAt = System.nanoTime();
      int row = 0;
      for (Job j : batch) {
        float[][] mine = new float[j.crops().length][];
        for (int k = 0; k < mine.length; k++) {
          mine[k] = rows[row++];
        }
        j.result().complete(mine);
      }
    } catch (RuntimeException | Error e) {
      for (Job j : batch) {
        j.result().completeExceptionally(e);
      }
    }
  }

  /** Takes no more jobs, runs those already queued, and stops its thread. */
  @Override
  public void close() {
    closed = true;
    queue.add(STOP);
    try {
      thread.join(TimeUnit.SECONDS.toMillis(60));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
