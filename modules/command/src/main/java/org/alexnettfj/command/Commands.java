package org.alexnettfj.command;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * How the {@code alexnet} and {@code alexnet-spark} commands run, as docs/cli.md says: exit 0 done, 1 unusable
 * input, 2 a usage error, 3 some inputs unreadable (the rest done); an error is one line on stderr,
 * {@code PROGRAM COMMAND: what went wrong}, and {@code --verbose} adds its stack trace; {@code --version} is the
 * build's on every command.
 *
 * <pre>
 *   &#64;Command(name = "alexnet-spark", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
 *       subcommands = {SparkFeaturesCommand.class, CommandLine.HelpCommand.class})
 *   public final class AlexNetSpark {
 *     &#64;Mixin
 *     Commands.Verbose verbose;
 *
 *     public static int run(String[] args, PrintWriter out, PrintWriter err) {
 *       return Commands.run(Commands.commandLine(new AlexNetSpark()), args, out, err);
 *     }
 *   }
 * </pre>
 */
public final class Commands {

  /** Exit code for input the command cannot use (unreadable file, wrong format, bad weights). */
  public static final int EXIT_BAD_INPUT = 1;

  /** Exit code for a usage error: an unknown option, a missing argument, or a value the option cannot take. */
  public static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;

  /**
   * Exit code when some inputs could not be read: each is reported, and every other input was processed and its
   * results written (as {@code cat} and {@code grep} go on past an unreadable file and exit non-zero).
   */
  public static final int EXIT_SOME_INPUTS_FAILED = 3;

  private Commands() {
  }

  /** {@code --verbose}, a mixin of the top-level command that its subcommands inherit: errors with stack traces. */
  public static final class Verbose {

    @Option(names = "--verbose", description = "Print stack traces on errors.", scope = CommandLine.ScopeType.INHERIT)
    boolean verbose;

    /** The mixin picocli makes for a {@code @Mixin} field. */
    public Verbose() {
    }
  }

  /**
   * The command line of a top-level command, every subcommand's {@code --version} the build's as its own is.
   *
   * @param command the top-level command's object, its subcommands named in its {@code @Command}
   * @return the command line, for {@link #run} (or a test, or shell completion)
   */
  public static CommandLine commandLine(Object command) {
    CommandLine cli = new CommandLine(command);
    cli.getCommandSpec().versionProvider(new BuildVersion());
    for (CommandLine sub : cli.getSubcommands().values()) {
      sub.getCommandSpec().versionProvider(new BuildVersion());
    }
    return cli;
  }

  /**
   * Runs a command line on {@code args}: its output to {@code out}, errors to {@code err}, each as one line named
   * after the program and the command that failed.
   *
   * @param cli the command line, from {@link #commandLine}; its name is the program's in error lines
   * @param args the arguments
   * @param out where results go (stdout)
   * @param err where errors and everything else go (stderr)
   * @return the exit code: 0 done, {@link #EXIT_BAD_INPUT}, {@link #EXIT_USAGE} (a {@link UsageError} too), or
   *     what the command returned ({@link #EXIT_SOME_INPUTS_FAILED})
   */
  public static int run(CommandLine cli, String[] args, PrintWriter out, PrintWriter err) {
    String program = cli.getCommandName();
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      boolean verbose = parseResult.hasMatchedOption("--verbose")
          || parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"));
      if (verbose) {
        e.printStackTrace(err);
      }
      String msg = e.getMessage() == null ? e.toString() : e.getMessage();
      err.println(program + " " + commandLine.getCommandName() + ": " + msg.strip());
      err.flush();
      return e instanceof UsageError ? EXIT_USAGE : EXIT_BAD_INPUT;
    });
    try {
      return cli.execute(args);
    } catch (OutOfMemoryError | StackOverflowError e) {
      // The readers bound their work by the input, so this is a bug or a heap too small for the model itself:
      // still one line and an exit code, never a trace a script cannot read.
      err.println(program + ": " + (e instanceof OutOfMemoryError
          ? "out of Java heap (" + e.getMessage() + "); the model needs about 1 GB: raise -Xmx (ALEXNET_JAVA_OPTS)"
          : "stack overflow (a bug: please report it with the command line)"));
      err.flush();
      return EXIT_BAD_INPUT;
    }
  }
}
