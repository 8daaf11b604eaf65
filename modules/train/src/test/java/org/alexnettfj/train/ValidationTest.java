package org.alexnettfj.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ValidationTest {

  @Test
  void countsTop1Top5AndTheConfusionMatrixByHand() {
    Validation.Tally t = new Validation.Tally(6);
    t.add(new float[] {9, 1, 2, 3, 4, 5}, 0);      // right
    t.add(new float[] {9, 1, 2, 3, 4, 5}, 5);      // predicted 0, truth second: top-5 yes
    t.add(new float[] {9, 8, 7, 6, 5, 0}, 5);      // truth last of 6: not top-5
    t.add(new float[] {1, 9, 9, 0, 0, 0}, 2);      // a tie with the top counts as right (none strictly higher)
    t.add(new float[] {0, 0, 0, 0, 0, 0}, 3);      // all equal: right
    Validation v = t.result();

    assertThat(v.images()).isEqualTo(5);
    assertThat(v.top1()).as("3 of 5 right").isEqualTo(0.6);
    assertThat(v.top5()).as("4 of 5 in the top 5").isEqualTo(0.8);
    assertThat(v.confusion()[5]).as("class 5's row: both taken for class 0").containsExactly(2, 0, 0, 0, 0, 0);
    assertThat(v.confusion()[2][2]).isEqualTo(1);
    assertThat(v.confusion()[3][3]).isEqualTo(1);
  }

  @Test
  void aNanScoreCountsAsWrong() {
    Validation.Tally t = new Validation.Tally(2);
    t.add(new float[] {Float.NaN, 0}, 0);
    t.add(new float[] {0, Float.NaN}, 0);

    assertThat(t.result().top1()).as("NaN compares false with everything, which would look like a win").isZero();
  }

  @Test
  void perClassNamesTheClassMostOftenMistakenFor() {
    Validation v = new Validation(9, 0, 0, new long[][] {{3, 0, 0}, {1, 1, 2}, {0, 0, 0}});

    List<Validation.ClassSummary> c = v.perClass();

    assertThat(c.get(0)).isEqualTo(new Validation.ClassSummary(0, 3, 1.0, -1, 0));
    assertThat(c.get(1)).as("class 1: 1 of 4 right, taken for class 2 twice")
        .isEqualTo(new Validation.ClassSummary(1, 4, 0.25, 2, 2));
    assertThat(c.get(2).accuracy()).as("no images: no accuracy").isNaN();
  }

  @Test
  void keepsTheWorstMistakesWithTheirSoftmaxProbability() {
    Validation.Tally t = new Validation.Tally(3);
    t.add(new float[] {0, 1, 0}, 0, "a.jpg");               // wrong: p(1) = e / (2 + e)
    t.add(new float[] {5, 0, 0}, 0, "right.jpg");           // right: not a mistake
    t.add(new float[] {0, 0, 3}, 1, "b.jpg");               // wrong: p(2) = e^3 / (2 + e^3), the worst
    t.add(new float[] {Float.NaN, 0, 0}, 1, "nan.jpg");     // wrong, but no probability to rank it by
    t.add(new float[] {100, 0, 100.5f}, 1, "c.jpg");        // large scores: still finite, p(2) about 0.62
    List<Validation.Mistake> m = t.result().mistakes();

    assertThat(m).extracting(Validation.Mistake::source).containsExactly("b.jpg", "c.jpg", "a.jpg");
    double e = Math.E;
    assertThat(m.get(0).probability()).isCloseTo(e * e * e / (2 + e * e * e), org.assertj.core.data.Offset.offset(
        1e-12));
    assertThat(m.get(0)).extracting(Validation.Mistake::truth, Validation.Mistake::predicted).containsExactly(1, 2);
    assertThat(m.get(1).probability()).isCloseTo(1 / (1 + Math.exp(-0.5) + Math.exp(-100.5)),
        org.assertj.core.data.Offset.offset(1e-12));
    assertThat(m.get(2).probability()).isCloseTo(e / (2 + e), org.assertj.core.data.Offset.offset(1e-12));
  }

  @Test
  void keepsOnlyTheWorstThirtyTwo() {
    Validation.Tally t = new Validation.Tally(2);
    for (int i = 0; i < 100; i++) {
      t.add(new float[] {0, i / 10f}, 0, "img" + i);
    }
    List<Validation.Mistake> m = t.result().mistakes();
    assertThat(m).hasSize(Validation.MISTAKES_KEPT);
    assertThat(m.get(0).source()).isEqualTo("img99");
    assertThat(m.get(31).source()).isEqualTo("img68");
  }
}
