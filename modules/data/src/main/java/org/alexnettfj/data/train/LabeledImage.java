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
 */
public record LabeledImage(String source, int label) {

  public LabeledImage {
    Objects.requireNonNull(source, "source");
    if (label < 0) {
      throw new IllegalArgumentException("label must be >= 0, got " + label + " for " + source);
    }
  }
}
