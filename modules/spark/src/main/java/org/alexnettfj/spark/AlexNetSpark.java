package org.alexnettfj.spark;

import java.io.PrintWriter;
import org.alexnettfj.command.BuildVersion;
import org.alexnettfj.command.Commands;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The {@code alexnet-spark} command: run by {@code tools/alexnet-spark} (Spark in-process), or as the main class of
 * the module's cluster jar under {@code spark-submit}. It follows docs/cli.md as {@code alexnet} does (the same
 * {@link Commands}): one line on stderr and exit code 1 on bad input, 2 on a usage error; {@code --verbose} adds
 * the stack trace; {@code --version} is the build's.
 */
@Command(name = "alexnet-spark", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
    description = "AlexNet on Apache Spark: extract features of many images into Parquet.",
    subcommands = {SparkFeaturesCommand.class, CommandLine.HelpCommand.class})
public final class AlexNetSpark {

  /** Exit code for input the command cannot use (missing weights, bad weights, output exists). */
  public static final int EXIT_BAD_INPUT = Commands.EXIT_BAD_INPUT;

  /** Exit code for a usage error: an unknown option, a missing value, or a value the option cannot take. */
  public static final int EXIT_USAGE = Commands.EXIT_USAGE;

  /** Exit code when some images could not be read: each has an error row, the others their features (as alexnet). */
  public static final int EXIT_SOME_INPUTS_FAILED = Commands.EXIT_SOME_INPUTS_FAILED;

  @Mixin
  Commands.Verbose verbose;

  public static void main(String[] args) {
    int code = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    if (code != 0) {
      System.exit(code); // a zero exit is left to spark-submit, which stops its own services first
    }
  }

  /** Runs the command with the given streams; returns the exit code (for tests). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    return Commands.run(Commands.commandLine(new AlexNetSpark()), args, out, err);
  }
}
