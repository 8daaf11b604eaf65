package org.alexnettfj.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyWriterTest {

  @TempDir
  Path tmp;

  @Test
  void classicWriterReproducesPython2NumpyBytesExactly() throws Exception {
    Path original = Fixtures.file("bvlc-mini-py2.npy");
    WeightFile file = WeightReader.read(original);
    Path copy = tmp.resolve("copy.npy");
    NpyWriter.writeClassic(copy, file.arrays(), name -> file.array(name).storedFortranOrder());
    assertThat(Files.readAllBytes(copy))
        .as("same arrays in the same key order must give cPickle's bytes, memo numbering and all")
        .isEqualTo(Files.readAllBytes(original));
  }

  @Test
  void plainArrayRoundTripsThroughTheReader() throws Exception {
    WeightArray a = WeightArray.of(new int[] {2, 3}, new float[] {1, -2, 3.5f, Float.MIN_VALUE, 0, 7});
    Path p = tmp.resolve("a.npy");
    NpyWriter.writePlain(p, a);
    WeightArray back = WeightReader.readArray(p);
    assertThat(back.shape()).containsExactly(2, 3);
    assertThat(back.data()).containsExactly(a.data());
    assertThat(Files.size(p) % 16).as("data starts 16-byte aligned after the header, as numpy writes it")
        .isEqualTo((2 * 3 * 4) % 16);
  }

  @Test
  void failedWriteLeavesTheExistingFileUntouched() throws Exception {
    Path target = Files.writeString(tmp.resolve("keep.npy"), "previous contents");
    assertThatThrownBy(() -> NpyWriter.atomically(target, out -> {
      out.write(new byte[100_000]);
      throw new java.io.IOException("disk full");
    })).hasMessage("disk full");
    assertThat(Files.readString(target)).isEqualTo("previous contents");
    try (var files = Files.list(tmp)) {
      assertThat(files).as("no temporary file left behind").containsExactly(target);
    }
    assertThatThrownBy(() -> NpyWriter.writeClassic(target,
        Map.of("conv1/biases", WeightArray.of(new int[] {1}, new float[] {1})), n -> false))
        .hasMessageContaining("layer 'conv1' must have exactly weights then biases");
  }
}
