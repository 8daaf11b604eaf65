package org.alexnettfj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConvertPrototxtTest {

  private static final Path CAFFE = Path.of("../weights/src/test/resources/fixtures/caffe");

  @TempDir
  Path tmp;

  @Test
  void aPrototxtThatIsNotAlexNetStopsTheConversionNamingTheLayers() {
    Path target = tmp.resolve("out.npz");
    Run r = Run.of("convert", CAFFE.resolve("alexnet-mini-v1.caffemodel").toString(), target.toString(),
        "--prototxt", CAFFE.resolve("prototxt/not-alexnet.prototxt").toString());
    assertThat(r.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(r.err().strip()).doesNotContain("\n")
        .contains("does not describe AlexNet, so nothing was written")
        .contains("layer 'conv2': group 1, expected 2")
        .contains("layer 'norm1': alpha 0.001, expected 1.0E-4");
    assertThat(target).doesNotExist();
  }
}
