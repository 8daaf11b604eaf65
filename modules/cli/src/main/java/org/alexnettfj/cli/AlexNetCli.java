package org.alexnettfj.cli;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code alexnet} command. Every subcommand follows docs/cli.md: results on stdout, progress and errors on
 * stderr; exit 0 done, 1 unusable input, 2 a usage error, 3 some inputs unreadable (the rest done); {@code --json}
 * for one line of JSON; {@code --version} from the build. {@code --verbose} adds stack traces to errors.
 */
@Command(name = "alexnet", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
    description = "AlexNet on TensorFlow Java: read, check and convert weights; predict; extract features; fine-tune"
        + " (and find its learning rate); audit data; evaluate; explain (Grad-CAM); make list files; draw filters;"
        + " index and search similar images; serve predictions over HTTP.",
    subcommands = {InspectCommand.class, ConvertCommand.class, PredictCommand.class, FeaturesCommand.class,
        FinetuneCommand.class, LrFindCommand.class, AuditCommand.class, EvaluateCommand.class, MakeListsCommand.class,
        FiltersCommand.class, ExplainCommand.class,
        IndexCommand.class, SimilarCommand.class, ServeCommand.class, CompletionCommand.class,
        CommandLine.HelpCommand.class})
public final class AlexNetCli {

  /** Exit code for input the command cannot use (unreadable file, wrong format, bad weights). */
  public static final int EXIT_BAD_INPUT = 1;

  /** Exit code for a usage error: an unknown option, a missing argument, or a value the option cannot take. */
  public static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;

  /**
   * Exit code when some inputs could not be read: each is reported, and every other input was processed and its
   * results written (as {@code cat} and {@code grep} go on past an unreadable file and exit non-zero).
   */
  public static final int EXIT_SOME_INPUTS_FAILED = 3;

  @Option(names = "--verbose", description = "Print stack traces on errors.", scope = CommandLine.ScopeType.INHERIT)
  boolean verbose;

  public static void main(String[] args) {
    stderrFromLauncher();
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /**
   * Where Java's stderr goes when the launcher says ({@code -Dalexnet.stderr=/dev/fd/3}): the terminal itself,
   * while the process's fd 2 runs through the launcher's filter of TensorFlow's native log lines, which a progress
   * bar's partial lines could not pass.
   */
  private static void stderrFromLauncher() {
    String to = System.getProperty("alexnet.stderr");
    if (to != null) {
      try {
        System.setErr(new PrintStream(new FileOutputStream(to, true), true, Charset.defaultCharset()));
      } catch (IOException e) {
        System.err.println("alexnet: cannot write to " + to + " (" + e.getMessage() + "); using stderr");
      }
    }
  }

  /** The command line with every subcommand, as {@link #run} uses it (for tests and completion). */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new AlexNetCli());
    // --version on every subcommand says what the top level says
    for (CommandLine sub : cli.getSubcommands().values()) {
      sub.getCommandSpec().versionProvider(new BuildVersion());
    }
    return cli;
  }

  /** Runs the CLI with the given streams; returns the exit code (for tests). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = commandLine();
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      boolean verbose = parseResult.hasMatchedOption("--verbose")
          || parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"));
      if (verbose) {
        e.printStackTrace(err);
      }
      String msg = e.getMessage() == null ? e.toString() : e.getMessage();
      err.println("alexnet " + commandLine.getCommandName() + ": " + msg);
      err.flush();
      return e instanceof UsageError ? EXIT_USAGE : EXIT_BAD_INPUT;
    });
    try {
      return cli.execute(args);
    } catch (OutOfMemoryError | StackOverflowError e) {
      // The readers bound their work by the input, so this is a bug or a heap too small for the model itself:
      // still one line and an exit code, never a trace a script cannot read.
      err.println("alexnet: " + (e instanceof OutOfMemoryError
          ? "out of Java heap (" + e.getMessage() + "); the model needs about 1 GB: raise -Xmx (ALEXNET_JAVA_OPTS)"
          : "stack overflow (a bug: please report it with the command line)"));
      err.flush();
      return EXIT_BAD_INPUT;
    }
  }
}
