package org.alexnettfj.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpzWriterTest {

  @TempDir
  Path tmp;

  private static Map<String, WeightArray> mini() throws Exception {
    return WeightReader.read(Fixtures.file("bvlc-mini-py2.npy")).arrays();
  }

  @Test
  void writesOnePlainF4NpyEntryPerArrayAndReadsBackToTheSameValues() throws Exception {
    Map<String, WeightArray> arrays = mini();
    Path npz = tmp.resolve("mini.npz");
    NpzWriter.write(npz, arrays);

    List<String> names = new ArrayList<>();
    try (ZipFile zip = new ZipFile(npz.toFile())) {
      for (ZipEntry e : Collections.list(zip.entries())) {
        names.add(e.getName());
        assertThat(e.getMethod()).as(e.getName() + " stored, as numpy.savez writes").isEqualTo(ZipEntry.STORED);
        try (InputStream in = zip.getInputStream(e)) {
          byte[] head = in.readNBytes(128);
          String header = new String(head, StandardCharsets.ISO_8859_1);
          assertThat(header).as(e.getName() + " is an NPY file").startsWith("\u0093NUMPY\u0001\u0000");
          assertThat(header).as(e.getName() + ": a plain float32 array, not a pickled object array")
              .contains("'descr': '<f4', 'fortran_order': False").doesNotContain("|O");
        }
      }
    }
    List<String> expected = arrays.keySet().stream().map(n -> n + ".npy").toList();
    assertThat(names).as("entries named like numpy.savez(**{'conv1/weights': W})").containsExactlyElementsOf(expected);

    WeightFile back = WeightReader.read(npz);
    assertThat(back.format()).isEqualTo("npz, 16 arrays");
    assertThat(back.arrays().keySet()).containsExactlyElementsOf(arrays.keySet());
    arrays.forEach((name, a) -> {
      assertThat(back.array(name).shape()).as(name).containsExactly(a.shape());
      assertThat(back.array(name).data()).as(name).containsExactly(a.data());
      assertThat(back.array(name).storedFortranOrder()).as(name + ": always written in C order").isFalse();
    });
  }

  @Test
  void sameArraysAlwaysGiveTheSameBytes() throws Exception {
    Path a = tmp.resolve("a.npz");
    Path b = tmp.resolve("b.npz");
    NpzWriter.write(a, mini());
    NpzWriter.write(b, mini());
    assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
    try (ZipFile zip = new ZipFile(a.toFile())) {
      assertThat(Collections.list(zip.entries())).allSatisfy(e -> assertThat(e.getTimeLocal())
          .as("a fixed entry time, not the clock").isEqualTo(LocalDateTime.of(1980, 1, 1, 0, 0)));
    }
  }

  @Test
  void reportsProgressUpToTheArrayBytes() throws Exception {
    Map<String, WeightArray> arrays = Map.of("fc7/weights", WeightArray.of(new int[] {300, 200}, new float[60_000]));
    long[] last = {0, 0};
    NpzWriter.write(tmp.resolve("p.npz"), arrays, (done, total) -> {
      assertThat(done).isGreaterThanOrEqualTo(last[0]);
      last[0] = done;
      last[1] = total;
    });
    assertThat(last).containsExactly(240_000, 240_000);
  }

  @Test
  void refusesEntryNamesThatWouldEscapeWhenUnzipped() throws Exception {
    Path target = Files.writeString(tmp.resolve("keep.npz"), "previous");
    for (String bad : List.of("../evil", "/abs/weights", "conv1//weights", "conv1\\weights", "", "conv1/")) {
      Map<String, WeightArray> arrays = new LinkedHashMap<>();
      arrays.put("conv1/weights", WeightArray.of(new int[] {1}, new float[] {1}));
      arrays.put(bad, WeightArray.of(new int[] {1}, new float[] {1}));
      assertThatThrownBy(() -> NpzWriter.write(target, arrays)).as("'" + bad + "'")
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot be an .npz entry");
    }
    assertThat(Files.readString(target)).isEqualTo("previous");
  }

  /**
   * The real consumer is numpy.load with pickles disallowed. The writer is deterministic, so its output for the
   * mini model must equal npzwriter-bvlc-mini.npz byte for byte — a file checked with numpy 1.24 and 2.4
   * ({@code np.load(f, allow_pickle=False)}, every array's sha256 against the manifest; see fixtures/ORIGIN.md).
   */
  @Test
  void writesTheBytesThatNumpyWasSeenToLoadWithPicklesDisallowed() throws Exception {
    Path npz = tmp.resolve("mini.npz");
    NpzWriter.write(npz, mini());
    assertThat(Files.readAllBytes(npz)).isEqualTo(Files.readAllBytes(Fixtures.file("npzwriter-bvlc-mini.npz")));
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(npz)))
        .as("the output is readable like any other file, not owner-only like its temporary").isEqualTo("rw-r--r--");
  }

}
