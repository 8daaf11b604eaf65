package org.alexnettfj.bench;

import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * A bench main's command line, read by picocli into an object of {@code @Option} and {@code @Parameters} fields.
 * What it cannot read is an {@link IllegalArgumentException} with one line to print: the mains print it and exit 2.
 *
 * <pre>
 *   Options o = Arguments.parse(new Options(), args, arg -&gt; "unknown option " + arg);
 * </pre>
 */
final class Arguments {

  private Arguments() {
  }

  /**
   * Fills {@code options} from {@code args} and returns it. As the hand-written loops these replace did, a later
   * option overrides an earlier one and {@code @FILE} is a plain argument.
   *
   * @param unknown the message for an argument that is no option and no parameter, given that argument
   */
  static <T> T parse(T options, String[] args, UnaryOperator<String> unknown) {
    CommandLine cli = new CommandLine(options).setOverwrittenOptionsAllowed(true).setExpandAtFiles(false);
    try {
      cli.parseArgs(args);
    } catch (UnmatchedArgumentException e) {
      throw new IllegalArgumentException(unknown.apply(e.getUnmatched().get(0)), e);
    } catch (MissingParameterException e) {
      if (!e.getMissing().isEmpty() && e.getMissing().get(0) instanceof OptionSpec o) {
        throw new IllegalArgumentException(o.longestName() + " needs a value", e);
      }
      throw new IllegalArgumentException(e.getMessage(), e);
    } catch (ParameterException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return options;
  }
}
