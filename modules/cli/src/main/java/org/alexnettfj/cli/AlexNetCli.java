package org.alexnettfj.cli;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import org.alexnettfj.command.BuildVersion;
import org.alexnettfj.command.Commands;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

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
  public static final int EXIT_BAD_INPUT = Commands.EXIT_BAD_INPUT;

  /** Exit code for a usage error: an unknown option, a missing argument, or a value the option cannot take. */
  public static final int EXIT_USAGE = Commands.EXIT_USAGE;

  /**
   * Exit code when some inputs could not be read: each is reported, and every other input was processed and its
   * results written (as {@code cat} and {@code grep} go on past an unreadable file and exit non-zero).
   */
  public static final int EXIT_SOME_INPUTS_FAILED = Commands.EXIT_SOME_INPUTS_FAILED;

  @Mixin
  Commands.Verbose verbose;

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
    return Commands.commandLine(new AlexNetCli());
  }

  /** Runs the CLI with the given streams; returns the exit code (for tests). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    return Commands.run(commandLine(), args, out, err);
  }
}
