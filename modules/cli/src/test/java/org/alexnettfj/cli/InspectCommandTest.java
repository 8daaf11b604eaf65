package org.alexnettfj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {

  private static final Path FIXTURES = Path.of("../weights/src/test/resources/fixtures");

  @TempDir
  Path tmp;

  private static Run run(String... args) {
    return Run.of(args);
  }

  @Test
  void printsEveryArrayWithStoredOrderAndStats() {
    Run r = run("inspect", FIXTURES.resolve("bvlc-mini-py2.npy").toString());
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("format: npy v1.0, pickle, dict of lists")
        .containsPattern("fc7/weights\\s+\\(7, 7\\)\\s+<f4\\s+Fortran")
        .containsPattern("conv1/weights\\s+\\(5, 5, 3, 8\\)\\s+<f4\\s+C ")
        .contains("expected (11, 11, 3, 96)")
        .contains("does not match AlexNet (5 classes)");
  }

  @Test
  void jsonReportHasOneEntryPerArray() throws Exception {
    Run r = run("inspect", "--json", FIXTURES.resolve("caffe-tf-dict-of-dicts-np2.npy").toString());
    assertThat(r.code()).isZero();
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("arrays")).hasSize(16);
    assertThat(json.get("matchesAlexNet").asBoolean()).isFalse();
    JsonNode first = json.get("arrays").get(0);
    assertThat(first.get("name").asText()).isEqualTo("conv1/weights");
    assertThat(first.get("min").asDouble()).isEqualTo(-60.0);
    assertThat(first.get("nan").asInt()).isZero();
  }

  @Test
  void badInputFailsWithOneLineAndNoStackTrace() throws Exception {
    Path bad = Files.writeString(tmp.resolve("bad.npy"), "not numpy");
    Run r = run("inspect", bad.toString());
    assertThat(r.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(r.err().strip()).as("one line").doesNotContain("\n")
        .startsWith("alexnet inspect: " + bad).contains("not a weight file");
    assertThat(r.out()).isEmpty();

    Run verbose = run("inspect", "--verbose", bad.toString());
    assertThat(verbose.err()).contains("at org.alexnettfj.weights.WeightReader");
  }

  @Test
  void readsACaffeModelInTensorflowLayout() {
    Run r = run("inspect", FIXTURES.resolve("caffe/real/lenet_iter_10000.caffemodel").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("format: caffemodel, V2 layer (field 100), net 'LeNet'")
        .containsPattern("conv2/weights\\s+\\(5, 5, 20, 50\\)\\s+<f4\\s+C ")
        .containsPattern("ip1/weights\\s+\\(800, 500\\)\\s+<f4\\s+C ")
        .containsPattern("ip2/weights\\s+\\(500, 10\\)\\s+<f4\\s+Fortran");
  }

  @Test
  void missingArgumentIsAUsageError() {
    Run r = run("inspect");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required parameter: 'FILE'");
  }
}
