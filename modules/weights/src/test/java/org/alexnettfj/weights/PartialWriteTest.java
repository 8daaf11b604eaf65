package org.alexnettfj.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writes that a killed process interrupted leave one fixed-name file, which the next write replaces. */
class PartialWriteTest {

  @TempDir
  Path dir;

  private List<String> names() throws Exception {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void linesAreWrittenWholeOrNotAtAll() throws Exception {
    Path list = dir.resolve("feats.txt");
    Files.writeString(list, "old\n");
    PartialWrite.writeLines(list, List.of("a.jpg", "b ü.jpg"));
    assertThat(Files.readString(list, StandardCharsets.UTF_8)).isEqualTo("a.jpg\nb ü.jpg\n");
    assertThat(dir.resolve(".feats.txt.partial")).as("no leftover").doesNotExist();

    try (PartialWrite busy = PartialWrite.file(list)) {
      assertThatThrownBy(() -> PartialWrite.writeLines(list, List.of("c.jpg"))).as("a write of it in progress")
          .hasMessageContaining("in progress");
    }
    assertThat(Files.readString(list)).as("untouched by the refused write").isEqualTo("a.jpg\nb ü.jpg\n");
  }

  @Test
  void aWriterKilledMidWriteLeavesOneFileThatTheNextWriteReplaces() throws Exception {
    Path out = dir.resolve("out.npy");
    WeightArray a = WeightArray.of(new int[] {2}, new float[] {1, 2});
    for (int run = 0; run < 2; run++) {
      Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), SlowWriter.class.getName(), out.toString())
          .redirectErrorStream(true).start();
      try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
          StandardCharsets.UTF_8))) {
        assertThat(r.readLine()).isEqualTo("writing");
        // while it writes, a second writer is refused, not mixed in
        assertThatThrownBy(() -> NpyWriter.writePlain(out, a)).hasMessageContaining("another write of")
            .hasMessageContaining("in progress");
        child.destroyForcibly();   // SIGKILL: no finally block runs
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(names()).as("what the killed write leaves, run %d", run).containsExactly(".out.npy.partial");
    }
    NpyWriter.writePlain(out, a);
    assertThat(names()).containsExactly("out.npy");
    assertThat(WeightReader.readArray(out).data()).containsExactly(1, 2);
  }

  @Test
  void aFolderLeftByAKilledWriterIsEmptiedAndReused() throws Exception {
    Path target = dir.resolve("model");
    Path left = Files.createDirectories(dir.resolve(".model.partial"));
    Files.write(left.resolve("half.pb"), new byte[100]);
    try (PartialWrite w = PartialWrite.folder(target)) {
      try (var s = Files.list(w.path())) {
        assertThat(s.map(p -> p.getFileName().toString())).containsExactly(".lock");
      }
      assertThatThrownBy(() -> PartialWrite.folder(target)).hasMessageContaining("in progress");
      Files.write(w.path().resolve("saved_model.pb"), new byte[] {1});
      w.commitFolder();
    }
    assertThat(names()).containsExactly("model");
    try (var s = Files.list(target)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("saved_model.pb");
    }
  }

  @Test
  void anUncommittedWriteLeavesNothing() throws Exception {
    Path target = dir.resolve("x.bin");
    try (PartialWrite w = PartialWrite.file(target); OutputStream o = w.stream()) {
      o.write(new byte[10]);
    }
    assertThat(names()).isEmpty();
    try (PartialWrite w = PartialWrite.file(target)) {
      try (OutputStream o = w.stream()) {
        o.write(new byte[] {7});
      }
      w.commit();
    }
    assertThat(Files.readAllBytes(target)).containsExactly(7);
    assertThat(names()).containsExactly("x.bin");
  }
}
