package org.alexnettfj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.alexnettfj.graph.Placement;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

class SharedOptionsTest {

  /** The mixin that declares each option, so that no command declares it again. */
  private static final Map<String, Class<?>> MIXINS = Map.of("--strict", SharedOptions.Strict.class,
      "--threads", SharedOptions.Threads.class, "--device", SharedOptions.Device.class);

  @Test
  void everyCommandTakesStrictThreadsAndDeviceFromTheirMixins() {
    List<String> own = new ArrayList<>();
    AlexNetCli.commandLine().getSubcommands().forEach((name, cl) -> MIXINS.forEach((option, mixin) -> {
      if (cl.getCommandSpec().findOption(option) != null && !hasMixin(cl.getCommandSpec(), mixin)) {
        own.add(name + " " + option);
      }
    }));
    assertThat(own).as("shared options a command declares itself instead of through SharedOptions").isEmpty();
  }

  /** Whether {@code spec} or a mixin of it (ModelOptions has its own) is, or has, a {@code type}. */
  private static boolean hasMixin(CommandSpec spec, Class<?> type) {
    return spec.mixins().values().stream().anyMatch(m -> type.isInstance(m.userObject()) || hasMixin(m, type));
  }

  @Test
  void theMixinsReadAsTheOptionsDid() {
    Options none = parse();
    Options all = parse("--strict", "--threads", "3", "--device", "/CPU:0");

    assertThat(none.strict.on()).as("--strict is off unless given").isFalse();
    assertThat(none.threads.count()).as("--threads defaults to 0, every core").isZero();
    assertThat(none.threads.orAllCores()).as("a search without --threads").isEqualTo(
        Runtime.getRuntime().availableProcessors());
    assertThat(none.device.name()).isNull();
    assertThat(none.device.placement()).as("TensorFlow picks").isEqualTo(Placement.DEFAULT);
    assertThat(all.strict.on()).isTrue();
    assertThat(all.threads.count()).isEqualTo(3);
    assertThat(all.threads.orAllCores()).isEqualTo(3);
    assertThat(all.device.name()).isEqualTo("/CPU:0");
    assertThat(all.device.placement()).hasToString("/CPU:0");
  }

  @CommandLine.Command
  static final class Options {
    @CommandLine.Mixin
    SharedOptions.Strict strict;

    @CommandLine.Mixin
    SharedOptions.Threads threads;

    @CommandLine.Mixin
    SharedOptions.Device device;
  }

  private static Options parse(String... args) {
    Options o = new Options();
    new CommandLine(o).parseArgs(args);
    return o;
  }
}
