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

  /** The flags that decide which kernels oneDNN runs, in the order they are reported. */
  private static final java.util.List<String> MATRIX_FLAGS = java.util.List.of("avx512_vnni", "avx512_bf16",
      "amx_tile", "amx_bf16", "amx_int8");
  private static final String CPUINFO = read();
  private static final boolean AVX512 = detect(System.getProperty(PROPERTY), CPUINFO);
  private static final Set<String> FLAGS = flags(CPUINFO);

  private CpuFeatures() {
  }

  /**
   * Whether the graph is tuned for AVX-512 cores.
   *
   * @return true when {@code /proc/cpuinfo} lists avx512f, or {@code -Dalexnet.cpu=avx512} says so
   */
  public static boolean avx512() {
    return AVX512;
  }

  /**
   * Whether the core has bfloat16 instructions oneDNN uses, which {@link Precision#BF16} needs.
   *
   * @return true when {@code /proc/cpuinfo} lists avx512_bf16 or AMX's amx_bf16; false where it cannot be read
   */
  public static boolean bf16() {
    return FLAGS.contains("avx512_bf16") || FLAGS.contains("amx_bf16");
  }

  /** This core's vector units in words ({@link #describe(String)}), for messages. */
  static String vector() {
    return describe(CPUINFO);
  }

  /**
   * The widest vector unit and the matrix extensions oneDNN picks kernels by, from the first {@code flags} line of
   * a {@code /proc/cpuinfo}: {@code AVX-512 (avx512_vnni, avx512_bf16)}, {@code AVX2}, or {@code unknown}.
   *
   * @param cpuinfo the text of a {@code /proc/cpuinfo}, possibly empty
   * @return the description, for messages and benchmark reports; {@code unknown} when there is no flags line
   */
  public static String describe(String cpuinfo) {
    Set<String> flags = flags(cpuinfo);
    if (flags.isEmpty()) {
      return "unknown";
    }
    String width = flags.contains("avx512f") ? "AVX-512" : flags.contains("avx2") ? "AVX2"
        : flags.contains("avx") ? "AVX" : "SSE";
    java.util.List<String> extra = MATRIX_FLAGS.stream().filter(flags::contains).toList();
    return extra.isEmpty() ? width : width + " (" + String.join(", ", extra) + ")";
  }

  static Set<String> flags(String cpuinfo) {
    for (String line : cpuinfo.split("\n")) {
      if (line.startsWith("flags")) {
        return Set.of(line.substring(line.indexOf(':') + 1).strip().split("\\s+"));
      }
    }
    return Set.of();
  }

  static boolean detect(String override, String cpuinfo) {
    if (override != null && !override.isBlank()) {
      return switch (override.strip().toLowerCase(Locale.ROOT)) {
        case "avx512", "avx-512" -> true;
        case "avx2" -> false;
        default -> throw new IllegalArgumentException("-D" + PROPERTY + "=" + override + ": expected avx2 or avx512");
      };
    }
    return flags(cpuinfo).contains("avx512f");
  }

  private static String read() {
    try {
      return Files.readString(Path.of("/proc/cpuinfo"));
    } catch (IOException | RuntimeException e) {
      return "";   // not Linux: the AVX2 choices, which run well everywhere they were measured
    }
  }
}
