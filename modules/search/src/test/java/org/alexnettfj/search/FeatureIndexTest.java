package org.alexnettfj.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.alexnettfj.weights.NpyWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureIndexTest {

  @TempDir
  Path dir;

  @Test
  void writesAFolderThatOpensWithItsPropertiesAndRows() throws Exception {
    Path target = dir.resolve("photos.index");
    try (FeatureIndex.Writer w = FeatureIndex.writer(target, 3, false, Map.of("layer", "fc7", "weights", "w.npz"))) {
      w.add(new float[] {1, 2, 3}, "a.jpg");
      w.add(new float[] {4, 5, 6}, "dir/b b.png");
      w.commit();
    }
    assertThat(target.resolve(FeatureIndex.FEATURES)).isRegularFile();
    try (FeatureIndex index = FeatureIndex.open(target)) {
      assertThat(index.size()).isEqualTo(2);
      assertThat(index.dims()).isEqualTo(3);
      assertThat(index.path(1)).isEqualTo("dir/b b.png");
      assertThat(index.row(1)).containsExactly(4, 5, 6);
      assertThat(index.properties().getProperty("layer")).isEqualTo("fc7");
      assertThat(index.properties().getProperty("rows")).isEqualTo("2");
      assertThat(index.properties().getProperty("dtype")).isEqualTo("float32");
    }
    try (Stream s = new Stream(dir)) {
      assertThat(s.names()).containsExactly("photos.index");
    }
  }

  @Test
  void anUncommittedWriterLeavesNothingAndAKilledOnesLeftoverIsReplaced() throws Exception {
    Path target = dir.resolve("p.index");
    // what a run killed with kill -9 leaves: the fixed-name partial folder
    Files.createDirectories(dir.resolve(".p.index.partial"));
    Files.write(dir.resolve(".p.index.partial").resolve("junk"), new byte[1000]);
    try (FeatureIndex.Writer w = FeatureIndex.writer(target, 2, false, Map.of())) {
      w.add(new float[] {1, 2}, "a.jpg");
    }
    try (Stream s = new Stream(dir)) {
      assertThat(s.names()).isEmpty();
    }
    try (FeatureIndex.Writer w = FeatureIndex.writer(target, 2, true, Map.of())) {
      w.add(new float[] {1, 2}, "a.jpg");
      w.commit();
    }
    try (FeatureIndex.Writer w = FeatureIndex.writer(target, 2, true, Map.of())) {
      w.add(new float[] {7, 8}, "b.jpg");
      w.add(new float[] {9, 10}, "c.jpg");
      w.commit();
    }
    try (FeatureIndex index = FeatureIndex.open(target); Stream s = new Stream(dir)) {
      assertThat(index.size()).isEqualTo(2);
      assertThat(index.row(0)).containsExactly(7, 8);
      assertThat(index.float16()).isTrue();
      assertThat(s.names()).containsExactly("p.index");
    }
  }

  @Test
  void opensTheFeaturesPairThatFeaturesWrites() throws Exception {
    Path npy = dir.resolve("feats.npy");
    try (NpyWriter.RowWriter w = new NpyWriter.RowWriter(npy, 2)) {
      w.write(new float[] {1, 0});
      w.write(new float[] {0, 1});
      w.commit();
    }
    Files.write(dir.resolve("feats.txt"), List.of("x.jpg", "y.jpg"));
    try (FeatureIndex index = FeatureIndex.open(npy)) {
      assertThat(index.size()).isEqualTo(2);
      assertThat(index.path(1)).isEqualTo("y.jpg");
      assertThat(index.properties()).isEmpty();
    }
  }

  @Test
  void badIndexesGiveErrorsNamingTheFile() throws Exception {
    Path npy = dir.resolve("feats.npy");
    try (NpyWriter.RowWriter w = new NpyWriter.RowWriter(npy, 2)) {
      w.write(new float[] {1, 0});
      w.write(new float[] {0, 1});
      w.commit();
    }
    assertThatThrownBy(() -> FeatureIndex.open(npy)).hasMessageContaining("no feats.txt beside it");
    Files.write(dir.resolve("feats.txt"), List.of("x.jpg"));
    assertThatThrownBy(() -> FeatureIndex.open(npy)).hasMessageContaining("names 1 images")
        .hasMessageContaining("has 2 rows");
    Files.write(dir.resolve("feats.txt"), List.of("x.jpg", "y.jpg"));
    try (FileChannel ch = FileChannel.open(npy, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 4);
    }
    assertThatThrownBy(() -> FeatureIndex.open(npy)).hasMessageContaining(npy.toString())
        .hasMessageContaining("truncated");
    Path three = dir.resolve("three.npy");
    NpyWriter.writePlain(three, org.alexnettfj.weights.WeightArray.of(new int[] {1, 2, 2}, new float[4]));
    Files.write(dir.resolve("three.txt"), List.of("x.jpg"));
    assertThatThrownBy(() -> FeatureIndex.open(three)).hasMessageContaining("expected a C-ordered [N, D] array");
    assertThatThrownBy(() -> FeatureIndex.open(dir.resolve("none.index"))).hasMessageContaining("no such index");
    Files.createDirectories(dir.resolve("empty.index"));
    assertThatThrownBy(() -> FeatureIndex.open(dir.resolve("empty.index"))).hasMessageContaining(
        "is not a feature index");
  }

  /** The folder's entries, hidden ones included. */
  private record Stream(Path dir) implements AutoCloseable {
    List<String> names() throws java.io.IOException {
      try (var s = Files.list(dir)) {
        return s.map(p -> p.getFileName().toString()).sorted().toList();
      }
    }

    @Override
    public void close() {
    }
  }
}
