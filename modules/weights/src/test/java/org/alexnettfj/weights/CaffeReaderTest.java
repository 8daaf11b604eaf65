package org.alexnettfj.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Caffe models read and convert to the values that Python computed with the official protobuf parser and numpy
 * (tools/fixtures/make_caffe_fixtures.py, caffe/caffe-manifest.json), and damaged ones fail naming layer and byte.
 */
class CaffeReaderTest {

  private static JsonNode manifest;

  @TempDir
  Path tmp;

  static synchronized JsonNode manifest() throws IOException {
    if (manifest == null) {
      manifest = new com.fasterxml.jackson.databind.ObjectMapper().readTree(caffe("caffe-manifest.json").toFile());
    }
    return manifest;
  }

  static Path caffe(String name) {
    return Fixtures.file("caffe/" + name);
  }

  private static Stream<String> fixtures(String expect) throws IOException {
    List<String> names = new ArrayList<>();
    manifest().get("files").fields().forEachRemaining(e -> {
      if (e.getValue().get("expect").asText().equals(expect)) {
        names.add(e.getKey());
      }
    });
    return names.stream();
  }

  static Stream<String> accepted() throws IOException {
    return fixtures("accept");
  }

  static Stream<String> rejected() throws IOException {
    return fixtures("reject");
  }

