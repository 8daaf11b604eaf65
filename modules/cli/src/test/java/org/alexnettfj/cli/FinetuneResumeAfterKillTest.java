package org.alexnettfj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.alexnettfj.train.Checkpoints;
import org.alexnettfj.weights.WeightArray;
import org.alexnettfj.weights.WeightReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code finetune --resume} after {@code kill -9}: a real training JVM is killed once its first checkpoint is
 * complete, resumed, and must end with the same weights, bit for bit, as a run that was never stopped.
 *
 * <p>Bit for bit, not to a tolerance: both runs do the same float operations in the same order — the same
 * TensorFlow kernels on the same thread count, batches from {@code BatchPipeline.epoch(e)} (deterministic under
 * the seed, augmentation included), dropout masks keyed on the global step — and the checkpoint restores every
 * variable, velocity and the learning rate exactly. Any difference would be a resume bug.
 *
 * <p>A class of its own (not in {@link FinetuneCommandTest}): it starts processes and takes the most time.
 */
class FinetuneResumeAfterKillTest {

  private static final Path DEMO = Path.of("../../weights/demo/fashion-mnist");

  @TempDir
  Path dir;

  /** The first {@code n} images of each class of a demo split, copied into class folders. */
  private Path subset(String split, int n) throws IOException {
    Path root = dir.resolve(split);
    try (Stream<Path> classes = Files.list(DEMO.resolve(split))) {
      for (Path cls : classes.filter(Files::isDirectory).sorted().toList()) {
        Path to = Files.createDirectories(root.resolve(cls.getFileName().toString()));
        try (Stream<Path> images = Files.list(cls)) {
          for (Path image : images.sorted().limit(n).toList()) {
            Files.copy(image, to.resolve(image.getFileName().toString()));
          }
        }
      }
    }
    return root;
  }

  private static Process start(List<String> args, Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-Xmx1g", "-cp", System.getProperty("java.class.path"), AlexNetCli.class.getName()));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    return pb.start();
  }

  private static Map<String, WeightArray> arrays(Path npz) throws IOException {
    return WeightReader.read(npz).arrays();
  }

  @Test
  void aRunKilledAfterItsFirstCheckpointResumesToTheUninterruptedRunsWeightsBitForBit() throws Exception {
    assertThat(DEMO.resolve("train")).as("the demo's Fashion-MNIST subset").isDirectory();
    // 3 classes x 4 training images, batch 4: 3 steps an epoch; fc8 trained, dropout and augmentation on. A rate
    // these random features train at: at the default 0.01 the loss climbs past 100 and the divergence stop ends it.
    List<String> common = List.of("finetune", "--train", subset("train", 4).toString(), "--val",
        subset("val", 2).toString(), "--weights", dir.resolve("absent.npy").toString(), "--train-layers", "fc8",
        "--epochs", "3", "--batch-size", "4", "--seed", "1", "--threads", "2", "--lr-patience", "1",
        "--learning-rate", "1e-4", "--json");
    Path killedDir = dir.resolve("killed");

    Process killed = start(plus(common, "--checkpoint-dir", killedDir.toString()), dir.resolve("killed.log"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!Files.exists(killedDir.resolve(Checkpoints.POINTER)) && killed.isAlive()
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    boolean aliveAtKill = killed.isAlive();
    killed.destroyForcibly();   // SIGKILL on Linux: no shutdown hook, no finally block runs
    assertThat(killed.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String killedLog = Files.readString(dir.resolve("killed.log"));
    assertThat(aliveAtKill).as("killed while still training; its log: %s", killedLog).isTrue();
    assertThat(killed.exitValue()).as("128 + SIGKILL").isEqualTo(137);
    int killedAt = Checkpoints.epochOf(Checkpoints.in(killedDir, 3).latest().orElseThrow());
    assertThat(killedAt).as("the last complete checkpoint is before the last epoch").isBetween(1, 2);

    Process resumed = start(plus(common, "--checkpoint-dir", killedDir.toString(), "--resume", "--out",
        dir.resolve("resumed.npz").toString()), dir.resolve("resumed.log"));
    assertThat(resumed.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String resumedLog = Files.readString(dir.resolve("resumed.log"));
    assertThat(resumed.exitValue()).as("resumed run; its log: %s", resumedLog).isZero();
    assertThat(resumedLog).contains("resuming from " + killedDir.resolve("ckpt-" + killedAt).toAbsolutePath());

    Run uninterrupted = Run.of(plus(common, "--checkpoint-dir", dir.resolve("whole").toString(), "--out",
        dir.resolve("whole.npz").toString()).toArray(String[]::new));
    assertThat(uninterrupted.code()).as("stderr: %s", uninterrupted.err()).isZero();

    Map<String, WeightArray> a = arrays(dir.resolve("resumed.npz"));
    Map<String, WeightArray> b = arrays(dir.resolve("whole.npz"));
    assertThat(a.keySet()).isEqualTo(b.keySet());
    for (String name : b.keySet()) {
      assertThat(Arrays.equals(a.get(name).data(), b.get(name).data())).as("%s, resumed vs uninterrupted", name)
          .isTrue();
    }
    JsonNode resumedJson = lastJson(resumedLog);
    JsonNode wholeJson = new ObjectMapper().readTree(uninterrupted.out());
    for (String key : List.of("epochs", "globalStep", "learningRate", "valTop1", "bestEpoch", "trainLoss")) {
      assertThat(resumedJson.get(key)).as("%s in --json", key).isEqualTo(wholeJson.get(key));
    }
  }

  private static List<String> plus(List<String> common, String... more) {
    List<String> args = new ArrayList<>(common);
    args.addAll(List.of(more));
    return args;
  }

  /** The JSON object the process printed last (its log has stderr lines too). */
  private static JsonNode lastJson(String log) throws IOException {
    String line = log.lines().filter(l -> l.startsWith("{")).reduce((x, y) -> y).orElseThrow();
    return new ObjectMapper().readTree(line);
  }
}
