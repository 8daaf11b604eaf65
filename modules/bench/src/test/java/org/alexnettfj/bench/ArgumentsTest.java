package org.alexnettfj.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

class ArgumentsTest {

  static final class Options {
    @Option(names = "--n", defaultValue = "1")
    int n;

    @Option(names = "--name")
    String name;

    @Parameters
    List<String> rest = new ArrayList<>();
  }

  private static Options parse(String... args) {
    return Arguments.parse(new Options(), args, arg -> "no such thing: " + arg);
  }

  @Test
  void aLaterOptionOverridesAnEarlierOneAsTheHandWrittenLoopsDid() {
    assertThat(parse("--n", "2", "--n", "3").n).isEqualTo(3);
    assertThat(parse().n).as("the default").isEqualTo(1);
  }

  @Test
  void anAtFileIsAPlainArgumentNotAFileToExpand() {
    assertThat(parse("@snapshots", "b").rest).containsExactly("@snapshots", "b");
  }

  @Test
  void whatItCannotReadIsAnIllegalArgumentWithOneLine() {
    assertThatThrownBy(() -> parse("--fast")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no such thing: --fast");
    assertThatThrownBy(() -> parse("a", "--name")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--name needs a value");
    assertThatThrownBy(() -> parse("--n", "x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--n").hasMessageContaining("'x'");
  }
}
