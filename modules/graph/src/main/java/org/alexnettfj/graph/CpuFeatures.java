package org.alexnettfj.graph;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * What the CPU's vector units are, for the graph's per-core choices: oneDNN's kernels rank the layouts
 * differently on AVX2 and AVX-512 cores (BENCHMARKS.md: on AVX-512 the fc weights multiply faster as stored,
 * {@code [in, out]}; on AVX2 transposed). Read once from {@code /proc/cpuinfo}; the system property
 * {@code alexnet.cpu=avx2|avx512} overrides it (to measure one core's choices on the other).
 */
public final class CpuFeatures {

  /** The property that overrides what {@code /proc/cpuinfo} says. */
  public static final String PROPERTY = "alexnet.cpu";

  private static final boolean AVX512 = detect(System.getProperty(PROPERTY), read());

  private CpuFeatures() {
  }

  /** Whether the graph is tuned for AVX-512 cores (avx512f present, or {@code -Dalexnet.cpu=avx512}). */
  public static boolean avx512() {
    return AVX512;
  }

  static boolean detect(String override, String cpuinfo) {
    if (override != null && !override.isBlank()) {
      return switch (override.strip().toLowerCase(Locale.ROOT)) {
        case "avx512", "avx-512" -> true;
        case "avx2" -> false;
        default -> throw new IllegalArgumentException("-D" + PROPERTY + "=" + override + ": expected avx2 or avx512");
      };
    }
    for (String line : cpuinfo.split("\n")) {
      if (line.startsWith("flags")) {
        return Set.of(line.substring(line.indexOf(':') + 1).strip().split("\\s+")).contains("avx512f");
      }
    }
    return false;
  }

  private static String read() {
    try {
      return Files.readString(Path.of("/proc/cpuinfo"));
    } catch (IOException | RuntimeException e) {
      return "";   // not Linux: the AVX2 choices, which run well everywhere they were measured
    }
  }
}
