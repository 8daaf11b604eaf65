package org.alexnettfj.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CaffePrototxtTest {

  private static Path prototxt(String name) {
    return Fixtures.file("caffe/prototxt/" + name);
  }

  @Test
  void bvlcAlexNetDeployDescribesAlexNetAndFc6ReadsSixBySixBy256() throws Exception {
    for (String name : new String[] {"alexnet-deploy.prototxt", "alexnet-deploy-v1.prototxt"}) {
      CaffePrototxt net = CaffePrototxt.read(prototxt(name));
      assertThat(net.alexNetProblems()).as(name).isEmpty();
      assertThat(net.inputShape()).as(name).containsExactly(3, 227, 227);
      assertThat(net.fcInputs()).as(name + ": only fc6 follows a feature map")
          .isEqualTo(Map.of("fc6", new CaffeReader.FcInput(256, 6, 6)));
      assertThat(net.layers()).extracting(CaffePrototxt.Layer::name).contains("conv1", "norm2", "pool5", "prob");
      assertThat(net.layers().stream().filter(l -> l.name().equals("conv1")).findFirst().orElseThrow().type())
          .as(name + ": V1 enums read as V2 type names").isEqualTo("Convolution");
    }
  }

  @Test
  void aNetThatIsNotAlexNetIsExplainedLayerByLayer() throws Exception {
    assertThat(CaffePrototxt.read(prototxt("not-alexnet.prototxt")).alexNetProblems()).containsExactlyInAnyOrder(
        "layer 'conv1': stride 3, expected 4",
        "layer 'norm1': alpha 0.001, expected 1.0E-4",
        "layer 'conv2': group 1, expected 2",
        "layer 'fc6' reads a 256x9x9 feature map, expected 256x6x6");
    assertThat(CaffePrototxt.read(Fixtures.file("caffe/real/lenet.prototxt")).alexNetProblems())
        .contains("missing layer 'conv3' (Convolution)", "missing layer 'norm1' (LRN)",
            "layer 'conv1': num_output 20, expected 96");
  }

  @Test
  void realLenetPrototxtGivesIp1sFeatureMapWithCaffesArithmetic() throws Exception {
    CaffePrototxt lenet = CaffePrototxt.read(Fixtures.file("caffe/real/lenet.prototxt"));
    assertThat(lenet.inputShape()).containsExactly(1, 28, 28);
    // 28 -conv5-> 24 -pool2/2-> 12 -conv5-> 8 -pool2/2-> 4: ip1 reads 50x4x4 (800 inputs)
    assertThat(lenet.fcInputs()).isEqualTo(Map.of("ip1", new CaffeReader.FcInput(50, 4, 4)));
  }

  @Test
  void convertingWithThePrototxtsShapesGivesTheSameArraysAsInferringThem() throws Exception {
    Path model = Fixtures.file("caffe/real/lenet_iter_10000.caffemodel");
    CaffeReader.Options options = CaffeReader.Options.defaults();
    for (var e : CaffePrototxt.read(Fixtures.file("caffe/real/lenet.prototxt")).fcInputs().entrySet()) {
      options = options.withFcInput(e.getKey(), e.getValue());
    }
    WeightFile withPrototxt = CaffeReader.read(model, options);
    WeightFile inferred = CaffeReader.read(model);
    assertThat(withPrototxt.arrays().keySet()).isEqualTo(inferred.arrays().keySet());
    for (String name : inferred.arrays().keySet()) {
      assertThat(withPrototxt.array(name).data()).as(name).isEqualTo(inferred.array(name).data());
    }
  }

  @Test
  void malformedTextIsAnErrorNamingTheFileAndLine() {
    assertThatThrownBy(() -> CaffePrototxt.parse("name: \"x\"\nlayer {\n  name: \"a\"\n  type \"Input\"\n}\n",
        "bad.prototxt"))
        .isInstanceOf(WeightFileException.class)
        .hasMessageContaining("bad.prototxt").hasMessageContaining("line 4");
    assertThatThrownBy(() -> CaffePrototxt.parse("layer { name: \"a\"", "open.prototxt"))
        .hasMessageContaining("missing '}'");
  }
}
