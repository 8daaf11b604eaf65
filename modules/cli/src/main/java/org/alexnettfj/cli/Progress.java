package org.alexnettfj.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.alexnettfj.weights.ProgressListener;

/** A terminal progress bar for long reads; silent when stderr is not a terminal (logs, pipes, tests). */
final class Progress implements ProgressListener, AutoCloseable {

  private static final long MIN_BYTES = 32L << 20;

  private final String task;
  private final boolean enabled;
  private ProgressBar bar;

  Progress(String task) {
    this.task = task;
    this.enabled = System.console() != null;
  }

  @Override
  public void progress(long done, long total) {
    if (!enabled || total < MIN_BYTES) {
      return;
    }
    if (bar == null) {
      bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total >> 20).setUnit(" MiB", 1)
          .setStyle(ProgressBarStyle.ASCII).showSpeed().continuousUpdate().build();
    }
    bar.maxHint(total >> 20);
    bar.stepTo(done >> 20);
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
