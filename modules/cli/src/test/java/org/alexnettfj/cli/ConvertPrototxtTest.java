package org.alexnettfj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConvertPrototxtTest {

  private static final Path CAFFE = Path.of("../weights/src/test/resources/fixtures/caffe");

  @TempDir
  Path tmp;

  @Test
  void aPrototxtThatIsNotAlexNetStopsTheConversionNamingTheLayers() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Path target = tmp.resolve("out.npz");
    int code = AlexNetCli.run(new String[] {"convert", CAFFE.resolve("alexnet-mini-v1.caffemodel").toString(),
        target.toString(), "--prototxt", CAFFE.resolve("prototxt/not-alexnet.prototxt").toString()},
        new PrintWriter(out), new PrintWriter(err));
    assertThat(code).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(err.toString().strip()).doesNotContain("\n")
        .contains("does not describe AlexNet, so nothing was written")
        .contains("layer 'conv2': group 1, expected 2")
        .contains("layer 'norm1': alpha 0.001, expected 1.0E-4");
    assertThat(target).doesNotExist();
  }
}
