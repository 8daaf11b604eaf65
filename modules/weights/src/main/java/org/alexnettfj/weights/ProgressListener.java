package org.alexnettfj.weights;

/** Told how far a long read has got, so a CLI can draw a progress bar. Called from the reading thread. */
@FunctionalInterface
public interface ProgressListener {

  /** Ignores progress: the default where nothing is shown. */
  ProgressListener NONE = (done, total) -> { };

  /**
   * Reports how far the read or write has got.
   *
   * @param bytesDone bytes handled so far
   * @param bytesTotal bytes expected in all
   */
  void progress(long bytesDone, long bytesTotal);
}
