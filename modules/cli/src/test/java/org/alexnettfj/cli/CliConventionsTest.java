package org.alexnettfj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The help text of every command is whole paragraphs that picocli wraps to the terminal: a description split over
 * several array elements prints each piece on its own line, breaking sentences where the source lines broke.
 */
class CliConventionsTest {

  @Test
  void everyDescriptionIsOneParagraph() {
    List<String> split = new ArrayList<>();
    for (Map.Entry<String, CommandLine> e : new CommandLine(new AlexNetCli()).getSubcommands().entrySet()) {
      CommandSpec spec = e.getValue().getCommandSpec();
      if (spec.userObject() instanceof CommandLine.HelpCommand) {
        continue;   // picocli's own
      }
      // the command list shows the header, else the description's first line: a whole sentence either way; a
      // description laid out in lines (a table) has a header for the list
      String[] header = spec.usageMessage().header();
      String[] description = spec.usageMessage().description();
      if (header.length == 0 && description.length > 1) {
        split.add(e.getKey() + " (its description, with no header)");
      }
      String summary = header.length > 0 ? header[0] : description[0];
      if (!summary.strip().endsWith(".") && !summary.strip().endsWith(")")) {
        split.add(e.getKey() + " (its summary ends mid-sentence: " + summary + ")");
      }
      for (OptionSpec o : spec.options()) {
        if (o.description().length > 1) {
          split.add(e.getKey() + " " + o.longestName());
        }
      }
    }
    assertThat(split).as("descriptions in several pieces").isEmpty();
  }
}
