package org.alexnettfj.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileNotFoundException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import org.alexnettfj.graph.AlexNet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

class CommandsTest {

  @Command(name = "tool", mixinStandardHelpOptions = true, subcommands = Work.class)
  static final class Tool {
    @Mixin
    Commands.Verbose verbose;
  }

  @Command(name = "work", mixinStandardHelpOptions = true)
  static final class Work implements Callable<Integer> {
    @Option(names = "--fail")
    String fail = "";

    @Override
    public Integer call() throws Exception {
      switch (fail) {
        case "usage" -> throw new UsageError("--top must be at least 1, was 0");
        case "input" -> throw new FileNotFoundException("x.npy: no such file\n");
        case "no-message" -> throw new IllegalStateException();
        case "heap" -> throw new OutOfMemoryError("Java heap space");
        case "some" -> {
          return Commands.EXIT_SOME_INPUTS_FAILED;
        }
        default -> {
          return 0;
        }
      }
    }
  }

  private record Run(int code, String out, String err) {
    static Run of(String... args) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code = Commands.run(Commands.commandLine(new Tool()), args, new PrintWriter(out), new PrintWriter(err));
      return new Run(code, out.toString(), err.toString());
    }
  }

  @Test
  void everyCommandSaysTheBuildsVersion() {
    assertThat(Run.of("--version").out().strip()).isEqualTo("alexnet-tfj " + AlexNet.version());
    assertThat(Run.of("work", "--version").out().strip()).as("a subcommand as the top level")
        .isEqualTo("alexnet-tfj " + AlexNet.version());
  }

  @Test
  void exitCodesAreThoseOfDocsCliMd() {
    assertThat(Run.of("work").code()).as("done").isZero();
    assertThat(Run.of("work", "--fail", "input").code()).as("unusable input").isEqualTo(Commands.EXIT_BAD_INPUT);
    assertThat(Run.of("work", "--fail", "usage").code()).as("a UsageError").isEqualTo(Commands.EXIT_USAGE);
    assertThat(Run.of("work", "--bogus").code()).as("an unknown option").isEqualTo(Commands.EXIT_USAGE);
    assertThat(Run.of("work", "--fail", "some").code()).as("what the command returns")
        .isEqualTo(Commands.EXIT_SOME_INPUTS_FAILED);
  }

  @Test
  void anErrorIsOneLineNamingTheProgramAndCommandAndVerboseAddsTheTrace() {
    assertThat(Run.of("work", "--fail", "input").err()).as("the message's trailing newline dropped")
        .isEqualTo("tool work: x.npy: no such file" + System.lineSeparator());
    assertThat(Run.of("work", "--fail", "no-message").err().strip()).as("no message: the exception's name")
        .isEqualTo("tool work: java.lang.IllegalStateException");
    Run verbose = Run.of("--verbose", "work", "--fail", "input");
    assertThat(verbose.err()).contains("java.io.FileNotFoundException").contains("\tat ")
        .endsWith("tool work: x.npy: no such file" + System.lineSeparator());
    assertThat(Run.of("work", "--verbose", "--fail", "input").err()).as("--verbose after the command")
        .contains("\tat ");
  }

  @Test
  void runningOutOfHeapIsOneLineAndExitOne() {
    Run r = Run.of("work", "--fail", "heap");
    assertThat(r.code()).isEqualTo(Commands.EXIT_BAD_INPUT);
    assertThat(r.err().strip()).startsWith("tool: out of Java heap (Java heap space)").contains("-Xmx")
        .doesNotContain("\n");
  }
}
