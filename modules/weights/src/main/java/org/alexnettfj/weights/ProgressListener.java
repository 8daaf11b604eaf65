package org.alexnettfj.weights;

/** Told how far a long read has got, so a CLI can draw a progress bar. Called from the reading thread. */
@FunctionalInterface
public interface ProgressListener {

  ProgressListener NONE = (done, total) -> { };

  void progress(long bytesDone, long bytesTotal);
}
