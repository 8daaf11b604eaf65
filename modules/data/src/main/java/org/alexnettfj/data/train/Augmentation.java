package org.alexnettfj.data.train;

import java.util.Random;
import org.alexnettfj.data.BgrImage;
import org.alexnettfj.data.PreprocessConfig;
import org.alexnettfj.data.PreprocessConfig.Geometry;
import org.alexnettfj.data.Preprocessor;

/**
 * The paper's training-time augmentation, each part switchable: a random {@code cropSize} crop of the resized
 * image (instead of the centre crop), a horizontal flip with probability 0.5, and {@link PcaColor} lighting.
 * {@link #NONE} is what validation uses: exactly {@link Preprocessor#apply(BgrImage)}.
 *
 * <p>Every image draws the same random numbers in the same order — crop row, crop column, flip, three alphas —
 * whatever is switched on, so switching one part off does not change the others' draws. {@link #apply} takes the
 * {@link Random} to draw from; {@link BatchPipeline} seeds one per {@code (seed, epoch, item index)}, so the result
 * does not depend on which thread runs it or when.
 *
 * <pre>{@code
 * Augmentation train = Augmentation.builder().randomCrop(true).flip(true).pcaColor(PcaColor.IMAGENET).build();
 * PreprocessConfig pre = PreprocessConfig.builder()
 *     .geometry(PreprocessConfig.Geometry.RESIZE_SQUARE_THEN_CENTER_CROP).build();   // 256² then 227 crops
 * }</pre>
 *
 * @param randomCrop crop at a uniformly random offset of the resized image; needs a geometry that resizes to more
 *     than {@code cropSize} (not {@code STRETCH})
 * @param flip mirror left-right with probability 0.5
 * @param pcaColor the colour shift, or {@code null} for none
 */
public record Augmentation(boolean randomCrop, boolean flip, PcaColor pcaColor) {

  /** No augmentation: the centre crop, as validation and prediction use. */
  public static final Augmentation NONE = new Augmentation(false, false, null);

  /** The paper's: random crop, flip, and ImageNet's PCA lighting. */
  public static final Augmentation PAPER = new Augmentation(true, true, PcaColor.IMAGENET);

  /**
   * Starts an augmentation with every part off.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * What one image drew: where its crop is, whether it is mirrored, and its colour shift in BGR, 0..255 units.
   *
   * @param top the crop's first row in the resized image
   * @param left the crop's first column in the resized image
   * @param mirror whether the crop is flipped left-right
   * @param shiftBgr the colour shift added to every pixel; zeros without PCA lighting
   */
  public record Draw(int top, int left, boolean mirror, float[] shiftBgr) {
  }

  /**
   * Draws this image's random choices for a resized image of {@code h x w} (see the class comment's order). Parts
   * that are off still draw, and give the centre crop, no flip and no shift.
   *
   * @param h the resized image's rows, at least {@code cropSize}
   * @param w the resized image's columns, at least {@code cropSize}
   * @param cropSize the network's input side
   * @param rng the image's own random numbers
   * @return the crop, flip and colour shift
   */
  public Draw draw(int h, int w, int cropSize, Random rng) {
    int top = rng.nextInt(h - cropSize + 1);
    int left = rng.nextInt(w - cropSize + 1);
    boolean mirror = rng.nextBoolean();
    double[] alpha = {rng.nextGaussian(), rng.nextGaussian(), rng.nextGaussian()};
    float[] shift = new float[3];
    if (pcaColor != null) {
      double[] scaled = {alpha[0] * pcaColor.alphaStd(), alpha[1] * pcaColor.alphaStd(),
          alpha[2] * pcaColor.alphaStd()};
      shift = pcaColor.shiftBgr(scaled);
    }
    return new Draw(randomCrop ? top : (h - cropSize) / 2, randomCrop ? left : (w - cropSize) / 2,
        flip && mirror, shift);
  }

  /**
   * Checks that this augmentation can work with {@code config}, before a run rather than at its first image.
   *
   * @param config the preprocessing the augmentation will run with
   * @throws IllegalArgumentException if a random crop is asked for but the geometry leaves it no room to move
   */
  public void checkCompatible(PreprocessConfig config) {
    if (randomCrop && (config.geometry() == Geometry.STRETCH || config.resizeTo() == config.cropSize())) {
      throw new IllegalArgumentException("randomCrop needs room to move the crop: use geometry "
          + "RESIZE_SQUARE_THEN_CENTER_CROP or the aspect-keeping one with resizeTo > cropSize (got "
          + config.geometry() + ", " + config.resizeTo() + " / " + config.cropSize() + ")");
    }
  }

  /**
   * Resizes, crops, flips, subtracts the mean and shifts the colour of one image.
   *
   * @param pre the preprocessing (geometry, mean, channel order)
   * @param image the decoded image
   * @param rng the image's own random numbers
   * @return {@code cropSize² x 3} floats (HWC)
   */
  public float[] apply(Preprocessor pre, BgrImage image, Random rng) {
    float[] out = new float[pre.config().cropSize() * pre.config().cropSize() * 3];
    apply(pre, image, rng, out, 0);
    return out;
  }

  /**
   * As {@link #apply(Preprocessor, BgrImage, Random)}, written into {@code out} from {@code offset} (a batch).
   *
   * @param pre the preprocessing (geometry, mean, channel order)
   * @param image the decoded image
   * @param rng the image's own random numbers
   * @param out the batch to write into
   * @param offset where in {@code out} the image's {@code cropSize² x 3} floats go
   */
  public void apply(Preprocessor pre, BgrImage image, Random rng, float[] out, int offset) {
    int[] size = pre.preCropSize(image);
    Draw d = draw(size[0], size[1], pre.config().cropSize(), rng);
    pre.apply(image, d.top(), d.left(), d.mirror(), pcaColor != null ? d.shiftBgr() : null, out, offset);
  }

  /** Settings of an {@link Augmentation}, all off by default. */
  public static final class Builder {
    private boolean randomCrop;
    private boolean flip;
    private PcaColor pcaColor;

    /**
     * Sets whether the crop is taken at a random offset rather than the centre.
     *
     * @param on true for the paper's random crop
     * @return this builder
     */
    public Builder randomCrop(boolean on) {
      randomCrop = on;
      return this;
    }

    /**
     * Sets whether half the images are mirrored left-right.
     *
     * @param on true for the paper's flip
     * @return this builder
     */
    public Builder flip(boolean on) {
      flip = on;
      return this;
    }

    /**
     * Sets the PCA lighting.
     *
     * @param pca the colour shift, e.g. {@link PcaColor#IMAGENET}, or null for none
     * @return this builder
     */
    public Builder pcaColor(PcaColor pca) {
      pcaColor = pca;
      return this;
    }

    /**
     * Makes the augmentation; its fit with the preprocessing is checked by {@link #checkCompatible}.
     *
     * @return the augmentation
     */
    public Augmentation build() {
      return new Augmentation(randomCrop, flip, pcaColor);
    }
  }
}
