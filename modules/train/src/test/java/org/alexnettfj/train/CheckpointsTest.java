package org.alexnettfj.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.alexnettfj.graph.TfCheckpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint folder: TensorFlow's pointer file, which checkpoints are kept, and what a killed write leaves. */
class CheckpointsTest {

  private static Trainer trainer;

  @TempDir
  Path dir;

  @BeforeAll
  static void buildTrainer() {
    trainer = Trainer.builder().setFreshInit().optNumClasses(2).optTrainLayers(Set.of("fc8")).build();
  }

  @AfterAll
  static void closeTrainer() {
    trainer.close();
  }

  private static TrainingState state(int epoch, int bestEpoch) {
    return new TrainingState(epoch, 10L * epoch, 0.01f, 0.5, bestEpoch, 0, 0, new java.util.TreeMap<>());
  }

  private static List<String> names(List<Path> paths) {
    return paths.stream().map(p -> p.getFileName().toString()).toList();
  }

  @Test
  void keepsTheLastNAndTheBestAndPointsAtTheLatestAsTensorFlowDoes() throws Exception {
    Checkpoints c = Checkpoints.in(dir, 2);
    assertThat(c.isEmpty()).isTrue();
    assertThat(c.latest()).isEmpty();

    for (int epoch = 1; epoch <= 5; epoch++) {
      c.write(trainer, state(epoch, 2));
    }

    assertThat(c.latest()).contains(dir.resolve("ckpt-5"));
    assertThat(names(c.kept())).as("the last 2 and the best (epoch 2), oldest first")
        .containsExactly("ckpt-2", "ckpt-4", "ckpt-5");
    assertThat(Files.readString(dir.resolve("checkpoint"))).as("TensorFlow's CheckpointState, relative paths")
        .isEqualTo("""
            model_checkpoint_path: "ckpt-5"
            all_model_checkpoint_paths: "ckpt-2"
            all_model_checkpoint_paths: "ckpt-4"
            all_model_checkpoint_paths: "ckpt-5"
            """);
    for (int epoch : new int[] {1, 3}) {
      assertThat(TfCheckpoint.files(dir.resolve("ckpt-" + epoch))).as("ckpt-%d fell out: its files are gone", epoch)
          .isEmpty();
    }
    assertThat(TrainingState.read(dir.resolve("ckpt-4")).globalStep()).as("each holds its own state").isEqualTo(40);
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted().toList()).as("nothing else is left behind")
          .containsExactly("checkpoint", "ckpt-2.data-00000-of-00001", "ckpt-2.index", "ckpt-4.data-00000-of-00001",
              "ckpt-4.index", "ckpt-5.data-00000-of-00001", "ckpt-5.index");
    }

    c.clear();
    assertThat(c.isEmpty()).isTrue();
  }

  @Test
  void aWriteKilledHalfwayLeavesThePointerOnTheLastCompleteCheckpoint() throws Exception {
    Checkpoints c = Checkpoints.in(dir, 3);
    c.write(trainer, state(1, 1));
    // What kill -9 during epoch 2's write leaves: the temporary folder with part of the files, no index in place.
    Path partial = Files.createDirectory(dir.resolve(".ckpt-2.partial123"));
    Files.write(partial.resolve("ckpt-2.data-00000-of-00001"), new byte[1000]);
    Files.write(dir.resolve("ckpt-2.data-00000-of-00001"), new byte[10]);

    assertThat(c.latest()).as("the pointer still names the complete one").contains(dir.resolve("ckpt-1"));
    assertThat(TfCheckpoint.exists(dir.resolve("ckpt-2"))).as("no index, no checkpoint").isFalse();

    c.write(trainer, state(2, 1));
    assertThat(c.latest()).contains(dir.resolve("ckpt-2"));
    assertThat(partial).as("the leftover of the killed write is removed").doesNotExist();
    assertThat(TrainingState.read(dir.resolve("ckpt-2")).epoch()).as("ckpt-2 rewritten whole").isEqualTo(2);
  }

  @Test
  void aPointerToAMissingCheckpointIsAnErrorNotAFreshStart() throws Exception {
    Files.writeString(dir.resolve("checkpoint"), "model_checkpoint_path: \"ckpt-9\"\n");

    assertThatThrownBy(() -> Checkpoints.in(dir, 3).latest()).isInstanceOf(FileNotFoundException.class)
        .hasMessageContaining("ckpt-9.index is missing");
    assertThat(Checkpoints.in(dir, 3).isEmpty()).isFalse();
    assertThatThrownBy(() -> Checkpoints.in(dir, 0)).hasMessageContaining("at least 1");
    assertThat(Checkpoints.epochOf(dir.resolve("ckpt-12"))).isEqualTo(12);
    assertThat(Checkpoints.epochOf(dir.resolve("model.ckpt"))).isEqualTo(-1);
  }
}
