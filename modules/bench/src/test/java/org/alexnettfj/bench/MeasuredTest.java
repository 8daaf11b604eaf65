package org.alexnettfj.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MeasuredTest {

  @Test
  void medianOfAnOddCountIsTheMiddleSample() {
    Measured m = new Measured("A.b", Map.of(), List.of(5.0, 1.0, 9.0, 3.0, 7.0), "ms/op");
    assertThat(m.median()).as("median of 1 3 5 7 9").isEqualTo(5.0);
    assertThat(m.min()).as("min").isEqualTo(1.0);
    assertThat(m.max()).as("max").isEqualTo(9.0);
    assertThat(m.samples()).as("kept in measurement order").containsExactly(5.0, 1.0, 9.0, 3.0, 7.0);
  }

  @Test
  void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
    Measured m = new Measured("A.b", Map.of(), List.of(4.0, 1.0, 10.0, 2.0), "ms/op");
    assertThat(m.median()).as("median of 1 2 4 10").isEqualTo(3.0);
  }

  @Test
  void matchesByMethodNameAndParameters() {
    Measured m = new Measured("InferenceBenchmark.forward", Map.of("batch", "64", "layer", "fc7"), List.of(1.0),
        "ms/op");
    assertThat(m.is("forward", Map.of("batch", "64"))).as("same method, a subset of its params").isTrue();
    assertThat(m.is("forward", Map.of("batch", "1"))).as("other batch").isFalse();
    assertThat(m.is("ward", Map.of())).as("only whole method names").isFalse();
  }

  @Test
  void rejectsNoSamples() {
    assertThatThrownBy(() -> new Measured("A.b", Map.of("n", "1"), List.of(), "ms/op")).as("empty")
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("A.b");
  }
}
