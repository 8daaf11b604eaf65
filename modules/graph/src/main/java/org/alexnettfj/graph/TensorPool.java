package org.alexnettfj.graph;

import java.util.ArrayDeque;
import java.util.Iterator;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.types.TFloat32;

/**
 * Keeps float32 input tensors for the next batch of the same shape, so that each batch is copied, not allocated.
 * A fresh tensor for a batch of images is fresh memory (malloc maps anything over 32 MB anew), and its pages fault
 * in on every call, several times what copying the images into a kept tensor costs (BENCHMARKS.md) and more than
 * the whole forward pass takes on a GPU. TensorFlow holds a fed tensor
 * only while {@code run} runs, so a tensor can be refilled once its run has returned.
 *
 * <p>Thread-safe: a tensor from {@link #take} is its caller's until {@link #give} returns it. At most
 * {@code maxIdle} tensors wait (the most recently given), so native memory stays at a few batches.
 */
public final class TensorPool implements AutoCloseable {

  private final int maxIdle;
  private final ArrayDeque<TFloat32> idle = new ArrayDeque<>();
  private boolean closed;

  /**
   * An empty pool.
   *
   * @param maxIdle how many tensors may wait for reuse, e.g. 2: a full batch and a last, smaller one; 0 keeps none
   * @throws IllegalArgumentException if {@code maxIdle} is negative
   */
  public TensorPool(int maxIdle) {
    if (maxIdle < 0) {
      throw new IllegalArgumentException("maxIdle must be >= 0, was " + maxIdle);
    }
    this.maxIdle = maxIdle;
  }

  /**
   * A tensor of {@code shape} holding {@code values}: a waiting one of that shape refilled, or a new one.
   *
   * @param shape the tensor's shape, e.g. {@code [n, 227, 227, 3]}
   * @param values exactly {@code shape.size()} values, copied
   * @return a tensor the caller owns until it is given back with {@link #give} (or closed)
   * @throws IllegalArgumentException if {@code values} does not fit {@code shape}
   */
  public TFloat32 take(Shape shape, FloatDataBuffer values) {
    if (values.size() != shape.size()) {
      throw new IllegalArgumentException("a tensor of shape " + shape + " needs " + shape.size() + " values, got "
          + values.size());
    }
    TFloat32 kept = takeIdle(shape);
    if (kept == null) {
      return TFloat32.tensorOf(shape, values);
    }
    try {
      kept.copyFrom(values);
      return kept;
    } catch (RuntimeException e) {
      kept.close();
      throw e;
    }
  }

  /**
   * {@link #take} for try-with-resources: closing the lease gives the tensor back.
   *
   * @param shape the tensor's shape, e.g. {@code [n, 227, 227, 3]}
   * @param values exactly {@code shape.size()} values, copied
   * @return the lease; close it once the run that was fed the tensor has returned
   * @throws IllegalArgumentException if {@code values} does not fit {@code shape}
   */
  public Lease lease(Shape shape, FloatDataBuffer values) {
    return new Lease(take(shape, values));
  }

  /** A tensor taken from the pool until {@link #close}. */
  public final class Lease implements AutoCloseable {
    private final TFloat32 tensor;

    private Lease(TFloat32 tensor) {
      this.tensor = tensor;
    }

    /**
     * The leased tensor, to feed.
     *
     * @return the tensor; do not close it or use it after the lease is closed
     */
    public TFloat32 tensor() {
      return tensor;
    }

    /** Gives the tensor back to its pool. */
    @Override
    public void close() {
      give(tensor);
    }
  }

  /**
   * Gives back a tensor from {@link #take}: it waits for the next batch of its shape, or is closed.
   *
   * @param tensor a tensor from {@link #take}, no longer used by the caller; the pool owns it now
   */
  public void give(TFloat32 tensor) {
    TFloat32 evicted = null;
    synchronized (this) {
      if (!closed && maxIdle > 0) {
        idle.addFirst(tensor);
        tensor = null;
        if (idle.size() > maxIdle) {
          evicted = idle.removeLast();
        }
      }
    }
    if (tensor != null) {
      tensor.close();
    }
    if (evicted != null) {
      evicted.close();
    }
  }

  /**
   * How many tensors wait for reuse.
   *
   * @return 0 to {@code maxIdle}
   */
  public synchronized int idle() {
    return idle.size();
  }

  /** Closes the waiting tensors; a tensor given back later is closed at once. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    while (true) {
      TFloat32 t;
      synchronized (this) {
        t = idle.pollFirst();
      }
      if (t == null) {
        return;
      }
      t.close();
    }
  }

  private synchronized TFloat32 takeIdle(Shape shape) {
    for (Iterator<TFloat32> it = idle.iterator(); it.hasNext(); ) {
      TFloat32 t = it.next();
      if (t.shape().equals(shape)) {
        it.remove();
        return t;
      }
    }
    return null;
  }
}
