package org.alexnettfj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The docs stay true to the CLI: every {@code tools/alexnet} command they show names a command that exists and
 * options it has. A whole example (a fenced line with no {@code [optional]} or {@code A|B} placeholders) must
 * parse as the CLI parses it; a synopsis or an inline mention must name only options of its command.
 * {@code .ci/run} runs the README's tour itself ({@code tools/docs-check}).
 */
class DocsCommandsTest {

  private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
  private static final Pattern INLINE = Pattern.compile("`(tools/alexnet [^`]*)`");
  private static final Pattern OPTION = Pattern.compile("(?<![\\w-])--[a-z][a-z0-9-]*");

  /** A command as the docs show it, and where. */
  record Shown(String where, String line, boolean whole) {}

  @Test
  void docsFound() throws IOException {
    List<Shown> shown = shown();
    assertThat(shown).as("commands in the docs (is the repository root %s?)", ROOT).hasSizeGreaterThan(40);
    assertThat(shown.stream().filter(Shown::whole)).as("whole examples").hasSizeGreaterThan(10);
  }

  @Test
  void everyWholeExampleParses() throws IOException {
    List<String> bad = new ArrayList<>();
    for (Shown s : shown()) {
      if (!s.whole()) {
        continue;
      }
      List<String> args = words(s.line());
      try {
        new CommandLine(new AlexNetCli()).parseArgs(args.toArray(String[]::new));
      } catch (CommandLine.ParameterException e) {
        bad.add(s.where() + ": " + s.line() + "\n    " + e.getMessage());
      }
    }
    assertThat(bad).as("doc examples the CLI refuses").isEmpty();
  }

  @Test
  void everyMentionNamesOptionsOfItsCommand() throws IOException {
    CommandLine cli = new CommandLine(new AlexNetCli());
    List<String> bad = new ArrayList<>();
    for (Shown s : shown()) {
      List<String> words = words(s.line());
      CommandLine command = cli;
      if (!words.isEmpty() && cli.getSubcommands().containsKey(words.get(0))) {
        command = cli.getSubcommands().get(words.get(0));
      } else if (!words.isEmpty() && !words.get(0).startsWith("-")) {
        bad.add(s.where() + ": no command " + words.get(0) + " in " + s.line());
        continue;
      }
      Set<String> names = optionNames(command.getCommandSpec());
      Matcher m = OPTION.matcher(s.line());
      while (m.find()) {
        if (!names.contains(m.group())) {
          bad.add(s.where() + ": " + (words.isEmpty() ? "alexnet" : words.get(0)) + " has no " + m.group()
              + " (" + s.line() + ")");
        }
      }
    }
    assertThat(bad).as("doc mentions of commands or options that do not exist").isEmpty();
  }

  private static Set<String> optionNames(CommandSpec spec) {
    return spec.options().stream().flatMap(o -> Stream.of(o.names())).collect(Collectors.toSet());
  }

  /** The command's words after {@code tools/alexnet}, up to a pipe, redirection or the next command. */
  static List<String> words(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder w = null;
    char quote = 0;
    String rest = line.substring("tools/alexnet".length());
    for (int i = 0; i < rest.length(); i++) {
      char c = rest.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          w.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        w = w == null ? new StringBuilder() : w;
      } else if (Character.isWhitespace(c)) {
        if (w != null) {
          words.add(w.toString());
          w = null;
        }
      } else if (c == '#' && w == null || c == ';' || c == '>' || c == '<'
          || (c == '|' || c == '&') && w == null) {
        break;
      } else {
        w = w == null ? new StringBuilder() : w;
        w.append(c);
      }
    }
    if (w != null) {
      words.add(w.toString());
    }
    return words;
  }

  static List<Shown> shown() throws IOException {
    List<Path> docs = new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("BENCHMARKS.md"),
        ROOT.resolve("examples/README.md")));
    try (Stream<Path> pages = Files.list(ROOT.resolve("docs"))) {
      pages.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
    }
    List<Shown> shown = new ArrayList<>();
    for (Path doc : docs) {
      List<String> lines = Files.readAllLines(doc);
      boolean fenced = false;
      StringBuilder paragraph = new StringBuilder();   // inline code may wrap across lines
      String paragraphAt = null;
      for (int i = 0; i <= lines.size(); i++) {
        String where = ROOT.relativize(doc) + ":" + (i + 1);
        String line = i < lines.size() ? lines.get(i).strip() : "";
        if (!fenced && (line.isEmpty() || line.startsWith("```")) && paragraphAt != null) {
          Matcher m = INLINE.matcher(paragraph);
          while (m.find()) {
            shown.add(new Shown(paragraphAt, m.group(1), false));
          }
          paragraph.setLength(0);
          paragraphAt = null;
        }
        if (line.startsWith("```")) {
          fenced = !fenced;
          continue;
        }
        if (fenced) {
          int at = line.indexOf("tools/alexnet ");
          if (at < 0 || at > 0 && !line.substring(0, at).matches(".*(\\$\\(|[=&;|] ?)$")) {
            continue;   // not a command (or tools/alexnet-spark and the like)
          }
          StringBuilder cmd = new StringBuilder(line.substring(at));
          while (cmd.toString().endsWith("\\") && i + 1 < lines.size()) {
            cmd.setLength(cmd.length() - 1);
            cmd.append(' ').append(lines.get(++i).strip());
          }
          String c = cmd.toString().replaceFirst("\\s+#.*$", "");
          shown.add(new Shown(where, c, !placeholders(c)));
        } else if (!line.isEmpty()) {
          paragraphAt = paragraphAt == null ? where : paragraphAt;
          paragraph.append(' ').append(line);
        }
      }
    }
    return shown;
  }

  /** A synopsis: optional parts, alternatives, repeats or ellipses, not a command to run as it is. */
  private static boolean placeholders(String command) {
    return command.matches(".*(\\[|\\.\\.\\.|…|\\w\\|\\w|\\s\\|\\s--).*") || command.contains(" ... ");
  }
}
