package org.alexnettfj.spark;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code alexnet-spark} command: run by {@code tools/alexnet-spark} (Spark in-process), or as the main class of
 * the module's cluster jar under {@code spark-submit}. Fails with one line on stderr and exit code 1 on bad input, as
 * {@code alexnet} does; {@code --verbose} adds the stack trace.
 */
@Command(name = "alexnet-spark", mixinStandardHelpOptions = true, version = "alexnet-tfj 0.1.0",
    description = "AlexNet on Apache Spark: extract features of many images into Parquet.",
    subcommands = {SparkFeaturesCommand.class, CommandLine.HelpCommand.class})
public final class AlexNetSpark {

  /** Exit code for input the command cannot use (missing weights, bad option, output exists). */
  public static final int EXIT_BAD_INPUT = 1;

  /** Exit code when some images could not be read: each has an error row, the others their features (as alexnet). */
  public static final int EXIT_SOME_INPUTS_FAILED = 3;

  @Option(names = "--verbose", description = "Print stack traces on errors.", scope = CommandLine.ScopeType.INHERIT)
  boolean verbose;

  public static void main(String[] args) {
    int code = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    if (code != 0) {
      System.exit(code); // a zero exit is left to spark-submit, which stops its own services first
    }
  }

  /** Runs the command with the given streams; returns the exit code (for tests). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new AlexNetSpark());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      boolean verbose = parseResult.hasMatchedOption("--verbose")
          || parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"));
      if (verbose) {
        e.printStackTrace(err);
      }
      String msg = e.getMessage() == null ? e.toString() : e.getMessage();
      err.println("alexnet-spark " + commandLine.getCommandName() + ": " + msg.strip());
      err.flush();
      return EXIT_BAD_INPUT;
    });
    return cli.execute(args);
  }
}
