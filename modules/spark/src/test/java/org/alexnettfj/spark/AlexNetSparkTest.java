package org.alexnettfj.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code alexnet-spark} holds to docs/cli.md as {@code alexnet} does: the build's version, usage errors exit 2. */
class AlexNetSparkTest {

  @TempDir
  Path tmp;

  private record Run(int code, String out, String err) {
    static Run of(String... args) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code = AlexNetSpark.run(args, new PrintWriter(out), new PrintWriter(err));
      return new Run(code, out.toString(), err.toString());
    }
  }

  @Test
  void saysTheBuildsVersionOnEveryCommand() throws Exception {
    Matcher m = Pattern.compile("<artifactId>alexnet-tfj-parent</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(Files.readString(Path.of("../../pom.xml")));
    assertThat(m.find()).as("the root pom's version").isTrue();
    for (List<String> args : List.of(List.of("--version"), List.of("features", "--version"))) {
      Run r = Run.of(args.toArray(String[]::new));
      assertThat(r.code()).as("%s", args).isZero();
      assertThat(r.out().strip()).as("%s: the version Maven built, as alexnet --version", args)
          .isEqualTo("alexnet-tfj " + m.group(1));
    }
  }

  @Test
  void aValueAnOptionCannotTakeIsAUsageErrorFoundBeforeAnyFileIsRead() {
    Path missing = tmp.resolve("bvlc_alexnet.npy");   // read after the options are checked
    for (List<String> bad : List.of(List.of("--partitions", "-1"), List.of("--batch-size", "0"),
        List.of("--threads", "-1"), List.of("--layer", "fc9"))) {
      Run r = Run.of(concat(List.of("features", "--weights", missing.toString(), "--input", tmp.toString(),
          "--out", tmp.resolve("o.parquet").toString()), bad));
      assertThat(r.code()).as("%s: %s", bad, r.err()).isEqualTo(AlexNetSpark.EXIT_USAGE);
      assertThat(r.err().strip()).as("%s: one line naming the option", bad)
          .startsWith("alexnet-spark features: " + bad.get(0)).doesNotContain("\n");
    }
    Run unknown = Run.of("features", "--input", tmp.toString(), "--out", "o.parquet", "--fast");
    assertThat(unknown.code()).as("an unknown option").isEqualTo(AlexNetSpark.EXIT_USAGE);
    assertThat(unknown.err()).contains("--fast");
    assertThat(SparkSession.getDefaultSession().isDefined()).as("no Spark started").isFalse();
  }

  private static String[] concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toArray(String[]::new);
  }
}
