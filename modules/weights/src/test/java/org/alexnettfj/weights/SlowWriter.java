package org.alexnettfj.weights;

import java.nio.file.Path;

/** A writer that stops half way (for {@link PartialWriteTest} to kill): writes 1 MB, says so, and waits. */
public final class SlowWriter {

  private SlowWriter() {
  }

  public static void main(String[] args) throws Exception {
    NpyWriter.atomically(Path.of(args[0]), out -> {
      out.write(new byte[1 << 20]);
      out.flush();
      System.out.println("writing");
      System.out.flush();
      try {
        Thread.sleep(120_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }
}
