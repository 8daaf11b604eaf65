package org.alexnettfj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.alexnettfj.testfixtures.RandomAlexNet;
import org.alexnettfj.weights.NpzWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code tools/} scripts of the classic flow fail before any build or training, with one line that says what is
 * missing and what to do. (What they run, {@code alexnet make-lists}, {@code finetune} and {@code evaluate}, is
 * tested through {@link Run}.)
 */
class ToolsScriptsTest {

  /** Tests run in modules/cli. */
  private static final Path TOOLS = Path.of("../../tools").toAbsolutePath().normalize();

  @TempDir
  Path dir;

  private record Result(int code, String out, String err) {
  }

  private static Result run(String script, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(TOOLS.resolve(script).toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile("script", ".out");
    Path err = Files.createTempFile("script", ".err");
    try {
      Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finishes", script).isTrue();
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  @Test
  void dogsVsCatsWithoutTheKaggleImagesSaysWhereTheyGo() throws Exception {
    Path data = dir.resolve("my data");

    Result r = run("dogs-vs-cats", data.toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("dogs-vs-cats: no " + data + "/train/cat.*.jpg and dog.*.jpg: download "
        + "Kaggle's \"Dogs vs. Cats\" train.zip and unzip it in " + data + ", so that " + data
        + "/train/cat.0.jpg exists");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void dogsVsCatsWithoutTheWeightsSaysSoBeforeWritingAnything() throws Exception {
    Path data = dir.resolve("data");
    Files.createDirectories(data.resolve("train"));
    Files.writeString(data.resolve("train/cat.0.jpg"), "x");
    Files.writeString(data.resolve("train/dog.0.jpg"), "x");
    Path weights = dir.resolve("bvlc_alexnet.npy");

    Result r = run("dogs-vs-cats", data.toString(), "--weights", weights.toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("dogs-vs-cats: no weights at " + weights + ": fine-tuning fc7,fc8 needs "
        + "the pretrained layers below them; put bvlc_alexnet.npy in weights/ (see README) or pass --weights FILE");
    assertThat(data.resolve("alexnet")).as("no lists made").doesNotExist();
  }

  @Test
  void makeListsOfAMissingFolderSaysSo() throws Exception {
    Path missing = dir.resolve("no such");

    Result r = run("make-lists", missing.toString(), "--val-split", "0.1");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("make-lists: " + missing + ": no such folder (expected a folder of class "
        + "folders, or of class.N.jpg with --by-prefix)");
  }

  /** TensorFlow's native lines that TF_CPP_MIN_LOG_LEVEL=2 does not silence. */
  private static final List<String> TF_NOISE = List.of("absl::InitializeLog", "mlir_graph_optimization_pass");

  private Result runJava(boolean throughLauncher, String... cliArgs) throws IOException, InterruptedException {
    // the launchers' run_java under their set -euo pipefail, on this test's class path (tools/alexnet itself would
    // build the CLI with Maven)
    List<String> command = new ArrayList<>(List.of("bash", "-c", throughLauncher
        ? "set -euo pipefail; source \"$1\"; shift; run_java java -cp \"$1\" -- org.alexnettfj.cli.AlexNetCli \"${@:2}\""
        : "shift; TF_CPP_MIN_LOG_LEVEL=2 exec java -cp \"$1\" org.alexnettfj.cli.AlexNetCli \"${@:2}\"",
        "bash", TOOLS.resolve("lib/run-java.sh").toString(), System.getProperty("java.class.path")));
    command.addAll(List.of(cliArgs));
    Path out = dir.resolve("java.out");
    Path err = dir.resolve("java.err");
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the CLI finishes").isTrue();
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  @Test
  void theLauncherKeepsTensorFlowsNoiseOffStderrAndTheExitCode() throws Exception {
    Path weights = dir.resolve("random.npz");
    NpzWriter.write(weights, RandomAlexNet.uniform(1000, 3, 0.01, 0.1));
    Path missing = dir.resolve("missing.jpg");
    String[] args = {"predict", "--weights", weights.toString(), "--json", missing.toString()};

    Result plain = runJava(false, args);
    Result launched = runJava(true, args);

    assertThat(plain.err()).as("without the filter TensorFlow logs these").contains(TF_NOISE.get(1));
    assertThat(launched.code()).as("some inputs unreadable, through the launcher").isEqualTo(3);
    assertThat(launched.err()).contains("alexnet predict: skipped " + missing).doesNotContain(TF_NOISE);
    assertThat(launched.out()).as("stdout untouched").isEqualTo(plain.out()).contains("\"error\"");
    assertThat(runJava(true, "predict", "--top", "0", missing.toString()).code()).as("a usage error").isEqualTo(2);
    Result ok = runJava(true, "predict", "--weights", weights.toString(), "--top", "1",
        Path.of("../data/src/test/resources/images/zebra.jpeg").toString());
    assertThat(ok.code()).as("success with nothing but TensorFlow's noise on stderr: %s", ok.err()).isZero();
    assertThat(ok.err()).isEmpty();
  }
}