  private static CaffeReader.Options optionsFor(JsonNode entry) {
    CaffeReader.Options options = CaffeReader.Options.defaults();
    var given = entry.path("needs_fc_input").fields();
    while (given.hasNext()) {
      var e = given.next();
      options = options.withFcInput(e.getKey(), e.getValue().get(0).asInt(), e.getValue().get(1).asInt(),
          e.getValue().get(2).asInt());
    }
    return options;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("accepted")
  void convertsEveryArrayToTheValuesNumpyComputed(String fixture) throws Exception {
    JsonNode entry = manifest().get("files").get(fixture);
    WeightFile file = CaffeReader.read(caffe(fixture), optionsFor(entry));
    List<String> expectedNames = new ArrayList<>();
    entry.get("arrays").fieldNames().forEachRemaining(expectedNames::add);
    assertThat(file.arrays().keySet()).as("array names, in file order").containsExactlyElementsOf(expectedNames);
    for (String name : expectedNames) {
      JsonNode a = entry.get("arrays").get(name);
      WeightArray got = file.array(name);
      int[] shape = new int[a.get("shape").size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = a.get("shape").get(i).asInt();
      }
      assertThat(got.shape()).as(name + " shape").containsExactly(shape);
      for (int i = 0; i < 3 && i < got.size(); i++) {
        assertThat(got.data()[i]).as(name + "[" + i + "]").isEqualTo((float) a.get("first3").get(i).asDouble());
      }
      assertThat(Fixtures.sha256(got.data())).as(name + " sha256 of the converted values")
          .isEqualTo(a.get("sha256").asText());
    }
    assertThat(file.format()).startsWith("caffemodel, " + (entry.get("layout").asText().startsWith("V1")
        ? "V1 layers (field 2)" : "V2 layer (field 100)")).contains("net '" + entry.get("net").asText() + "'");
  }

  @Test
  void realLeNetReordersIp1FromChwToHwcAsCaffeTensorflowDid() throws Exception {
    WeightFile file = CaffeReader.read(caffe("real/lenet_iter_10000.caffemodel"));
    assertThat(file.layerNames()).containsExactly("conv1", "conv2", "ip1", "ip2");
    assertThat(file.array("ip1/weights").shape()).containsExactly(800, 500);
    assertThat(file.format()).contains("ip1 input 50x4x4 reordered to (h, w, c)").doesNotContain("ip2 input");
    assertThat(file.parameterCount()).isEqualTo(20 * 25 + 20 + 50 * 20 * 25 + 50 + 800 * 500 + 500 + 5000 + 10);
  }

  @Test
  void v1AlexNetShapedFileConvertsToTheSameArraysAsTheClassicNpy() throws Exception {
    WeightFile caffe = CaffeReader.read(caffe("alexnet-mini-v1.caffemodel"));
    WeightFile classic = WeightReader.read(Fixtures.file("bvlc-mini-py2.npy"));
    assertThat(caffe.arrays().keySet()).containsExactlyInAnyOrderElementsOf(classic.arrays().keySet());
    for (String name : classic.arrays().keySet()) {
      assertThat(caffe.array(name).shape()).as(name).containsExactly(classic.array(name).shape());
      assertThat(caffe.array(name).data()).as(name + ": written independently by Python 2 cPickle")
          .containsExactly(classic.array(name).data());
    }
    assertThat(AlexNetWeights.problems(caffe, Set.of(), Fixtures.miniSpec())).as("an AlexNet, at mini scale")
        .isEmpty();
    assertThat(caffe.layerNames()).containsExactly("conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7",
        "fc8");
    assertThat(caffe.array("conv3/weights").storedDtype()).as("stored as double_data").isEqualTo("<f8");
    assertThat(caffe.array("conv1/weights").storedDtype()).isEqualTo("<f4");
    for (String name : classic.arrays().keySet()) {
      assertThat(caffe.array(name).storedFortranOrder()).as(name + ": Fortran exactly where the classic file is")
          .isEqualTo(classic.array(name).storedFortranOrder());
    }
  }

  /**
   * The whole chain caffe-tensorflow ran to make bvlc_alexnet.npy (read the V1 caffemodel, transpose, np.save
   * under Python 2) reproduced: in Python 2's key order the classic writer gives the Python 2 fixture's bytes.
   */
  @Test
  void v1AlexNetWrittenAsClassicNpyInPython2KeyOrderIsByteIdenticalToTheClassicFixture() throws Exception {
    WeightFile caffe = CaffeReader.read(caffe("alexnet-mini-v1.caffemodel"));
    Map<String, WeightArray> ordered = new java.util.LinkedHashMap<>();
    for (JsonNode key : Fixtures.manifest().get("files").get("bvlc-mini-py2.npy").get("key_order")) {
      ordered.put(key.asText() + "/weights", caffe.array(key.asText() + "/weights"));
      ordered.put(key.asText() + "/biases", caffe.array(key.asText() + "/biases"));
    }
    Path npy = tmp.resolve("from-caffe.npy");
    NpyWriter.writeClassic(npy, ordered, name -> ordered.get(name).storedFortranOrder());
    assertThat(Files.readAllBytes(npy)).isEqualTo(Files.readAllBytes(Fixtures.file("bvlc-mini-py2.npy")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejected")
  void damagedFilesFailNamingLayerAndByteOffset(String fixture) throws Exception {
    JsonNode entry = manifest().get("files").get(fixture);
    Path path = caffe(fixture);
    WeightFileException e = catchThrowableOfType(WeightFileException.class, () -> CaffeReader.read(path));
    assertThat(e).as("must fail with WeightFileException").isNotNull();
    assertThat(e.getMessage()).contains(path.toString()).contains(entry.get("message_contains").asText());
    assertThat(e.layer()).as("layer named in " + e.getMessage())
        .isEqualTo(entry.get("layer").isNull() ? null : entry.get("layer").asText());
    assertThat(e.offset()).as("byte offset in " + e.getMessage()).isEqualTo(entry.get("offset").asLong());
  }

  @Test
  void nonSquareMapNeedsTheFcInputGivenAndChecksIt() throws Exception {
    JsonNode entry = manifest().get("files").get("v2-nonsquare-fc.caffemodel").get("without_fc_input");
    Path path = caffe("v2-nonsquare-fc.caffemodel");
    WeightFileException e = catchThrowableOfType(WeightFileException.class, () -> CaffeReader.read(path));
    assertThat(e.getMessage()).contains(entry.get("message_contains").asText()).contains("--fc-input fc1=CxHxW");
    assertThat(e.layer()).isEqualTo("fc1");
    assertThat(e.offset()).isEqualTo(entry.get("offset").asLong());

    assertThatThrownBy(() -> CaffeReader.read(path, CaffeReader.Options.defaults().withFcInput("fc1", 2, 2, 2)))
        .isInstanceOf(WeightFileException.class).hasMessageContaining("2x2x2 = 8, does not match the layer's 12");
    assertThatThrownBy(() -> CaffeReader.read(path, CaffeReader.Options.defaults().withFcInput("fc9", 2, 2, 3)))
        .isInstanceOf(WeightFileException.class).hasMessageContaining("no InnerProduct layer of that name");
  }

  @Test
  void fcInputParsesChannelsHeightWidth() {
    assertThat(CaffeReader.FcInput.parse("256x6x6")).isEqualTo(new CaffeReader.FcInput(256, 6, 6));
    assertThatThrownBy(() -> CaffeReader.FcInput.parse("256x6")).hasMessageContaining("CxHxW");
    assertThatThrownBy(() -> CaffeReader.FcInput.parse("0x6x6")).hasMessageContaining("positive");
  }

  @Test
  void weightReaderRecognisesCaffeModelsByExtensionAndByContent() throws Exception {
    Path original = caffe("real/lenet_iter_10000.caffemodel");
    String expected = Fixtures.sha256(CaffeReader.read(original).array("ip1/weights").data());

    WeightFile byExtension = WeightReader.read(original);
    Path renamed = Files.copy(original, tmp.resolve("lenet.bin"));
    WeightFile byContent = WeightReader.read(renamed);
    Path gz = tmp.resolve("lenet.caffemodel.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      Files.copy(original, out);
    }
    WeightFile gzipped = WeightReader.read(gz);
    for (WeightFile f : List.of(byExtension, byContent, gzipped)) {
      assertThat(Fixtures.sha256(f.array("ip1/weights").data())).as(f.source()).isEqualTo(expected);
    }
    assertThat(gzipped.format()).startsWith("gz of caffemodel");
    assertThat(CaffeReader.looksLikeCaffeModel(renamed)).isTrue();
    assertThat(CaffeReader.looksLikeCaffeModel(Fixtures.file("bvlc-mini-py2.npy"))).isFalse();
  }

  @Test
  void aPrototxtGivenByMistakeIsCalledText() {
    Path prototxt = caffe("real/lenet.prototxt");
    assertThatThrownBy(() -> CaffeReader.read(prototxt)).isInstanceOf(WeightFileException.class)
        .hasMessageContaining("is text (a .prototxt net definition?)");
  }

  @Test
  void aNetWithoutParametersIsRefused() throws Exception {
    // NetParameter { name: "x" layer { name: "data" type: "Input" } }
    byte[] net = {0x0a, 1, 'x', (byte) 0xa2, 0x06, 13, 0x0a, 4, 'd', 'a', 't', 'a', 0x12, 5, 'I', 'n', 'p', 'u',
        't'};
    Path p = Files.write(tmp.resolve("empty.caffemodel"), net);
    assertThatThrownBy(() -> CaffeReader.read(p)).hasMessageContaining("no layer has parameters");
  }

  @Test
  void progressReachesTheEndOfTheFile() throws Exception {
    Path path = caffe("real/lenet_iter_10000.caffemodel");
    long[] last = new long[2];
    CaffeReader.read(path, CaffeReader.Options.defaults().withProgress((done, total) -> {
      assertThat(done).isGreaterThanOrEqualTo(last[0]).isLessThanOrEqualTo(total);
      last[0] = done;
      last[1] = total;
    }));
    assertThat(last[1]).isEqualTo(Files.size(path));
    assertThat(last[0]).isGreaterThan(Files.size(path) * 9 / 10);
  }

  /**
   * Every prefix and thousands of corruptions, read from memory (the file path is the same code after mapping):
   * a result or a WeightFileException naming the file, never another exception, an OutOfMemoryError or a hang.
   */
  @Test
  void truncatedOrCorruptedFilesOnlyEverFailCleanly() throws Exception {
    byte[] original = Files.readAllBytes(caffe("alexnet-mini-v1.caffemodel"));
    Random rnd = new Random(2014);
    int[] outcomes = new int[2];
    Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      for (int i = 0; i < original.length + 5000; i++) {
        byte[] mutated;
        if (i < original.length) {
          mutated = java.util.Arrays.copyOf(original, i);
        } else {
          mutated = original.clone();
          for (int k = rnd.nextInt(4); k >= 0; k--) {
            mutated[rnd.nextInt(mutated.length)] = (byte) rnd.nextInt(256);
          }
        }
        try {
          CaffeReader.read(ByteBuffer.wrap(mutated), "mutant.caffemodel", CaffeReader.Options.defaults());
          outcomes[0]++;
        } catch (WeightFileException e) {
          assertThat(e.getMessage()).startsWith("mutant.caffemodel");
          outcomes[1]++;
        } catch (RuntimeException | Error e) {
          fail("mutation " + i + " escaped as " + e, e);
        }
      }
    });
    assertThat(outcomes[1]).as("most truncations cut a layer or a blob short").isGreaterThan(original.length / 2);
  }

  @Test
  void convertedFileGoesStraightIntoAlexNetWeightsChecks() throws Exception {
    WeightFile lenet = CaffeReader.read(caffe("real/lenet_iter_10000.caffemodel"));
    assertThat(AlexNetWeights.problems(lenet, Set.of(), 10)).contains("unexpected layer 'ip1' (AlexNet layers are "
        + AlexNetSpec.LAYER_NAMES + ")", "missing layer 'fc8'");
    assertThat(Map.copyOf(lenet.layer("conv1"))).containsOnlyKeys("weights", "biases");
  }
}
