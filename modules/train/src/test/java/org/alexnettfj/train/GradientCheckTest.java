package org.alexnettfj.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.alexnettfj.testfixtures.RandomValues;
import org.alexnettfj.weights.AlexNetSpec;
import org.alexnettfj.weights.WeightArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every layer's gradient against finite differences of the loss, on the real AlexNet graph (LRN from basic ops,
 * grouped convolutions split and concatenated, dropout off). For each variable, the loss is evaluated a step
 * either side along the gradient's own direction: the slope there must equal the gradient's norm. A gradient that
 * is wrong in any way — wrong entries, transposed, scaled, from the wrong LRN — has a different slope than norm
 * (they are equal only for the true gradient), so one pair of losses checks the whole vector.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GradientCheckTest {

  private static final int CLASSES = 4;

  private Trainer trainer;
  private Map<String, WeightArray> parameters;
  private float[] image;
  private final int[] label = {2};
  private Map<String, float[]> gradients;

  @BeforeAll
  void setUp() {
    trainer = Trainer.builder().setFreshInit().optNumClasses(CLASSES).optTrainLayers(Set.copyOf(
        AlexNetSpec.LAYER_NAMES)).optWeightDecay(0f).optSeed(3).build();
    parameters = Fixtures.randomParameters(17, CLASSES, 0.05);
    trainer.setParameters(parameters);
    image = RandomValues.uniform(new SplittableRandom(9), Fixtures.IMAGE_VALUES, 100);
    gradients = trainer.gradients(image, label, 1);
  }

  @AfterAll
  void tearDown() {
    trainer.close();
  }

  List<String> variables() {
    return AlexNetSpec.LAYER_NAMES.stream().flatMap(l -> java.util.stream.Stream.of(l + "/weights", l + "/biases"))
        .toList();
  }

  @ParameterizedTest
  @MethodSource("variables")
  void slopeAlongTheGradientEqualsItsNorm(String name) {
    float[] g = gradients.get(name);
    double norm = 0;
    for (float v : g) {
      norm += (double) v * v;
    }
    norm = Math.sqrt(norm);
    assertThat(norm).as("%s has a gradient at all", name).isGreaterThan(0);
    double loss = trainer.loss(image, label, 1);
    // a step that changes the loss by about 1%: large against float32 rounding, small against curvature
    double h = 0.01 * Math.max(loss, 0.1) / norm;
    double up = lossAt(name, g, norm, h);
    double down = lossAt(name, g, norm, -h);
    trainer.setParameters(Map.of(name, parameters.get(name)));
    double slope = (up - down) / (2 * h);
    assertThat(slope / norm).as("%s: finite-difference slope %.6g vs gradient norm %.6g", name, slope, norm)
        .isBetween(0.95, 1.05);
  }

  /**
   * A trainer that leaves conv1 and conv2 frozen builds norm1 and norm2 with the fused LRN op (faster; no gradient
   * flows through them); its gradients must equal those of the all-layer trainer above, checked against finite
   * differences.
   */
  @Test
  void trainingAboveNorm2GivesTheSameGradientsWithTheFusedLrn() {
    Set<String> upper = Set.of("conv3", "conv4", "conv5", "fc6", "fc7", "fc8");
    try (Trainer upperOnly = Trainer.builder().setFreshInit().optNumClasses(CLASSES).optTrainLayers(upper)
        .optWeightDecay(0f).optSeed(3).build()) {
      upperOnly.setParameters(parameters);
      Map<String, float[]> upperGradients = upperOnly.gradients(image, label, 1);

      assertThat(upperGradients.keySet()).as("variables with a gradient").hasSize(12);
      for (Map.Entry<String, float[]> e : upperGradients.entrySet()) {
        float[] all = gradients.get(e.getKey());
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < all.length; i++) {
          diff += Math.pow(e.getValue()[i] - all[i], 2);
          norm += (double) all[i] * all[i];
        }
        assertThat(Math.sqrt(diff / norm)).as("%s: gradient with fused LRN vs with basic-ops LRN", e.getKey())
            .isLessThan(1e-4);
      }
    }
  }

  private double lossAt(String name, float[] g, double norm, double step) {
    WeightArray w = parameters.get(name);
    float[] moved = w.data().clone();
    for (int i = 0; i < moved.length; i++) {
      moved[i] += (float) (step * g[i] / norm);
    }
    Map<String, WeightArray> one = new HashMap<>();
    one.put(name, WeightArray.of(w.shape(), moved));
    trainer.setParameters(one);
    return trainer.loss(image, label, 1);
  }
}
