package org.alexnettfj.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MissingFileTest {

  @TempDir
  Path dir;

  @Test
  void aMissingPretrainedFileSaysWhereItGoes() {
    Path bvlc = dir.resolve("bvlc_alexnet.npy");
    assertThatThrownBy(() -> MissingFile.requireWeights(bvlc)).isInstanceOf(FileNotFoundException.class)
        .hasMessage(bvlc + ": no such file (the pretrained weights are not bundled: put your copy of "
            + "bvlc_alexnet.npy in weights/, see README)");
    Path mine = dir.resolve("model.npz");
    assertThatThrownBy(() -> MissingFile.requireWeights(mine)).hasMessage(mine + ": no such file");
  }

  @Test
  void aBrokenLinkIsNamedAsOne() throws Exception {
    Path link = Files.createSymbolicLink(dir.resolve("bvlc_alexnet.npy"), dir.resolve("gone.npy"));
    assertThatThrownBy(() -> MissingFile.requireWeights(link)).hasMessageContaining("a symbolic link to a missing file")
        .hasMessageNotContaining("not bundled");
  }

  @Test
  void aFileOrAFolderPasses() throws Exception {
    Path file = Files.writeString(dir.resolve("w.npy"), "x");
    assertThatCode(() -> MissingFile.requireWeights(file)).doesNotThrowAnyException();
    assertThatCode(() -> MissingFile.requireWeights(dir)).as("a SavedModel folder").doesNotThrowAnyException();
    assertThat(MissingFile.problem(dir)).isEqualTo("is a directory, not a file");
  }
}
