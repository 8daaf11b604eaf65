package org.alexnettfj.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.alexnettfj.data.PreprocessConfig;
import org.alexnettfj.data.Preprocessor;
import org.alexnettfj.weights.AlexNetWeights;
import org.alexnettfj.weights.NpzWriter;
import org.alexnettfj.weights.WeightFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The facade against the parts it stands on, built separately: a model given the same weights and the notebook's
 * preprocessing must give the same classes and features, for files, for images in memory and from several threads.
 */
class AlexNetTest {

  @TempDir
  static Path dir;

  private static Path weights;
  private static AlexNetModel reference;
  private static AlexNet net;

  @BeforeAll
  static void weightFile() throws Exception {
    WeightFile file = TestData.randomWeightFile(11, 1000);
    weights = dir.resolve("random.npz");
    NpzWriter.write(weights, file.arrays());
    reference = AlexNetModel.builder().setWeights(AlexNetWeights.complete(file)).optMaxBatch(4).build();
    net = AlexNet.load(weights);
  }

  @AfterAll
  static void close() {
    net.close();
    reference.close();
  }

  private static float[] referenceOutput(Path image, String layer) throws Exception {
    return reference.features(new Preprocessor(PreprocessConfig.NOTEBOOK).apply(image), 1, layer)[0];
  }

  @Test
  void predictGivesTheReferenceModelsMostProbableClasses() throws Exception {
    float[] probs = referenceOutput(AlexNetPredictorTest.ZEBRA, "prob");
    Prediction p = net.predict(AlexNetPredictorTest.ZEBRA, 3);
    assertThat(p.top()).hasSize(3);
    int best = 0;
    for (int i = 1; i < probs.length; i++) {
      best = probs[i] > probs[best] ? i : best;
    }
    assertThat(p.top().get(0).index()).isEqualTo(best);
    assertThat(p.top().get(0).probability()).isEqualTo(probs[best]);
    assertThat(p.top().get(0).label()).isEqualTo(Labels.imagenet().name(best));
  }

  @Test
  void featuresOfAFileAreTheReferenceModelsLayer() throws Exception {
    assertThat(net.features(AlexNetPredictorTest.LLAMA, "fc7")).hasSize(4096)
        .isEqualTo(referenceOutput(AlexNetPredictorTest.LLAMA, "fc7"));
    float[][] both = net.features(List.of(AlexNetPredictorTest.ZEBRA, AlexNetPredictorTest.LLAMA), "pool5");
    assertThat(both[1]).hasSize(9216).isEqualTo(referenceOutput(AlexNetPredictorTest.LLAMA, "pool5"));
    assertThat(net.layers()).contains("conv1", "pool5", "fc7", "fc8");
  }

  @Test
  void anImageInMemoryGivesWhatTheSamePixelsGiveFromAFile() throws Exception {
    // RGB and RGBA (the file's alpha is ignored by the decoder, as cv2.imread does; so must the facade's be)
    for (int type : new int[] {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_3BYTE_BGR}) {
      BufferedImage image = new BufferedImage(61, 47, type);
      SplittableRandom random = new SplittableRandom(type);
      for (int y = 0; y < image.getHeight(); y++) {
        for (int x = 0; x < image.getWidth(); x++) {
          image.setRGB(x, y, random.nextInt());
        }
      }
      Path png = dir.resolve("image-" + type + ".png");
      ImageIO.write(image, "png", png.toFile());
      assertThat(net.features(image, "fc7")).as("type %d", type).isEqualTo(net.features(png, "fc7"));
      assertThat(net.predict(image, 1).top()).isEqualTo(net.predict(png, 1).top());
    }
  }

  @Test
  void oneModelServesManyThreads() throws Exception {
    List<Path> images = List.of(AlexNetPredictorTest.ZEBRA, AlexNetPredictorTest.LLAMA,
        AlexNetPredictorTest.IMAGES.resolve("sealion.jpeg"));
    List<float[]> expected = new ArrayList<>();
    for (Path p : images) {
      expected.add(referenceOutput(p, "fc8"));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<float[]>> results = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        Path p = images.get(i % images.size());
        results.add(pool.submit(() -> net.features(p, "fc8")));
      }
      for (int i = 0; i < results.size(); i++) {
        assertThat(results.get(i).get()).isEqualTo(expected.get(i % images.size()));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void classNamesComeFromTheFileBesideTheWeights() throws Exception {
    Path other = dir.resolve("finetuned.weights.npz");
    Files.createSymbolicLink(other, weights);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      names.add("kind " + i);
    }
    assertThat(Labels.classesFile(other)).isEqualTo(dir.resolve("finetuned.weights.classes.txt"));
    Files.write(Labels.classesFile(other), names);
    try (AlexNet fine = AlexNet.load(other)) {
      assertThat(fine.labels().names()).isEqualTo(names);
      assertThat(fine.predict(AlexNetPredictorTest.ZEBRA, 1).top().get(0).label()).startsWith("kind ");
    }
  }

  @Test
  void badInputIsNamed() {
    Path missing = dir.resolve("nowhere.npy");
    assertThatThrownBy(() -> AlexNet.load(missing)).isInstanceOf(FileNotFoundException.class)
        .hasMessageContaining(missing.toString());
    assertThatThrownBy(() -> AlexNet.load(weights, Labels.numbered(3))).isInstanceOf(IOException.class)
        .hasMessageContaining(weights.toString()).hasMessageContaining("1000");
    assertThatThrownBy(() -> net.predict(AlexNetPredictorTest.ZEBRA, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("between 1 and 1000");
    assertThatThrownBy(() -> net.features(AlexNetPredictorTest.ZEBRA, "fc9"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fc9");
  }
}
