package org.alexnettfj.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A plain library user leaves {@code TF_ENABLE_ONEDNN_OPTS} unset: the graph's choices must follow the kernels
 * TensorFlow then really runs, which TensorFlow's own start-up line names ("oneDNN custom operations are on").
 */
class OneDnnTest {

  /** Prints what {@link OneDnn#enabled()} says, in a JVM started without the variable. */
  public static void main(String[] args) {
    System.out.println("enabled=" + OneDnn.enabled());
  }

  @Test
  void unsetItAgreesWithWhatTensorFlowSaysItRuns() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), OneDnnTest.class.getName());
    pb.environment().remove(OneDnn.VARIABLE);
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "0");
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    boolean tensorFlowSaysOn = out.contains("oneDNN custom operations are on");
    assertThat(out).as("TensorFlow's own line and the probe agree:\n%s", out)
        .contains("enabled=" + tensorFlowSaysOn);
  }

  @Test
  void aSetValueIsTakenAsTensorFlowReadsIt() {
    assertThat(OneDnn.enabled("1")).isTrue();
    assertThat(OneDnn.enabled("True")).isTrue();
    assertThat(OneDnn.enabled("0")).isFalse();
    assertThat(OneDnn.enabled("FALSE")).isFalse();
  }

  @Test
  void theCoreIsReadFromItsFlagsOrTheProperty() {
    assertThat(CpuFeatures.detect(null, "flags\t: fpu avx avx2 avx512f avx512bw\n")).isTrue();
    assertThat(CpuFeatures.detect(null, "flags\t: fpu avx avx2 fma\n")).isFalse();
    assertThat(CpuFeatures.detect(null, "")).isFalse();
    assertThat(CpuFeatures.detect("avx2", "flags\t: avx512f\n")).isFalse();
    assertThat(CpuFeatures.detect("AVX512", "flags\t: avx2\n")).isTrue();
    assertThatThrownBy(() -> CpuFeatures.detect("sse", "")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("alexnet.cpu");
  }
}
