package org.alexnettfj.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A model gets the intra-op threads it asks for although the device listing (and, with the variable unset, the
 * oneDNN probe) made sessions first: TensorFlow sizes one pool per process from the first session. Each count in
 * a JVM of its own, with oneDNN's kernels as a user gets them (variable unset) and as the tools set them (1).
 */
class IntraOpPoolTest {

  /** Builds a model with {@code args[0]} intra-op threads, runs it once, prints the process's thread count. */
  public static void main(String[] args) throws IOException {
    try (AlexNetModel m = AlexNetModel.builder().setFreshInit().optMaxBatch(1)
        .optIntraOpThreads(Integer.parseInt(args[0])).build()) {
      m.features(new float[AlexNetModel.IMAGE_VALUES], 1, "prob");
      try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
        System.out.println("threads " + tasks.count());
      }
    }
  }

  private static long threads(int intraOp, String oneDnn) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-cp", System.getProperty("java.class.path"), IntraOpPoolTest.class.getName(),
        Integer.toString(intraOp)));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    if (oneDnn == null) {
      pb.environment().remove("TF_ENABLE_ONEDNN_OPTS");
    } else {
      pb.environment().put("TF_ENABLE_ONEDNN_OPTS", oneDnn);
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    return out.lines().filter(l -> l.startsWith("threads ")).mapToLong(l -> Long.parseLong(l.substring(8)))
        .findFirst().orElseThrow(() -> new AssertionError(out));
  }

  @Test
  void aModelGetsTheIntraOpThreadsItAsksForAfterTheProbesSessions() throws Exception {
    for (String oneDnn : new String[] {null, "1"}) {
      long one = threads(1, oneDnn);
      long four = threads(4, oneDnn);
      // measured before the fix: the same count for any request (the probes' default pool, one per core)
      assertThat(four - one).as("TF_ENABLE_ONEDNN_OPTS=%s: 4 intra-op threads against 1", oneDnn).isEqualTo(3);
    }
  }
}
