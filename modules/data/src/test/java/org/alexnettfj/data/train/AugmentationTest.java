package org.alexnettfj.data.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.alexnettfj.data.BgrImage;
import org.alexnettfj.data.Mean;
import org.alexnettfj.data.PreprocessConfig;
import org.alexnettfj.data.PreprocessConfig.Geometry;
import org.alexnettfj.data.Preprocessor;
import org.junit.jupiter.api.Test;

class AugmentationTest {

  static final PreprocessConfig SMALL = PreprocessConfig.builder().geometry(Geometry.RESIZE_SQUARE_THEN_CENTER_CROP)
      .resizeTo(40).cropSize(32).mean(Mean.perChannel(0, 0, 0)).build();

  static BgrImage noise(int w, int h, long seed) {
    byte[] p = new byte[w * h * 3];
    new Random(seed).nextBytes(p);
    return new BgrImage(w, h, p);
  }

  @Test
  void drawsCropOffsetsWithinBoundsAndCoversThem() {
    Augmentation aug = Augmentation.builder().randomCrop(true).build();
    Set<Integer> tops = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      Augmentation.Draw d = aug.draw(40, 50, 32, new Random(Seeds.mix(7, 0, i)));
      assertThat(d.top()).isBetween(0, 8);
      assertThat(d.left()).isBetween(0, 18);
      tops.add(d.top());
    }
    assertThat(tops).as("every row offset 0..8 occurs").hasSize(9);
  }

  @Test
  void isDeterministicPerSeedEpochAndIndex() {
    BgrImage img = noise(45, 37, 1);
    Preprocessor pre = new Preprocessor(SMALL);
    float[] a = Augmentation.PAPER.apply(pre, img, new Random(Seeds.mix(3, 1, 5)));
    float[] b = Augmentation.PAPER.apply(pre, img, new Random(Seeds.mix(3, 1, 5)));
    float[] otherEpoch = Augmentation.PAPER.apply(pre, img, new Random(Seeds.mix(3, 2, 5)));
    assertThat(b).as("same (seed, epoch, index)").isEqualTo(a);
    assertThat(otherEpoch).as("another epoch draws anew").isNotEqualTo(a);
  }

  @Test
  void withEverythingOffGivesThePreprocessorsCentreCrop() {
    BgrImage img = noise(45, 37, 2);
    Preprocessor pre = new Preprocessor(SMALL);
    assertThat(Augmentation.NONE.apply(pre, img, new Random(9))).isEqualTo(pre.apply(img));
  }

  @Test
  void flipMirrorsTheCropLeftRight() {
    BgrImage img = noise(40, 40, 3);   // already 40x40: the resize is the identity
    Preprocessor pre = new Preprocessor(SMALL);
    Augmentation flipOnly = Augmentation.builder().flip(true).build();
    int seen = 0;
    for (long s = 0; seen < 2 && s < 50; s++) {
      Augmentation.Draw d = flipOnly.draw(40, 40, 32, new Random(s));
      if (!d.mirror()) {
        continue;
      }
      seen++;
      float[] out = flipOnly.apply(pre, img, new Random(s));
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          for (int c = 0; c < 3; c++) {
            assertThat(out[(y * 32 + x) * 3 + c]).as("(%d, %d, %d) comes from the mirrored column", y, x, c)
                .isEqualTo((float) img.get(4 + y, 4 + 31 - x, c));
          }
        }
      }
    }
    assertThat(seen).as("some seeds flip").isEqualTo(2);
  }

  @Test
  void pcaShiftEqualsTheFormulaForAFixedAlpha() {
    PcaColor pca = PcaColor.IMAGENET;
    double[] alpha = {0.1, -0.2, 0.05};
    float[] bgr = pca.shiftBgr(alpha);
    double[][] v = pca.eigenvectors();
    double[] l = pca.eigenvalues();
    for (int rgb = 0; rgb < 3; rgb++) {
      double expected = 255 * (v[rgb][0] * 0.1 * l[0] + v[rgb][1] * -0.2 * l[1] + v[rgb][2] * 0.05 * l[2]);
      assertThat((double) bgr[2 - rgb]).as("channel %d (RGB), stored at BGR %d", rgb, 2 - rgb)
          .isCloseTo(expected, within(1e-4));
    }
    // By hand, red: 255 * (-0.5675*0.02175 + 0.7192*-0.00376 + 0.4009*0.000225) = 255 * -0.014957 = -3.8141
    assertThat((double) bgr[2]).isCloseTo(-3.8141, within(1e-3));
  }

  @Test
  void addsTheSameColourShiftToEveryPixel() {
    BgrImage img = noise(40, 40, 4);
    Preprocessor pre = new Preprocessor(SMALL);
    Augmentation pcaOnly = Augmentation.builder().pcaColor(PcaColor.IMAGENET).build();
    float[] shifted = pcaOnly.apply(pre, img, new Random(11));
    float[] plain = pre.apply(img);
    float[] s = pcaOnly.draw(40, 40, 32, new Random(11)).shiftBgr();
    assertThat(Math.abs(s[0]) + Math.abs(s[1]) + Math.abs(s[2])).as("a non-zero shift").isGreaterThan(0.01f);
    for (int i = 0; i < plain.length; i++) {
      assertThat(shifted[i] - plain[i]).isCloseTo(s[i % 3], within(1e-3f));
    }
  }

  @Test
  void writesIntoItsPlaceInABatchTheCropPlusTheShiftAndNothingElse() {
    BgrImage img = noise(50, 40, 5);
    for (PreprocessConfig.ChannelOrder order : PreprocessConfig.ChannelOrder.values()) {
      PreprocessConfig config = PreprocessConfig.builder().geometry(Geometry.RESIZE_SQUARE_THEN_CENTER_CROP)
          .resizeTo(40).cropSize(32).mean(Mean.perChannel(104, 117, 124)).channelOrder(order).build();
      Preprocessor pre = new Preprocessor(config);
      int per = 32 * 32 * 3;
      float[] batch = new float[3 * per];
      java.util.Arrays.fill(batch, 7777f);
      Augmentation.PAPER.apply(pre, img, new Random(21), batch, per);
      // the same draw, then the crop and the shift added afterwards, as the pipeline did before writing in place
      Augmentation.Draw d = Augmentation.PAPER.draw(40, 40, 32, new Random(21));
      float[] crop = pre.apply(img, d.top(), d.left(), d.mirror());
      boolean rgb = order == PreprocessConfig.ChannelOrder.RGB;
      for (int i = 0; i < per; i++) {
        float expected = crop[i] + d.shiftBgr()[rgb ? 2 - i % 3 : i % 3];
        assertThat(batch[per + i]).as("%s value %d", order, i).isEqualTo(expected);
      }
      for (int i = 0; i < per; i++) {
        assertThat(batch[i]).as("the slot before is untouched").isEqualTo(7777f);
        assertThat(batch[2 * per + i]).as("the slot after is untouched").isEqualTo(7777f);
      }
      assertThatThrownBy(() -> Augmentation.PAPER.apply(pre, img, new Random(21), batch, 2 * per + 1))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no room");
    }
  }

  @Test
  void estimatesPcaFromAGreyDatasetAsTheLuminanceDirection() throws Exception {
    // Grey pixels vary only along (1,1,1): one eigenvalue holds all variance, its vector is (1,1,1)/√3.
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("pca");
    try {
      java.nio.file.Path cls = java.nio.file.Files.createDirectories(dir.resolve("a"));
      java.awt.image.BufferedImage grey = new java.awt.image.BufferedImage(16, 16,
          java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
      for (int y = 0; y < 16; y++) {
        for (int x = 0; x < 16; x++) {
          grey.getRaster().setSample(x, y, 0, (x * 16 + y) % 256);
        }
      }
      javax.imageio.ImageIO.write(grey, "png", cls.resolve("g.png").toFile());
      try (Dataset d = Dataset.fromImageFolder(dir)) {
        PcaColor pca = PcaColor.fromSample(d, 10, org.alexnettfj.data.ImageDecoder.DEFAULT);
        assertThat(pca.eigenvalues()[1]).isCloseTo(0, within(1e-12));
        for (int c = 0; c < 3; c++) {
          assertThat(Math.abs(pca.eigenvectors()[c][0])).isCloseTo(1 / Math.sqrt(3), within(1e-9));
        }
      }
    } finally {
      try (var walk = java.nio.file.Files.walk(dir)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void refusesARandomCropWithNoRoomToMove() {
    assertThatThrownBy(() -> Augmentation.PAPER.checkCompatible(PreprocessConfig.NOTEBOOK))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("STRETCH");
  }
}
