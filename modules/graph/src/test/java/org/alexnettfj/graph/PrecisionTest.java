package org.alexnettfj.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** bf16 is opt-in, close to fp32 where it runs, and refused with a reason where it would not be the fast path. */
class PrecisionTest {

  @Test
  void bf16IsCloseToFp32WhereTheCoreAndOneDnnRunItAndRefusedElsewhere() throws Exception {
    float[] images = new float[2 * AlexNetModel.IMAGE_VALUES];
    SplittableRandom rnd = new SplittableRandom(3);
    for (int i = 0; i < images.length; i++) {
      images[i] = (float) rnd.nextDouble(-120, 130);
    }
    AlexNetModel.Builder bf16 = AlexNetModel.builder().setFreshInit().optSeed(5).optMaxBatch(2)
        .optPrecision(Precision.BF16);
    if (!OneDnn.enabled() || !CpuFeatures.bf16()) {
      assertThatThrownBy(bf16::build).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("precision bf16 needs");
      return;
    }
    float[][] exact;
    float[][] approximate;
    try (AlexNetModel fp32 = AlexNetModel.builder().setFreshInit().optSeed(5).optMaxBatch(2).build()) {
      exact = fp32.features(images, 2, "fc7");
    }
    try (AlexNetModel model = bf16.build()) {
      approximate = model.features(images, 2, "fc7");
    }
    double scale = 0;
    double worst = 0;
    boolean differs = false;
    for (int n = 0; n < 2; n++) {
      for (int i = 0; i < exact[n].length; i++) {
        scale = Math.max(scale, Math.abs(exact[n][i]));
        worst = Math.max(worst, Math.abs(exact[n][i] - approximate[n][i]));
        differs |= exact[n][i] != approximate[n][i];
      }
    }
    assertThat(differs).as("bf16 ran: its fc7 is not fp32's bit for bit").isTrue();
    assertThat(worst / scale).as("fc7's largest difference relative to its largest value").isLessThan(0.03);
  }

  @Test
  void bf16IsRefusedWithAReasonWhereItWouldBeEmulatedOrCannotRun() {
    assertThatThrownBy(() -> Precision.BF16.check(Placement.DEFAULT, true, false, "AVX2"))
        .hasMessageContaining("avx512_bf16 or AMX").hasMessageContaining("this one has AVX2")
        .hasMessageContaining("use fp32");
    assertThatThrownBy(() -> Precision.BF16.check(Placement.DEFAULT, false, true, "AVX-512 (avx512_bf16)"))
        .hasMessageContaining("oneDNN");
    assertThatThrownBy(() -> Precision.BF16.check(Placement.device("/GPU:0"), true, true, "AVX-512"))
        .hasMessageContaining("for the CPU");
    Precision.FP32.check(Placement.device("/GPU:0"), false, false, "AVX2");
    Precision.BF16.check(Placement.DEFAULT, true, true, "AVX-512 (avx512_bf16)");
  }

  @Test
  void theCommandLineValuesAreFp32AndBf16() {
    assertThat(Precision.parse("BF16")).isEqualTo(Precision.BF16);
    assertThat(Precision.parse("fp32")).isEqualTo(Precision.FP32);
    assertThatThrownBy(() -> Precision.parse("fp16")).hasMessageContaining("expected fp32 or bf16");
  }
}
