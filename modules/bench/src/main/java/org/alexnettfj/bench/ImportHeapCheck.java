package org.alexnettfj.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import org.alexnettfj.weights.WeightFile;
import org.alexnettfj.weights.WeightReader;

/**
 * Reads the full-size file once and prints the peak Java heap. Run it with {@code -Xmx} at 1.3x the payload
 * (tools/bench does): finishing at all proves the live heap never exceeded that bound.
 */
public final class ImportHeapCheck {

  private ImportHeapCheck() {
  }

  public static void main(String[] args) throws Exception {
    Path file = FullSizeWeights.ensure(Path.of(args.length > 0 ? args[0] : "bench-data/bvlc_alexnet-full.npy"));
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      pool.resetPeakUsage();
    }
    long start = System.nanoTime();
    WeightFile w = WeightReader.read(file);
    long ms = (System.nanoTime() - start) / 1_000_000;
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    long payload = w.parameterCount() * 4;
    System.out.printf("payload %d bytes; peak heap %d bytes (%.2fx payload) under -Xmx%d MiB; %d ms%n", payload,
        peak, (double) peak / payload, Runtime.getRuntime().maxMemory() >> 20, ms);
  }
}
