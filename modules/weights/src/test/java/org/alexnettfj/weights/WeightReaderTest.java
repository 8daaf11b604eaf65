package org.alexnettfj.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fixture form (Python 2 and 3, numpy 1 and 2, protocols 2-5, dict of lists or dicts, npz, compressed,
 * plain arrays, genuine third-party files) reads to the values the manifest says, checked by sha256 computed in
 * Python.
 */
class WeightReaderTest {

  @TempDir
  Path tmp;

  static Stream<String> acceptedFixtures() {
    List<String> names = new ArrayList<>();
    Fixtures.manifest().get("files").fields().forEachRemaining(e -> {
      if (!e.getValue().path("expect").asText("accept").equals("reject")) {
        names.add(e.getKey());
      }
    });
    return names.stream();
  }
  @ParameterizedTest
  @MethodSource("acceptedFixtures")
  void progressOnlyGoesForwardAndEndsAtTheFilesSize(String fixture) throws Exception {
    Path path = Fixtures.file(fixture);
    long size = Files.size(path);
    List<long[]> calls = new ArrayList<>();
    WeightReader.read(path, (done, total) -> calls.add(new long[] {done, total}));
    assertThat(calls).as("told at least once").isNotEmpty();
    long before = 0;
    for (long[] c : calls) {
      assertThat(c[1]).as("total, whatever the entry or form").isEqualTo(size);
      assertThat(c[0]).as("done").isBetween(before, size);
      before = c[0];
    }
    assertThat(calls.get(calls.size() - 1)[0]).as("last").isEqualTo(size);
  }


