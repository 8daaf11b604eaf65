package org.alexnettfj.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

class TensorPoolTest {

  private static final Shape SHAPE = Shape.of(2, 3);

  /** Real tensors behind proxies that record their closing (a closed tensor's memory must not be read). */
  private final List<TFloat32> closed = new ArrayList<>();
  private final List<TFloat32> made = new ArrayList<>();

  private TFloat32 tracked(Shape shape) {
    TFloat32 real = TFloat32.tensorOf(shape);
    TFloat32[] self = new TFloat32[1];
    self[0] = (TFloat32) Proxy.newProxyInstance(TFloat32.class.getClassLoader(), new Class<?>[] {TFloat32.class},
        (proxy, method, args) -> {
          switch (method.getName()) {
            case "equals" -> {
              return proxy == args[0];
            }
            case "hashCode" -> {
              return System.identityHashCode(proxy);
            }
            case "close" -> closed.add(self[0]);
            default -> { }
          }
          try {
            return method.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    made.add(self[0]);
    return self[0];
  }

  private static float[] values(TFloat32 t) {
    float[] out = new float[(int) t.shape().size()];
    t.copyTo(DataBuffers.of(out, false, false));
    return out;
  }

  @Test
  void aTensorGivenBackIsTakenAgainForTheSameShapeHoldingTheNewValues() {
    try (TensorPool pool = new TensorPool(2)) {
      TFloat32 first = pool.take(SHAPE, DataBuffers.of(new float[] {1, 2, 3, 4, 5, 6}, true, false));
      assertThat(values(first)).containsExactly(1, 2, 3, 4, 5, 6);
      pool.give(first);
      assertThat(pool.idle()).isEqualTo(1);

      TFloat32 again = pool.take(SHAPE, DataBuffers.of(new float[] {6, 5, 4, 3, 2, 1}, true, false));
      assertThat(again).isSameAs(first);
      assertThat(values(again)).containsExactly(6, 5, 4, 3, 2, 1);
      assertThat(pool.idle()).isZero();

      TFloat32 other = pool.take(Shape.of(3, 2), DataBuffers.of(new float[6], true, false));
      assertThat(other).as("another shape gets a tensor of its own").isNotSameAs(again);
      assertThat(other.shape()).isEqualTo(Shape.of(3, 2));
      pool.give(again);
      pool.give(other);
    }
  }

  @Test
  void keepsAtMostMaxIdleTensorsAndClosesTheLeastRecentlyGiven() {
    try (TensorPool pool = new TensorPool(2)) {
      TFloat32 a = tracked(SHAPE);
      TFloat32 b = tracked(SHAPE);
      TFloat32 c = tracked(Shape.of(1));
      pool.give(a);
      pool.give(b);
      assertThat(closed).isEmpty();
      pool.give(c);
      assertThat(closed).containsExactly(a);
      assertThat(pool.idle()).isEqualTo(2);
      assertThat(pool.take(SHAPE, DataBuffers.of(new float[6], true, false))).isSameAs(b);
      pool.give(b);
    }
    assertThat(closed).as("closing the pool closes what waits").containsExactlyInAnyOrderElementsOf(made);
  }

  @Test
  void aTensorGivenToAClosedPoolOrAPoolThatKeepsNoneIsClosedAtOnce() {
    TensorPool pool = new TensorPool(1);
    pool.close();
    TFloat32 late = tracked(SHAPE);
    pool.give(late);
    assertThat(closed).containsExactly(late);
    assertThat(pool.idle()).isZero();

    try (TensorPool none = new TensorPool(0)) {
      TFloat32 t = tracked(SHAPE);
      none.give(t);
      assertThat(closed).contains(t);
      assertThat(none.idle()).isZero();
    }
  }

  @Test
  void aLeaseGivesItsTensorBackWhenClosed() {
    try (TensorPool pool = new TensorPool(1)) {
      TFloat32 leased;
      try (TensorPool.Lease lease = pool.lease(SHAPE, DataBuffers.of(new float[] {1, 1, 1, 2, 2, 2}, true, false))) {
        leased = lease.tensor();
        assertThat(values(leased)).containsExactly(1, 1, 1, 2, 2, 2);
        assertThat(pool.idle()).isZero();
      }
      assertThat(pool.idle()).isEqualTo(1);
      try (TensorPool.Lease lease = pool.lease(SHAPE, DataBuffers.of(new float[6], true, false))) {
        assertThat(lease.tensor()).isSameAs(leased);
      }
    }
  }

  @Test
  void rejectsValuesThatDoNotFillTheShapeAndANegativeLimit() {
    try (TensorPool pool = new TensorPool(1)) {
      assertThatThrownBy(() -> pool.take(SHAPE, DataBuffers.of(new float[5], true, false)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 6 values, got 5");
    }
    assertThatThrownBy(() -> new TensorPool(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxIdle");
  }
}
