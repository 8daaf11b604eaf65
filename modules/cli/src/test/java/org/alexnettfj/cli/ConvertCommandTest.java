package org.alexnettfj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.alexnettfj.weights.CaffeReader;
import org.alexnettfj.weights.WeightArray;
import org.alexnettfj.weights.WeightFile;
import org.alexnettfj.weights.WeightReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConvertCommandTest {

  private static final Path FIXTURES = Path.of("../weights/src/test/resources/fixtures");
  private static final Path CLASSIC = FIXTURES.resolve("bvlc-mini-py2.npy");
  private static final Path LENET = FIXTURES.resolve("caffe/real/lenet_iter_10000.caffemodel");

  @TempDir
  Path tmp;

  private static Run run(String... args) {
    return Run.of(args);
  }

  private static void assertOneLineError(Run r, String start) {
    assertOneLineError(r, AlexNetCli.EXIT_BAD_INPUT, start);
  }

  private static void assertOneLineError(Run r, int code, String start) {
    assertThat(r.code()).as(r.err()).isEqualTo(code);
    assertThat(r.err().strip()).as("one line, no stack trace").doesNotContain("\n").startsWith(start);
    assertThat(r.out()).isEmpty();
  }

  private static void assertSameArrays(WeightFile actual, WeightFile expected) {
    assertThat(actual.arrays().keySet()).containsExactlyElementsOf(expected.arrays().keySet());
    expected.arrays().forEach((name, a) -> {
      WeightArray b = actual.array(name);
      assertThat(b.shape()).as(name).containsExactly(a.shape());
      assertThat(b.data()).as(name + ": same float32 values, bit for bit").isEqualTo(a.data());
    });
  }

  @Test
  void npyToNpzToNpyKeepsEveryArrayBitForBit() throws Exception {
    Path npz = tmp.resolve("mini.npz");
    Path npy = tmp.resolve("back.npy");
    Run first = run("convert", CLASSIC.toString(), npz.toString());
    assertThat(first.code()).as(first.err()).isZero();
    Run second = run("convert", npz.toString(), npy.toString());
    assertThat(second.code()).as(second.err()).isZero();

    WeightFile original = WeightReader.read(CLASSIC);
    assertSameArrays(WeightReader.read(npz), original);
    WeightFile back = WeightReader.read(npy);
    assertSameArrays(back, original);
    assertThat(back.format()).contains("dict of lists");
  }

  @Test
  void classicToClassicReproducesTheFileByteForByte() throws Exception {
    Path copy = tmp.resolve("copy.npy");
    Run r = run("convert", CLASSIC.toString(), copy.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Files.readAllBytes(copy)).as("key order and fc7/fc8 Fortran order kept")
        .isEqualTo(Files.readAllBytes(CLASSIC));
  }

  @Test
  void summaryGivesLayersParametersAndTheOutputsSha256() throws Exception {
    Path npz = tmp.resolve("lenet.npz");
    Run r = run("convert", LENET.toString(), npz.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("layers:     4 (conv1, conv2, ip1, ip2)").contains("parameters: 431,080")
        .contains("from:       caffemodel, V2 layer (field 100), net 'LeNet'").contains("ip1 input 50x4x4");
    Matcher sha = Pattern.compile("sha256:\\s+([0-9a-f]{64})").matcher(r.out());
    assertThat(sha.find()).isTrue();
    assertThat(sha.group(1)).isEqualTo(ConvertCommand.sha256(npz));
    assertSameArrays(WeightReader.read(npz), CaffeReader.read(LENET));
  }

  @Test
  void refusesToOverwriteWithoutForceAndLeavesTheFileUntouched() throws Exception {
    Path target = Files.writeString(tmp.resolve("existing.npz"), "precious");
    Run refused = run("convert", CLASSIC.toString(), target.toString());
    assertOneLineError(refused, "alexnet convert: " + target + ": exists; add --force to overwrite it");
    assertThat(Files.readString(target)).isEqualTo("precious");

    Run forced = run("convert", "--force", CLASSIC.toString(), target.toString());
    assertThat(forced.code()).as(forced.err()).isZero();
    assertSameArrays(WeightReader.read(target), WeightReader.read(CLASSIC));
    try (var files = Files.list(tmp)) {
      assertThat(files).as("no temporary file left behind").containsExactly(target);
    }
  }

  @Test
  void badInputFailsWithOneLineAndWritesNothing() throws Exception {
    Path bad = Files.writeString(tmp.resolve("bad.npy"), "not numpy");
    Path out = tmp.resolve("out.npz");
    Run r = run("convert", bad.toString(), out.toString());
    assertOneLineError(r, "alexnet convert: " + bad);
    assertThat(r.err()).contains("not a weight file");
    assertThat(out).doesNotExist();

    Run missing = run("convert", tmp.resolve("nope.npy").toString(), out.toString());
    assertOneLineError(missing, "alexnet convert: ");
    assertThat(missing.err()).contains("no such file");

    Run truncated = run("convert", FIXTURES.resolve("caffe/neg-truncated-v1.caffemodel").toString(),
        out.toString());
    assertOneLineError(truncated, "alexnet convert: ");
    assertThat(truncated.err()).contains("layer 'fc6', at byte 20894").contains("truncated");
    assertThat(out).doesNotExist();
  }

  @Test
  void unknownTargetListsTheSupportedFormats() {
    Run r = run("convert", CLASSIC.toString(), tmp.resolve("weights.h5").toString());
    assertOneLineError(r, AlexNetCli.EXIT_USAGE, "alexnet convert: cannot tell the output format from 'weights.h5'");
    assertThat(r.err()).contains(".npy (the classic").contains(".npz (a numpy archive");

    Run badTo = run("convert", "--to", "hdf5", CLASSIC.toString(), tmp.resolve("x").toString());
    assertOneLineError(badTo, AlexNetCli.EXIT_USAGE,
        "alexnet convert: unknown output format 'hdf5': supported are .npy");
  }

  @Test
  void npyToNpzToCheckpointToNpyKeepsEveryArrayBitForBit() throws Exception {
    Path npz = tmp.resolve("mini.npz");
    Path ckpt = tmp.resolve("mini.ckpt");
    Path npy = tmp.resolve("back.npy");
    for (Path[] step : new Path[][] {{CLASSIC, npz}, {npz, ckpt}, {ckpt, npy}}) {
      Run r = run("convert", step[0].toString(), step[1].toString());
      assertThat(r.code()).as(step[0] + " -> " + step[1] + ": " + r.err()).isZero();
    }
    assertThat(tmp.resolve("mini.ckpt.index")).as("TensorFlow's V2 layout: OUT is the prefix").isRegularFile();
    assertThat(tmp.resolve("mini.ckpt.data-00000-of-00001")).isRegularFile();
    assertThat(ckpt).doesNotExist();

    WeightFile original = WeightReader.read(CLASSIC);
    WeightFile back = WeightReader.read(npy);
    assertThat(back.arrays().keySet()).containsExactlyInAnyOrderElementsOf(original.arrays().keySet());
    original.arrays().forEach((name, a) -> {
      assertThat(back.array(name).shape()).as(name).containsExactly(a.shape());
      assertThat(back.array(name).data()).as(name + ": same float32 values, bit for bit").isEqualTo(a.data());
    });
  }

  @Test
  void checkpointIsRecognisedByItsIndexFileOrWithFromCheckpoint() throws Exception {
    Path ckpt = tmp.resolve("mini.ckpt");
    assertThat(run("convert", CLASSIC.toString(), ckpt.toString()).code()).isZero();
    Path viaIndex = tmp.resolve("a.npz");
    Run r = run("convert", tmp.resolve("mini.ckpt.index").toString(), viaIndex.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("from:       TensorFlow checkpoint (V2), 16 float32 tensors");

    Path renamed = tmp.resolve("weights-v2");
    Files.move(tmp.resolve("mini.ckpt.index"), tmp.resolve("weights-v2.index"));
    Files.move(tmp.resolve("mini.ckpt.data-00000-of-00001"), tmp.resolve("weights-v2.data-00000-of-00001"));
    Run byPrefix = run("convert", renamed.toString(), tmp.resolve("b.npz").toString());
    assertThat(byPrefix.code()).as("an existing PREFIX.index makes IN a checkpoint: " + byPrefix.err()).isZero();
    Run explicit = run("convert", "--from", "checkpoint", "--to", "ckpt", renamed.toString(),
        tmp.resolve("copy").toString());
    assertThat(explicit.code()).as(explicit.err()).isZero();
    assertThat(tmp.resolve("copy.index")).isRegularFile();
  }

  @Test
  void checkpointAndSavedModelTargetsRefuseToOverwriteWithoutForce() throws Exception {
    Path ckpt = tmp.resolve("m.ckpt");
    assertThat(run("convert", CLASSIC.toString(), ckpt.toString()).code()).isZero();
    byte[] index = Files.readAllBytes(tmp.resolve("m.ckpt.index"));
    Run refused = run("convert", CLASSIC.toString(), ckpt.toString());
    assertOneLineError(refused, "alexnet convert: " + tmp.resolve("m.ckpt.data-00000-of-00001")
        + ": exists; add --force to overwrite the checkpoint");
    assertThat(Files.readAllBytes(tmp.resolve("m.ckpt.index"))).isEqualTo(index);
    Run forced = run("convert", "--force", CLASSIC.toString(), ckpt.toString());
    assertThat(forced.code()).as(forced.err()).isZero();
    try (var files = Files.list(tmp)) {
      assertThat(files).as("the two checkpoint files, no temporary folder")
          .containsExactlyInAnyOrder(tmp.resolve("m.ckpt.index"), tmp.resolve("m.ckpt.data-00000-of-00001"));
    }

    Path dir = Files.createDirectory(tmp.resolve("my_saved_model"));
    assertOneLineError(run("convert", CLASSIC.toString(), dir.toString()),
        "alexnet convert: " + dir + ": exists; add --force to overwrite it");
    assertOneLineError(run("convert", "--force", CLASSIC.toString(), dir.toString()),
        "alexnet convert: " + dir + ": exists and is not a SavedModel (no saved_model.pb)");
  }

  @Test
  void savedModelNeedsACompleteAlexNetAndWritesNothingOtherwise() {
    Path dir = tmp.resolve("mini_saved_model");
    Run r = run("convert", CLASSIC.toString(), dir.toString());
    assertOneLineError(r, "alexnet convert: " + CLASSIC);
    assertThat(r.err()).contains("conv1");
    assertThat(dir).doesNotExist();
    assertThat(tmp.toFile().list()).as("no temporary folder left").isEmpty();

    Run pb = run("convert", CLASSIC.toString(), tmp.resolve("saved_model.pb").toString());
    assertOneLineError(pb, AlexNetCli.EXIT_USAGE, "alexnet convert: a SavedModel is a folder, not 'saved_model.pb'");
  }

  @Test
  void missingOrBrokenCheckpointFailsWithOneLine() throws Exception {
    Path out = tmp.resolve("out.npz");
    Run missing = run("convert", tmp.resolve("nope.ckpt").toString(), out.toString());
    assertOneLineError(missing, "alexnet convert: " + tmp.resolve("nope.ckpt") + ": not a TensorFlow checkpoint: "
        + "no nope.ckpt.index");

    Files.writeString(tmp.resolve("bad.ckpt.index"), "not a table");
    Run broken = run("convert", tmp.resolve("bad.ckpt").toString(), out.toString());
    assertOneLineError(broken, "alexnet convert: " + tmp.resolve("bad.ckpt"));
    assertThat(broken.err()).contains("not a readable TensorFlow checkpoint");
    assertThat(out).doesNotExist();
  }

  @Test
  void checkRefusesWeightsThatAreNotAlexNetAndWritesNothing() {
    Path out = tmp.resolve("lenet.npz");
    Run r = run("convert", "--check", LENET.toString(), out.toString());
    assertOneLineError(r, "alexnet convert: " + LENET + " does not match AlexNet (1000 classes), so nothing was "
        + "written: unexpected layer 'ip1'");
    assertThat(out).doesNotExist();
  }

  @Test
  void fcInputOptionReadsANonSquareMap() throws Exception {
    Path in = FIXTURES.resolve("caffe/v2-nonsquare-fc.caffemodel");
    Path out = tmp.resolve("ns.npz");
    Run refused = run("convert", in.toString(), out.toString());
    assertOneLineError(refused, "alexnet convert: " + in + ": layer 'fc1'");
    assertThat(refused.err()).contains("--fc-input fc1=CxHxW");

    Run r = run("convert", "--fc-input", "fc1=2x2x3", in.toString(), out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("fc1 input 2x2x3 reordered");
    assertSameArrays(WeightReader.read(out),
        CaffeReader.read(in, CaffeReader.Options.defaults().withFcInput("fc1", 2, 2, 3)));

    Run notCaffe = run("convert", "--fc-input", "fc6=256x6x6", CLASSIC.toString(), tmp.resolve("y.npz").toString());
    assertOneLineError(notCaffe, "alexnet convert: --fc-input applies to Caffe models");
  }

  @Test
  void fromCaffeReadsAModelWhateverItsName() throws Exception {
    Path renamed = Files.copy(FIXTURES.resolve("caffe/alexnet-mini-v1.caffemodel"), tmp.resolve("weights.bin"));
    Path out = tmp.resolve("mini.npy");
    Run r = run("convert", "--from", "caffe", renamed.toString(), out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertSameArrays(WeightReader.read(out), CaffeReader.read(renamed));
  }

  @Test
  void missingOutputIsAUsageError() {
    Run r = run("convert", CLASSIC.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required parameter: 'OUT'");
  }
}
