package org.alexnettfj.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompareTest {

  @TempDir
  Path tmp;

  @Test
  void countsThePairsBWinsAndComparesTheMedians() {
    double[] a = {10, 12, 11, 30, 10};
    double[] b = {9, 13, 10, 8, 10};

    Compare.Result r = Compare.Result.of(a, b);

    assertThat(r.bFaster()).as("pairs with B's time below A's (a tie is not a win)").isEqualTo(3);
    assertThat(r.a().median()).isEqualTo(11.0);
    assertThat(r.b().median()).isEqualTo(10.0);
    assertThat(r.ratio()).isCloseTo(10.0 / 11.0, within(1e-12));
    assertThat(r.format("base", "new")).contains("base").contains("new").contains("B faster in 3 of 5 pairs")
        .contains("B/A 0.909");
  }

  @Test
  void refusesUnpairedTimes() {
    assertThatThrownBy(() -> Compare.Result.of(new double[] {1, 2}, new double[] {1}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("as many");
  }

  @Test
  void parsesTheSettingsWithDefaultsByBatch() {
    Compare.Args one = Compare.Args.parse("a", "b", "--batch", "1");
    Compare.Args train = Compare.Args.parse("--train", "fc6,fc7,fc8", "a", "b", "--pairs", "7", "--pool5");

    assertThat(one.batch()).isEqualTo(1);
    assertThat(one.pairs()).as("many pairs of short calls").isEqualTo(200);
    assertThat(one.layer()).isEqualTo("prob");
    assertThat(one.trainLayers()).isNull();
    assertThat(train.a()).isEqualTo(Path.of("a"));
    assertThat(train.b()).isEqualTo(Path.of("b"));
    assertThat(train.batch()).isEqualTo(64);
    assertThat(train.pairs()).isEqualTo(7);
    assertThat(train.trainLayers()).isEqualTo(Set.of("fc6", "fc7", "fc8"));
    assertThat(train.pool5()).isTrue();
    assertThat(one.pool5()).isFalse();
  }

  @Test
  void refusesBadSettingsSayingWhichOne() {
    assertThatThrownBy(() -> Compare.Args.parse("a")).hasMessageContaining("two snapshot folders");
    assertThatThrownBy(() -> Compare.Args.parse("a", "b", "--batch", "0")).hasMessageContaining("--batch")
        .hasMessageContaining("at least 1");
    assertThatThrownBy(() -> Compare.Args.parse("a", "b", "--pairs", "x")).hasMessageContaining("--pairs")
        .hasMessageContaining("'x'");
    assertThatThrownBy(() -> Compare.Args.parse("a", "b", "--layer")).hasMessageContaining("--layer needs a value");
    assertThatThrownBy(() -> Compare.Args.parse("a", "b", "--fast")).hasMessageContaining("unknown option --fast");
    assertThatThrownBy(() -> Compare.Args.parse("a", "b", "--pool5")).hasMessageContaining("--pool5 goes with --train");
  }

  @Test
  void aSnapshotFolderMustExistAndHoldTheProjectsJars() throws Exception {
    Path empty = Files.createDirectory(tmp.resolve("empty"));

    assertThatThrownBy(() -> Compare.loader(tmp.resolve("missing"))).hasMessageContaining("missing")
        .hasMessageContaining("tools/bench snapshot");
    assertThatThrownBy(() -> Compare.loader(empty)).hasMessageContaining("no alexnet-tfj-*.jar");
  }
}
