package org.alexnettfj.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RowTest {

  private static Measured ms(double... samples) {
    return new Measured("X.y", Map.of(), java.util.Arrays.stream(samples).boxed().toList(), "ms/op");
  }

  @Test
  void modelRowGivesImagesPerSecondFromTheMedianAndItsFractionOfTheLimit() {
    // 64 images in a median 1000 ms: 64 images/s; limit 144.8813632 / 1.448813632 = 100 images/s.
    Row r = Row.model("inference_b64", "inference", 64, 2, ms(900, 1000, 1300), Workload.INFERENCE, 144.8813632);
    assertThat(r.median()).as("median ms").isEqualTo(1000);
    assertThat(r.min()).as("min").isEqualTo(900);
    assertThat(r.max()).as("max").isEqualTo(1300);
    assertThat(r.unit()).as("JMH's ms/op shown as ms").isEqualTo("ms");
    assertThat(r.numbers().get("imagesPerSecond")).as("64 / 1 s").isCloseTo(64, within(1e-9));
    assertThat(r.numbers().get("limitImagesPerSecond")).as("peak / GFLOP per image").isCloseTo(100, within(1e-9));
    assertThat(r.numbers().get("fractionOfLimit")).as("64 of 100").isCloseTo(0.64, within(1e-9));
    assertThat(r.numbers().get("gflopPerImage")).as("forward").isCloseTo(1.4488, within(1e-4));
    assertThat(r.rate()).as("table's rate").isEqualTo("64.0 images/s");
    assertThat(r.versus()).as("table's vs limit").isEqualTo("64% of 100.0 images/s");
  }

  @Test
  void endToEndRowIsAlsoAFractionOfTheModelOnlyRate() {
    Row r = Row.endToEnd("e2e", "end to end", 128, 2, ms(4000), Workload.FINE_TUNE_FC, 160.7803968, 40);
    assertThat(r.numbers().get("imagesPerSecond")).as("128 / 4 s").isCloseTo(32, within(1e-9));
    assertThat(r.numbers().get("fractionOfLimit")).as("32 of 100").isCloseTo(0.32, within(1e-9));
    assertThat(r.numbers().get("fractionOfModelOnly")).as("32 of 40").isCloseTo(0.8, within(1e-9));
    assertThat(r.versus()).as("table").isEqualTo("32% of limit, 80% of model-only");
  }

  @Test
  void fasterThanIsTheRatioOfImagesPerSecond() {
    Row images = Row.model("images", "from images", 128, 2, ms(2500), Workload.FINE_TUNE_FC, 160);
    Row cached = Row.model("cached", "from pool5", 128, 2, ms(400), Workload.FINE_TUNE_FC_FROM_POOL5, 160)
        .fasterThan(images, "from images", "timesFromImages", 5);
    assertThat(cached.numbers().get("timesFromImages")).as("320 / 51.2 images/s").isCloseTo(6.25, within(1e-9));
    assertThat(cached.numbers().get("imagesPerSecond")).as("its own rate kept").isCloseTo(320, within(1e-9));
    assertThat(cached.versus()).as("table").isEqualTo("6.3x from images (goal >= 5x)");
  }

  @Test
  void alsoFasterThanKeepsTheRowsComparisonAndAddsTheRatio() {
    Row fp32 = Row.model("fp32", "fp32", 64, 2, ms(300), Workload.INFERENCE, 160);
    Row bf16 = Row.model("bf16", "bf16", 64, 2, ms(200), Workload.INFERENCE, 160)
        .alsoFasterThan(fp32, "fp32", "timesFp32");
    assertThat(bf16.numbers().get("timesFp32")).as("320 / 213.3 images/s").isCloseTo(1.5, within(1e-9));
    assertThat(bf16.versus()).startsWith(Row.model("bf16", "bf16", 64, 2, ms(200), Workload.INFERENCE, 160)
        .versus()).endsWith(", 1.5x fp32");
  }

  @Test
  void peakRowIsTwoNCubedFlopsOverTheMedian() {
    Row r = Row.peak("peak", "peak", 1000, 2, ms(20, 10, 30));
    assertThat(r.numbers().get("gflops")).as("2e9 flops in 10 ms... median is 20 ms").isCloseTo(100, within(1e-9));
    assertThat(r.batch()).as("no batch").isNull();
  }

  @Test
  void bandwidthRowIsBytesOverTheMedian() {
    Row r = Row.bandwidth("bw", "bandwidth", 1_000_000_000L, 1, ms(100));
    assertThat(r.numbers().get("gbPerSecond")).as("1 GB in 0.1 s").isCloseTo(10, within(1e-9));
  }

  @Test
  void timesComparesMediansAgainstABaseline() {
    Row bare = Row.time("a", "bare read", null, 1, ms(100, 140));
    Row r = Row.time("b", "import", null, 1, ms(180)).times(bare, "bare read", "timesBareRead", 1.5);
    assertThat(r.numbers().get("timesBareRead")).as("180 / 120").isCloseTo(1.5, within(1e-9));
    assertThat(r.versus()).as("table").isEqualTo("1.50x bare read (goal <= 1.5x)");
  }

  @Test
  void secondsConvertsJmhTimeUnits() {
    assertThat(Row.seconds(1500, "ms/op")).as("ms").isEqualTo(1.5);
    assertThat(Row.seconds(2, "s")).as("s").isEqualTo(2);
    assertThat(Row.seconds(3e6, "us/op")).as("us").isCloseTo(3, within(1e-12));
    assertThatThrownBy(() -> Row.seconds(1, "ops/ms")).as("a throughput is not a time")
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ops/ms");
  }

  @Test
  void numbersCannotBeChangedAfterwards() {
    Row r = Row.time("a", "a", 1, 1, ms(1));
    assertThatThrownBy(() -> r.numbers().put("x", 1.0)).as("immutable")
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(List.of(r.rate(), r.versus())).as("a plain time has no rate or comparison").containsOnly("");
  }
}
