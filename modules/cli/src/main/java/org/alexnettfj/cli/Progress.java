package org.alexnettfj.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.alexnettfj.weights.ProgressListener;

/**
 * A terminal progress bar (rate, ETA, an optional message such as the loss) for long reads, long image lists and
 * training epochs; silent when stderr is not a terminal (logs, pipes, tests) and for work too small to need one.
 */
final class Progress implements ProgressListener, AutoCloseable {

  private static final long MIN_BYTES = 32L << 20;
  private static final long MIN_ITEMS = 64;

  private final String task;
  private final boolean bytes;
  private final boolean enabled;
  private ProgressBar bar;

  private Progress(String task, boolean bytes) {
    this.task = task;
    this.bytes = bytes;
    this.enabled = onTerminal();
  }

  /**
   * Whether stderr, where the bar draws, is a terminal. The launcher knows ({@code -Dalexnet.progress=1|0}, from
   * bash's {@code -t 2}); without it, where fd 2 points (Linux); else no bar. {@code System.console()} would
   * test stdin and stdout instead: a bar's escapes in {@code 2>log}, and none on the terminal with {@code >out}.
   */
  static boolean onTerminal() {
    return drawOn(System.getProperty("alexnet.progress"), stderrTarget());
  }

  /** The rule of {@link #onTerminal}: the launcher's word if it gave one, else fd 2's target. */
  static boolean drawOn(String launcherSays, String fd2Target) {
    if (launcherSays != null) {
      return launcherSays.equals("1") || launcherSays.equalsIgnoreCase("true");
    }
    return fd2Target != null && (fd2Target.startsWith("/dev/pts/") || fd2Target.startsWith("/dev/tty"));
  }

  private static String stderrTarget() {
    try {
      return Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return null;   // not Linux, or not allowed: no bar
    }
  }

  /** For reading files: counts MiB. */
  Progress(String task) {
    this(task, true);
  }

  /** For lists of images: counts items. */
  static Progress items(String task) {
    return new Progress(task, false);
  }

  @Override
  public void progress(long done, long total) {
    if (!enabled || total < (bytes ? MIN_BYTES : MIN_ITEMS)) {
      return;
    }
    int shift = bytes ? 20 : 0;
    if (bar == null) {
      bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total >> shift)
          .setUnit(bytes ? " MiB" : " images", 1).setStyle(ProgressBarStyle.ASCII).showSpeed()
          .continuousUpdate().build();
    }
    bar.maxHint(total >> shift);
    bar.stepTo(done >> shift);
  }

  /** Text after the bar, e.g. the last loss; shown with the next update. */
  void message(String message) {
    if (bar != null) {
      bar.setExtraMessage(message);
    }
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
