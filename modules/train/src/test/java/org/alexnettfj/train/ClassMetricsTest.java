package org.alexnettfj.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ClassMetricsTest {

  /**
   * By hand: truth 0 has 4 images (3 right, 1 called 1), truth 1 has 2 (both called 0), truth 2 has 3 (all right),
   * class 3 has none and is never predicted.
   */
  @Test
  void matchesAHandComputedConfusionMatrix() {
    long[][] confusion = {{3, 1, 0, 0}, {2, 0, 0, 0}, {0, 0, 3, 0}, {0, 0, 0, 0}};
    ClassMetrics m = ClassMetrics.of(confusion);
    // class 0: predicted 5 times, 3 right -> P 3/5; recall 3/4; F1 = 2 * 0.6 * 0.75 / 1.35 = 2/3
    assertThat(m.perClass().get(0).precision()).isCloseTo(0.6, within(1e-12));
    assertThat(m.perClass().get(0).recall()).isCloseTo(0.75, within(1e-12));
    assertThat(m.perClass().get(0).f1()).isCloseTo(2.0 / 3, within(1e-12));
    // class 1: predicted once, wrongly -> P 0; recall 0; F1 0
    assertThat(m.perClass().get(1)).extracting(ClassMetrics.Row::precision, ClassMetrics.Row::recall,
        ClassMetrics.Row::f1).containsExactly(0.0, 0.0, 0.0);
    // class 2: perfect
    assertThat(m.perClass().get(2).f1()).isEqualTo(1.0);
    // class 3: no images, never predicted: left out of the averages
    assertThat(m.perClass().get(3).support()).isZero();
    assertThat(m.macroPrecision()).isCloseTo((0.6 + 0 + 1) / 3, within(1e-12));
    assertThat(m.macroRecall()).isCloseTo((0.75 + 0 + 1) / 3, within(1e-12));
    assertThat(m.macroF1()).isCloseTo((2.0 / 3 + 0 + 1) / 3, within(1e-12));
    assertThat(m.perClass().get(0).predicted()).isEqualTo(5);
  }

  @Test
  void anEmptyMatrixHasNoAverages() {
    assertThat(ClassMetrics.of(new long[2][2]).macroF1()).isNaN();
  }
}