  private static String expectedName(String fixture, JsonNode a) {
    if (a.path("path").size() == 0 || a.path("layer").isNull()) {
      String file = Path.of(fixture).getFileName().toString();
      return file.substring(0, file.indexOf('.'));
    }
    return a.get("layer").asText() + "/" + a.get("param").asText();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("acceptedFixtures")
  void readsEveryFixtureToTheValuesPythonWrote(String fixture) throws Exception {
    JsonNode expected = Fixtures.manifest().get("files").get(fixture).get("arrays");
    WeightFile file = WeightReader.read(Fixtures.file(fixture));
    assertThat(file.arrays()).as("%s array count", fixture).hasSize(expected.size());
    for (JsonNode a : expected) {
      String name = expectedName(fixture, a);
      WeightArray array = file.array(name);
      assertThat(array).as("%s: array %s (found %s)", fixture, name, file.arrays().keySet()).isNotNull();
      int[] shape = new int[a.get("shape").size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = a.get("shape").get(i).asInt();
      }
      assertThat(array.shape()).as("%s %s shape", fixture, name).containsExactly(shape);
      assertThat(array.storedDtype()).as("%s %s stored dtype", fixture, name)
          .isEqualTo(a.get("stored_dtype").asText());
      assertThat(array.storedFortranOrder()).as("%s %s stored order", fixture, name)
          .isEqualTo(a.get("stored_fortran").asBoolean());
      assertThat(Fixtures.sha256(array.data()))
          .as("%s %s: logical C-order values must match Python's (a Fortran array read as C would differ)",
              fixture, name)
          .isEqualTo(a.get("sha256").asText());
    }
  }

  @Test
  void classicFileStoresFc7AndFc8FortranOrderedButReadsThemAsInOut() throws Exception {
    WeightFile file = WeightReader.read(Fixtures.file("bvlc-mini-py2.npy"));
    assertThat(file.format()).isEqualTo("npy v1.0, pickle, dict of lists");
    assertThat(file.array("fc7/weights").storedFortranOrder()).isTrue();
    assertThat(file.array("fc8/weights").storedFortranOrder()).isTrue();
    assertThat(file.array("fc6/weights").storedFortranOrder()).isFalse();
    // the manifest's formula, value at logical C index i: ((i*7 + seed) % 1013) / 8 - 60, seed = 16*6 + 0
    float[] fc7 = file.array("fc7/weights").data();
    for (int i = 0; i < fc7.length; i++) {
      assertThat(fc7[i]).as("fc7 index %d", i).isEqualTo(((i * 7 + 96) % 1013) / 8f - 60f);
    }
  }

  @Test
  void validationListsEveryProblemAtOnce() throws Exception {
    WeightFile file = WeightReader.read(Fixtures.file("neg-missing-fc8-bad-conv3-np2.npy"));
    List<String> problems = AlexNetWeights.problems(file, Set.of(), Fixtures.miniSpec());
    assertThat(problems).containsExactlyInAnyOrder(
        "missing layer 'fc8'",
        "layer 'conv3': weights shape (3, 3, 10, 13), expected (3, 3, 10, 12)");
    assertThat(AlexNetWeights.problems(WeightReader.read(Fixtures.file("bvlc-mini-py2.npy")), Set.of(),
        Fixtures.miniSpec())).as("the good mini file matches its own spec").isEmpty();
  }

  @Test
  void loaderReportsMissingUnexpectedMisshapenAndNonFiniteTogether() {
    Map<String, WeightArray> arrays = new java.util.LinkedHashMap<>();
    for (AlexNetSpec.Layer l : AlexNetSpec.layers(1000)) {
      if (l.name().equals("conv4")) {
        continue;
      }
      int[] w = l.name().equals("fc6") ? new int[] {4096, 9216} : l.weightsShape();
      arrays.put(l.name() + "/weights", zeros(l.name().startsWith("fc") ? new int[] {1, 1} : new int[] {1}));
      arrays.put(l.name() + "/biases", zeros(l.biasesShape()));
      if (l.name().equals("fc6")) {
        arrays.put("fc6/weights", zeros(new int[] {3, 2}));
      }
      w.getClass();
    }
    float[] nanBiases = new float[96];
    nanBiases[3] = Float.NaN;
    nanBiases[5] = Float.POSITIVE_INFINITY;
    arrays.put("conv1/biases", WeightArray.of(new int[] {96}, nanBiases));
    arrays.put("extra/weights", zeros(new int[] {1}));
    WeightFile file = new WeightFile("made-up.npy", "test", arrays);
    assertThatThrownBy(() -> AlexNetWeights.from(file, Set.of(), 1000))
        .isInstanceOf(WeightFileException.class)
        .hasMessageStartingWith("made-up.npy: ")
        .hasMessageContaining("missing layer 'conv4'")
        .hasMessageContaining("unexpected layer 'extra'")
        .hasMessageContaining("layer 'fc6': weights shape (3, 2), expected (9216, 4096)")
        .hasMessageContaining("layer 'conv1': biases has 1 NaN and 1 infinite values")
        .hasMessageContaining("layer 'fc8': weights shape (1, 1), expected (4096, 1000)");
  }

  @Test
  void numClassesOtherThan1000NeedsFc8Skipped() {
    WeightFile empty = new WeightFile("w.npy", "test", Map.of());
    assertThatThrownBy(() -> AlexNetWeights.from(empty, Set.of(), 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("numClasses is 2")
        .hasMessageContaining("add fc8 to skipLayers");
    assertThatThrownBy(() -> AlexNetWeights.from(empty, Set.of("fc9"), 1000))
        .hasMessageContaining("skip layer 'fc9' is not an AlexNet layer");
  }

  private static WeightArray zeros(int[] shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return WeightArray.of(shape, new float[n]);
  }

  @Test
  void rejectsForbiddenGlobalsInGenuinelyWrittenPickles() {
    assertThatThrownBy(() -> WeightReader.read(Fixtures.file("neg-forbidden-global-posix-system-p2.npy")))
        .isInstanceOf(WeightFileException.class).hasMessageContaining("'posix.system'");
    assertThatThrownBy(() -> WeightReader.read(Fixtures.file("neg-forbidden-global-os-system-p4.npy")))
        .isInstanceOf(WeightFileException.class).hasMessageContaining("'os.system'");
    assertThatThrownBy(() -> WeightReader.read(Fixtures.file("neg-ordereddict-np2.npy")))
        .isInstanceOf(WeightFileException.class).hasMessageContaining("'collections.OrderedDict'");
  }

  @Test
  void rejectsIntegerArraysNamingTheLayerAndDtype() {
    assertThatThrownBy(() -> WeightReader.read(Fixtures.file("neg-int32-in-dict-np1.npy")))
        .isInstanceOf(WeightFileException.class)
        .hasMessageContaining("layer 'conv1'").hasMessageContaining("dtype <i4");
    assertThatThrownBy(() -> WeightReader.read(Fixtures.file("neg-plain-int32.npy")))
        .isInstanceOf(WeightFileException.class).hasMessageContaining("dtype <i4");
  }

  @Test
  void truncatedClassicFileNamesLayerAndOffset() {
    assertThatThrownBy(() -> WeightReader.read(Fixtures.file("neg-truncated-py2.npy")))
        .isInstanceOf(WeightFileException.class)
        .hasMessageContaining("neg-truncated-py2.npy")
        .hasMessageContaining("layer 'fc6'")
        .hasMessageContaining("at byte ");
  }

  @Test
  void wrongMagicAndEmptyFilesAreNamed() throws Exception {
    Path text = Files.writeString(tmp.resolve("notes.npy"), "hello");
    assertThatThrownBy(() -> WeightReader.read(text))
        .hasMessageContaining("notes.npy").hasMessageContaining("not a weight file");
    Path empty = Files.write(tmp.resolve("empty.npy"), new byte[0]);
    assertThatThrownBy(() -> WeightReader.read(empty)).hasMessageContaining("not a weight file");
    assertThatThrownBy(() -> WeightReader.read(tmp.resolve("absent.npy"))).hasMessageContaining("no such file");
  }

  @Test
  void npzEntryTruncatedInsideTheArchiveIsReported() throws Exception {
    byte[] zip = Files.readAllBytes(Fixtures.file("bvlc-mini-savez-underscore-np1.npz"));
    Path cut = tmp.resolve("cut.npz");
    Files.write(cut, java.util.Arrays.copyOf(zip, zip.length / 2));
    assertThatThrownBy(() -> WeightReader.read(cut)).isInstanceOf(WeightFileException.class)
        .hasMessageContaining("cut.npz");
  }
}
