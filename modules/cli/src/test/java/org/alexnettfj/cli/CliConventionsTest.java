package org.alexnettfj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every command holds to docs/cli.md. The help text is whole paragraphs that picocli wraps to the terminal (a
 * description split over several array elements prints each piece on its own line, breaking sentences where the
 * source lines broke); {@code --version} is the build's; a command with a result takes {@code --json}; an option
 * several commands share means the same there; a value an option cannot take is a usage error.
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

  /** The commands with no result of their own to print as JSON. */
  private static final Set<String> NO_RESULT = Set.of("help", "completion", "serve");

  private static Map<String, CommandLine> commands() {
    return AlexNetCli.commandLine().getSubcommands();
  }

  /** The version in the root pom, which the build puts in version.properties. */
  private static String pomVersion() throws Exception {
    Matcher m = Pattern.compile("<artifactId>alexnet-tfj-parent</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(Files.readString(Path.of("../../pom.xml")));
    assertThat(m.find()).as("the root pom's version").isTrue();
    return m.group(1);
  }

  @Test
  void everyCommandSaysTheBuildsVersion() throws Exception {
    String expected = "alexnet-tfj " + pomVersion();
    assertThat(Run.of("--version").out().strip()).isEqualTo(expected);
    for (String name : commands().keySet()) {
      if (!name.equals("help")) {
        Run r = Run.of(name, "--version");
        assertThat(r.out().strip()).as("%s --version", name).isEqualTo(expected);
        assertThat(r.code()).as("%s --version", name).isZero();
      }
    }
  }

  @Test
  void everyCommandWithAResultTakesJson() {
    List<String> without = new ArrayList<>();
    commands().forEach((name, cl) -> {
      if (!NO_RESULT.contains(name) && cl.getCommandSpec().findOption("--json") == null) {
        without.add(name);
      }
    });
    assertThat(without).as("commands with a result but no --json").isEmpty();
  }

  @Test
  void sharedOptionsHaveOneLabel() {
    Map<String, Map<String, List<String>>> labels = new TreeMap<>();   // option -> label -> commands
    commands().forEach((name, cl) -> {
      for (OptionSpec o : cl.getCommandSpec().options()) {
        // --out's label names what each command writes (FEATS.npy, MODEL.npz, CAM.png): meant to differ
        if (o.arity().max() > 0 && !o.longestName().equals("--out")) {
          labels.computeIfAbsent(o.longestName(), k -> new TreeMap<>())
              .computeIfAbsent(o.paramLabel(), k -> new ArrayList<>()).add(name);
        }
      }
    });
    labels.values().removeIf(byLabel -> byLabel.size() == 1);
    assertThat(labels).as("options labelled differently in different commands").isEmpty();
  }

  /** The shared options of docs/cli.md: each command's description starts with the one meaning. */
  private static final Map<String, String> SHARED = Map.of("--weights", SharedOptions.WEIGHTS,
      "--labels", SharedOptions.LABELS, "--batch-size", SharedOptions.BATCH_SIZE, "--device", SharedOptions.DEVICE,
      "--threads", SharedOptions.THREADS, "--strict", SharedOptions.STRICT, "--force", SharedOptions.FORCE,
      "--json", SharedOptions.JSON);

  /** Options several commands take for a thing of their own: what is written, trained, split or seeded. */
  private static final Set<String> EACH_ITS_OWN = Set.of("--out", "--layer", "--seed", "--train", "--val",
      "--val-split", "--train-layers", "--keep-prob", "--precision", "--report", "--mean-image");

  @Test
  void sharedOptionsHaveOneMeaning() {
    Map<String, Map<String, List<String>>> descriptions = new TreeMap<>();   // option -> description -> commands
    commands().forEach((name, cl) -> {
      if (name.equals("help")) {
        return;   // picocli's own
      }
      for (OptionSpec o : cl.getCommandSpec().options()) {
        descriptions.computeIfAbsent(o.longestName(), k -> new TreeMap<>())
            .computeIfAbsent(String.join(" ", o.description()), k -> new ArrayList<>()).add(name);
      }
    });
    List<String> apart = new ArrayList<>();
    descriptions.forEach((option, byDescription) -> {
      String meaning = SHARED.get(option);
      if (meaning != null) {
        byDescription.forEach((description, names) -> {
          if (!description.startsWith(meaning)) {
            apart.add(option + " in " + names + ": " + description);
          }
        });
      } else if (byDescription.size() > 1 && !EACH_ITS_OWN.contains(option)) {
        apart.add(option + ": " + byDescription);
      }
    });
    assertThat(apart).as("shared options described otherwise than docs/cli.md's one meaning").isEmpty();
    assertThat(SHARED.keySet()).as("every shared option is shared").allSatisfy(option -> assertThat(
        descriptions.get(option).values().stream().mapToInt(List::size).sum()).as(option).isGreaterThan(1));
  }

  @Test
  void predictAndFeaturesTakeABatchSizeAndEvaluateADevice() {
    assertThat(commands().get("predict").getCommandSpec().findOption("--batch-size")).isNotNull();
    assertThat(commands().get("features").getCommandSpec().findOption("--batch-size")).isNotNull();
    assertThat(commands().get("evaluate").getCommandSpec().findOption("--device")).isNotNull();
    assertThat(commands().get("features").getCommandSpec().findOption("--labels"))
        .as("features prints no class names").isNull();
  }

  @Test
  void aValueAnOptionCannotTakeIsAUsageError() {
    for (String top : List.of("0", "abc")) {
      Run r = Run.of("predict", "--top", top, "x.jpg");
      assertThat(r.code()).as("--top %s: %s", top, r.err()).isEqualTo(AlexNetCli.EXIT_USAGE);
      assertThat(r.err()).contains("--top");
    }
    Run batch = Run.of("features", "--batch-size", "0", "--out", "f.npy", "x.jpg");
    assertThat(batch.code()).as(batch.err()).isEqualTo(AlexNetCli.EXIT_USAGE);
    Run split = Run.of("finetune", "--train", "a", "--val", "b", "--val-split", "0.2");
    assertThat(split.code()).as(split.err()).isEqualTo(AlexNetCli.EXIT_USAGE);
    Run none = Run.of("predict");
    assertThat(none.code()).as("no inputs named: %s", none.err()).isEqualTo(AlexNetCli.EXIT_USAGE);
    Run both = Run.of("features", "--input-tensor", "t.npy", "--out", "f.npy", "x.jpg");
    assertThat(both.code()).as("images and --input-tensor: %s", both.err()).isEqualTo(AlexNetCli.EXIT_USAGE);
  }

  @Test
  void theProgressBarDrawsOnlyWhereStderrIsATerminal() {
    assertThat(Progress.drawOn("1", null)).as("the launcher saw a terminal").isTrue();
    assertThat(Progress.drawOn("0", "/dev/pts/3")).as("the launcher's word wins").isFalse();
    assertThat(Progress.drawOn(null, "/dev/pts/3")).isTrue();
    assertThat(Progress.drawOn(null, "/dev/tty1")).isTrue();
    assertThat(Progress.drawOn(null, "/tmp/log")).as("2>log").isFalse();
    assertThat(Progress.drawOn(null, "pipe:[1234]")).as("2>&1 | less").isFalse();
    assertThat(Progress.drawOn(null, null)).as("not Linux").isFalse();
  }

  @Test
  void completionCoversEveryCommand() {
    Run r = Run.of("completion");
    assertThat(r.code()).isZero();
    for (String name : commands().keySet()) {
      assertThat(r.out()).as("completes %s", name).contains(name);
    }
    assertThat(r.out()).contains("--batch-size", "complete -F");
  }
}
