package org.alexnettfj.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SuiteReportTest {

  private static final Machine MACHINE = new Machine(2, "AMD EPYC", 23, "17.0.15");
  private static final SuiteReport.Peak PEAK = new SuiteReport.Peak(160.7803968, "TF matmul, onednn, n=4096");

  /** The rows --quick makes: the peak, inference at 64, fc fine-tuning at 128. */
  private static List<Row> quickRows() {
    return List.of(
        Row.peak("peak_onednn_n4096", "FP32 matmul peak, onednn, n=4096", 4096, 2,
            new Measured("PeakBenchmark.matmul", Map.of("n", "4096"), List.of(850.0, 860.0, 855.0), "ms/op")),
        Row.model("inference_b64", "inference (prob)", 64, 2,
            new Measured("InferenceBenchmark.forward", Map.of("batch", "64"), List.of(1000.0, 1100.0, 1050.0),
                "ms/op"), Workload.INFERENCE, PEAK.gflops()),
        Row.model("finetune_fc_b128", "fine-tune fc6-fc8 step", 128, 2,
            new Measured("TrainStepBenchmark.step", Map.of("batch", "128"), List.of(3900.0, 4000.0, 4100.0),
                "ms/op"), Workload.FINE_TUNE_FC, PEAK.gflops()));
  }

  @Test
  void quickJsonIsOneObjectWithMachinePeakThreadsAndEachResultsRateAndFraction() throws Exception {
    String json = SuiteReport.json("quick", MACHINE, 2, true, PEAK, quickRows());
    assertThat(json).as("one line, one object").doesNotContain("\n").startsWith("{").endsWith("}");
    JsonNode root = new ObjectMapper().readTree(json);
    assertThat(root.get("suite").asText()).as("suite").isEqualTo("quick");
    assertThat(root.get("threads").asInt()).as("threads").isEqualTo(2);
    assertThat(root.get("onednn").asBoolean()).as("the model rows' TensorFlow kernels").isTrue();
    assertThat(root.at("/machine/cores").asInt()).as("cores").isEqualTo(2);
    assertThat(root.at("/machine/cpu").asText()).as("cpu").isEqualTo("AMD EPYC");
    assertThat(root.at("/peak/gflops").asDouble()).as("the peak used").isEqualTo(PEAK.gflops());
    assertThat(root.at("/peak/from").asText()).as("which run gave it").contains("onednn");

    JsonNode inference = root.at("/results/inference_b64");
    assertThat(inference.get("batch").asInt()).as("batch").isEqualTo(64);
    assertThat(inference.get("median").asDouble()).as("median ms").isEqualTo(1050.0);
    assertThat(inference.get("imagesPerSecond").asDouble()).as("64 / 1.05 s").isCloseTo(60.95, within(0.01));
    assertThat(inference.get("fractionOfLimit").asDouble()).as("of 160.78 / 1.4488 = 110.97 images/s")
        .isCloseTo(0.5493, within(0.0001));
    JsonNode fineTune = root.at("/results/finetune_fc_b128");
    assertThat(fineTune.get("imagesPerSecond").asDouble()).as("128 / 4 s").isCloseTo(32, within(1e-9));
    assertThat(fineTune.get("fractionOfLimit").asDouble()).as("of 100 images/s").isCloseTo(0.32, within(1e-9));
    assertThat(fineTune.get("gflopPerImage").asDouble()).as("fc6-fc8 step").isCloseTo(1.6078, within(1e-4));
    List<String> keys = new ArrayList<>();
    root.get("results").fieldNames().forEachRemaining(keys::add);
    assertThat(keys).as("results in run order").containsExactly("peak_onednn_n4096", "inference_b64",
        "finetune_fc_b128");
  }

  @Test
  void jsonRejectsTwoRowsWithOneId() {
    Row r = quickRows().get(1);
    assertThatThrownBy(() -> SuiteReport.json("full", MACHINE, 2, false, PEAK, List.of(r, r))).as("duplicate id")
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inference_b64");
  }

  @Test
  void tableHasAHeaderAndOneAlignedLinePerRow() {
    List<Row> rows = new ArrayList<>(quickRows());
    rows.add(Row.time("import", "import full-size .npy", null, 1,
        new Measured("ImportBenchmark.readWeights", Map.of(), List.of(129.3, 120.5, 156.0), "ms/op")));
    String[] lines = SuiteReport.table(rows).split("\n");
    assertThat(lines).as("header + 4 rows").hasSize(5);
    assertThat(lines[0]).as("header").startsWith("benchmark").contains("batch", "threads", "median", "min-max",
        "rate", "vs limit");
    assertThat(lines[2]).as("inference row").startsWith("inference (prob)").contains("  64  ", "1050.0 ms",
        "1000.0-1100.0", "61.0 images/s", "55% of 111.0 images/s");
    assertThat(lines[4]).as("no batch shows as -; small numbers get two decimals").contains(" - ", "129.3 ms",
        "120.5-156.0");
    int medianEnd = lines[0].indexOf("median") + "median".length();
    for (int i = 1; i < lines.length; i++) {
      assertThat(lines[i].substring(medianEnd - 2, medianEnd)).as("medians right-aligned under the header, line "
          + i).isEqualTo("ms");
    }
  }

  @Test
  void numbersGetOneDecimalFromTenUpAndTwoBelow() {
    assertThat(SuiteReport.number(1080.25)).as("large").isEqualTo("1080.3");
    assertThat(SuiteReport.number(2.454)).as("small").isEqualTo("2.45");
  }
}
