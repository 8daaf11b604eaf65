package org.alexnettfj.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class TrainingStateTest {

  @Test
  void configRoundTripsThroughItsTextTensor() {
    TrainingState s = TrainingState.start(0.01f, 3, Map.of("batch size", "128", "class names", "cat,dog"));

    assertThat(s.configText()).isEqualTo("batch size=128\nclass names=cat,dog\n");
    assertThat(TrainingState.fromValues(s.values())).as("through the tensors' values").isEqualTo(s);
  }

  @Test
  void listsEveryDifferenceOfSettingsIncludingKeysOnOneSideOnly() {
    TrainingState s = TrainingState.start(0.01f, 3, Map.of("batch size", "128", "seed", "3", "old", "x"));

    assertThat(s.differences(Map.of("batch size", "128", "seed", "3", "old", "x"))).isEmpty();
    assertThat(s.differences(Map.of("batch size", "64", "seed", "3", "new", "y"))).containsExactly(
        "batch size 128 (now 64)", "new unset (now y)", "old x (now unset)");
  }

  @Test
  void startsWithNoBestAndRefusesKeysThatCannotBeLines() {
    TrainingState s = TrainingState.start(0.01f, 3, Map.of());

    assertThat(s.hasBest()).isFalse();
    assertThat(s.epoch()).isZero();
    assertThatThrownBy(() -> TrainingState.start(0.01f, 3, new TreeMap<>(Map.of("a=b", "c"))))
        .hasMessageContaining("key=value");
  }
}
