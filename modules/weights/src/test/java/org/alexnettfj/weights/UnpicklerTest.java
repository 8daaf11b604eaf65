package org.alexnettfj.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a pickle may and may not do: only numpy arrays and plain containers are ever built. */
class UnpicklerTest {

  @TempDir
  Path dir;

  private PickleBytes dictOf(String key) {
    return new PickleBytes().proto(2).op('}', '(').unicode(key);
  }

  @Test
  void readsAHandAssembledDictOfLists() throws Exception {
    PickleBytes p = dictOf("fc8").op(']', '(')
        .floatArray(new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6})
        .floatArray(new int[] {3}, new float[] {7, 8, 9})
        .op('e', 'u', '.');
    WeightFile f = WeightReader.read(p.writeNpy(dir, "tiny.npy"));
    assertThat(f.arrays().keySet()).containsExactly("fc8/weights", "fc8/biases");
    assertThat(f.array("fc8/weights").data()).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(f.array("fc8/biases").shape()).containsExactly(3);
  }

  @Test
  void rejectsPickleThatNamesAnUnknownGlobal() throws Exception {
    Path marker = dir.resolve("pwned");
    PickleBytes p = dictOf("conv1").global("os", "system").unicode("touch " + marker).op(0x85, 'R', 's', '.');
    assertThatThrownBy(() -> WeightReader.read(p.writeNpy(dir, "evil.npy")))
        .isInstanceOf(WeightFileException.class)
        .hasMessageContaining("evil.npy")
        .hasMessageContaining("'os.system'")
        .hasMessageContaining("not allowed")
        .hasMessageContaining("layer 'conv1'");
    assertThat(marker).as("nothing was executed").doesNotExist();
  }

  @Test
  void rejectsStackGlobalOfBuiltinsEval() throws Exception {
    PickleBytes p = new PickleBytes().proto(4).op(0x8c, 8).raw("builtins".getBytes())
        .op(0x8c, 4).raw("eval".getBytes()).op(0x93, '.');
    assertThatThrownBy(() -> WeightReader.read(p.writeNpy(dir, "eval.npy")))
        .isInstanceOf(WeightFileException.class).hasMessageContaining("'builtins.eval'");
  }

  @Test
  void rejectsInstObjNewobjAndPersistentIds() throws Exception {
    int[][] ops = {{'i'}, {'o'}, {0x81}, {0x92}, {'P'}, {'Q'}, {0x82, 1}};
    String[] names = {"INST", "OBJ", "NEWOBJ", "NEWOBJ_EX", "PERSID", "BINPERSID", "EXT"};
    for (int i = 0; i < ops.length; i++) {
      PickleBytes p = new PickleBytes().proto(2).op('(').op(ops[i]).op('.');
      Path f = p.writeNpy(dir, "op" + i + ".npy");
      assertThatThrownBy(() -> WeightReader.read(f)).as(names[i])
          .isInstanceOf(WeightFileException.class)
          .hasMessageContaining(names[i])
          .hasMessageContaining("refused");
    }
  }

  @Test
  void lengthFieldBeyondTheFileIsAnErrorNotAnAllocation() throws Exception {
    PickleBytes p = dictOf("fc6").op('T').u32(0x7fff_fff0L).raw(new byte[16]);
    assertThatThrownBy(() -> WeightReader.read(p.writeNpy(dir, "liar.npy")))
        .isInstanceOf(WeightFileException.class)
        .hasMessageContaining("claims 2147483632 bytes")
        .hasMessageContaining("layer 'fc6'")
        .hasMessageMatching("(?s).*at byte \\d+.*");
  }

  @Test
  void arrayShapeThatDisagreesWithItsDataIsNamed() throws Exception {
    PickleBytes p = dictOf("conv3").op(']', '(')
        .floatArray(new int[] {2, 3}, new float[] {1, 2, 3, 4})
        .op('e', 'u', '.');
    assertThatThrownBy(() -> WeightReader.read(p.writeNpy(dir, "short.npy")))
        .isInstanceOf(WeightFileException.class)
        .hasMessageContaining("layer 'conv3'")
        .hasMessageContaining("needs 24 bytes of data, found 16");
  }

  @Test
  void absurdNestingIsRefused() throws Exception {
    PickleBytes marks = new PickleBytes().proto(2);
    for (int i = 0; i < 100; i++) {
      marks.op('(');
    }
    assertThatThrownBy(() -> WeightReader.read(marks.writeNpy(dir, "marks.npy")))
        .isInstanceOf(WeightFileException.class).hasMessageContaining("nested deeper");

    PickleBytes tuples = new PickleBytes().proto(2).op('N');
    for (int i = 0; i < 100_000; i++) {
      tuples.op(0x85);
    }
    tuples.op('.');
    assertThatThrownBy(() -> WeightReader.read(tuples.writeNpy(dir, "tuples.npy")))
        .isInstanceOf(WeightFileException.class).hasMessageContaining("nested more than");
  }

  @Test
  void selfReferencingListDoesNotLoopForever() throws Exception {
    // l = []; l.append(l); {'conv1': l}
    PickleBytes p = dictOf("conv1").op(']', 'q', 0, 'h', 0, 'a', 'u', '.');
    assertThatThrownBy(() -> WeightReader.read(p.writeNpy(dir, "cycle.npy")))
        .isInstanceOf(WeightFileException.class).hasMessageContaining("a container holds itself")
        .hasMessageContaining("at byte ");
  }

  @Test
  void truncatedPickleNamesTheOffsetWhereItEnds() throws Exception {
    byte[] whole = dictOf("conv2").op(']', '(').floatArray(new int[] {4}, new float[] {1, 2, 3, 4})
        .op('e', 'u', '.').asNpy();
    Path f = dir.resolve("cut.npy");
    Files.write(f, java.util.Arrays.copyOf(whole, whole.length - 9));
    assertThatThrownBy(() -> WeightReader.read(f))
        .isInstanceOf(WeightFileException.class)
        .hasMessageContaining("cut.npy")
        .hasMessageContaining("layer 'conv2'")
        .hasMessageMatching("(?s).*at byte \\d+.*(truncated|end of file|remain).*");
  }

  /**
   * caffe-tensorflow's dict of dicts, cut inside a later layer: the error names the key path being read, not every
   * key read so far (the finished dicts before it are values, not dicts being filled).
   */
  @Test
  void anErrorInANestedDictNamesTheLayerBeingRead() throws Exception {
    PickleBytes done = new PickleBytes().proto(2).op('}', '(')
        .unicode("conv1").op('}', '(')
        .unicode("weights").floatArray(new int[] {2}, new float[] {1, 2})
        .unicode("biases").floatArray(new int[] {1}, new float[] {3}).op('u')
        .unicode("PReLU1").op('}').unicode("alpha").floatArray(new int[] {1}, new float[] {4}).op('s');
    byte[] multi = new PickleBytes().raw(done.bytes()).unicode("conv2").op('}', '(')
        .unicode("weights").floatArray(new int[] {4}, new float[] {1, 2, 3, 4}).asNpy();
    Path f = dir.resolve("nested.npy");
    Files.write(f, java.util.Arrays.copyOf(multi, multi.length - 9));
    assertThatThrownBy(() -> WeightReader.read(f)).isInstanceOf(WeightFileException.class)
        .hasMessageContaining("layer 'conv2/weights'");
    // a one-item dict (pickled with SETITEM, no MARK) being filled
    byte[] single = new PickleBytes().raw(done.bytes()).unicode("PReLU2").op('}').unicode("alpha")
        .floatArray(new int[] {4}, new float[] {1, 2, 3, 4}).asNpy();
    Files.write(f, java.util.Arrays.copyOf(single, single.length - 9));
    assertThatThrownBy(() -> WeightReader.read(f)).isInstanceOf(WeightFileException.class)
        .hasMessageContaining("layer 'PReLU2/alpha'");
  }

  @Test
  void nonFloatArraysAreRejectedWithTheirDtype() throws Exception {
    PickleBytes p = dictOf("fc7");
    p.global("numpy.core.multiarray", "_reconstruct").global("numpy", "ndarray").binInt(0).op(0x85)
        .shortBinString("b").op(0x87, 'R').op('(').binInt(1).binInt(2).op(0x85)
        .global("numpy", "dtype").shortBinString("i4").binInt(0).binInt(1).op(0x87, 'R')
        .op('(').binInt(3).shortBinString("<").op('N', 'N', 'N').binInt(-1).binInt(-1).binInt(0).op('t', 'b')
        .op(0x89).binString(new byte[8]).op('t', 'b', 'u', '.');
    assertThatThrownBy(() -> WeightReader.read(p.writeNpy(dir, "ints.npy")))
        .isInstanceOf(WeightFileException.class)
        .hasMessageContaining("layer 'fc7'")
        .hasMessageContaining("dtype <i4");
  }

  @Test
  void textProtocolZeroOpcodesAreNotSupported() throws Exception {
    PickleBytes p = new PickleBytes().proto(2).op('I').raw("42\n".getBytes()).op('.');
    assertThatThrownBy(() -> WeightReader.read(p.writeNpy(dir, "p0.npy")))
        .isInstanceOf(WeightFileException.class).hasMessageContaining("protocol 0");
  }
}
