package org.alexnettfj.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BenchSuiteTest {

  @Test
  void noArgumentsIsTheWholeSuiteAsATable() {
    assertThat(BenchSuite.Args.parse()).as("tools/bench").isEqualTo(new BenchSuite.Args(false, false));
  }

  @Test
  void quickAndJsonCombineInAnyOrder() {
    assertThat(BenchSuite.Args.parse("--json", "--quick")).as("--json --quick")
        .isEqualTo(new BenchSuite.Args(true, true));
    assertThat(BenchSuite.Args.parse("--json")).as("the whole suite as JSON")
        .isEqualTo(new BenchSuite.Args(false, true));
  }

  @Test
  void rejectsAnUnknownArgumentByName() {
    assertThatThrownBy(() -> BenchSuite.Args.parse("--quik")).as("typo")
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--quik");
  }

  @Test
  void readsTheOnednnSwitchAsTensorFlowDoes() {
    assertThat(BenchSuite.onednn(null)).as("unset: what TensorFlow says it runs")
        .isEqualTo(org.alexnettfj.graph.OneDnn.enabled());
    assertThat(BenchSuite.onednn("1")).as("1").isTrue();
    assertThat(BenchSuite.onednn("TRUE")).as("true, any case").isTrue();
    assertThat(BenchSuite.onednn("0")).as("0").isFalse();
    assertThatThrownBy(() -> BenchSuite.onednn("yes")).as("not a value TensorFlow reads")
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'yes'");
  }
}
