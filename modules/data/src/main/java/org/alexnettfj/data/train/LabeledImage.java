package org.alexnettfj.data.train;

import java.util.Objects;

/**
 * One training example: where its image is and its class index. {@code source} is a file path, or for an archive
 * entry {@code "<archive>!/<entry>"} (e.g. {@code "/data/flowers.zip!/daisy/1.jpg"}); it is what error reports
 * and {@link BatchPipeline.Batch#sources()} show.
 *
 * <pre>{@code
 * LabeledImage item = dataset.items().get(0);
 * String name = dataset.classNames().get(item.label());
 * }</pre>
 *
 * @param source the image's file path or {@code "<archive>!/<entry>"}
 * @param label the class index into the dataset's class names
 */
public record LabeledImage(String source, int label) {

  /**
   * Checks the example.
   *
   * @param source the image's file path or {@code "<archive>!/<entry>"}, not null
   * @param label the class index, not negative
   * @throws IllegalArgumentException if the label is negative
   */
  public LabeledImage {
    Objects.requireNonNull(source, "source");
    if (label < 0) {
      throw new IllegalArgumentException("label must be >= 0, got " + label + " for " + source);
    }
  }
}
