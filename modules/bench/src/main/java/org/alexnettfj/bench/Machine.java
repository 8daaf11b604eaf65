package org.alexnettfj.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The machine a number was taken on, as BENCHMARKS.md names it: cores, CPU model (from {@code /proc/cpuinfo}),
 * its vector units (an AVX2 and an AVX-512 core of the same name reach different fractions of their peaks),
 * memory, Java version.
 *
 * @param vector the widest vector unit and the matrix extensions present, e.g. {@code AVX-512 (vnni, bf16)}
 */
public record Machine(int cores, String cpu, String vector, long memoryGiB, String java) {

  /** The flags that decide which kernels oneDNN runs, in the order they are reported. */
  private static final List<String> MATRIX_FLAGS = List.of("avx512_vnni", "avx512_bf16",
      "amx_tile", "amx_bf16", "amx_int8");

  public Machine(int cores, String cpu, long memoryGiB, String java) {
    this(cores, cpu, "unknown", memoryGiB, java);
  }

  public static Machine current() {
    String cpuinfo = read("/proc/cpuinfo");
    return new Machine(Runtime.getRuntime().availableProcessors(), cpuModel(cpuinfo), vector(cpuinfo),
        memoryKiB(read("/proc/meminfo")) >> 20, System.getProperty("java.version"));
  }

  /** From the first {@code flags} line: {@code AVX-512 (avx512_vnni, avx512_bf16)}, {@code AVX2}, or unknown. */
  static String vector(String cpuinfo) {
    for (String line : cpuinfo.split("\n")) {
      if (line.startsWith("flags")) {
        Set<String> flags = Set.of(line.substring(line.indexOf(':') + 1).strip().split("\\s+"));
        String width = flags.contains("avx512f") ? "AVX-512" : flags.contains("avx2") ? "AVX2"
            : flags.contains("avx") ? "AVX" : "SSE";
        List<String> extra = MATRIX_FLAGS.stream().filter(flags::contains).toList();
        return extra.isEmpty() ? width : width + " (" + String.join(", ", extra) + ")";
      }
    }
    return "unknown";
  }

  /** The first {@code model name} line's value, or {@code unknown CPU}. */
  static String cpuModel(String cpuinfo) {
    for (String line : cpuinfo.split("\n")) {
      if (line.startsWith("model name")) {
        int colon = line.indexOf(':');
        if (colon >= 0) {
          return line.substring(colon + 1).strip().replaceAll("\\s+", " ");
        }
      }
    }
    return "unknown CPU";
  }

  /** {@code MemTotal} in KiB, or 0. */
  static long memoryKiB(String meminfo) {
    for (String line : meminfo.split("\n")) {
      if (line.startsWith("MemTotal:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return 0;
  }

  public String describe() {
    return String.format(Locale.ROOT, "%d cores, %s%s, %d GiB, Java %s", cores, cpu,
        vector.equals("unknown") ? "" : ", " + vector, memoryGiB, java);
  }

  private static String read(String file) {
    try {
      return Files.readString(Path.of(file));
    } catch (IOException | RuntimeException e) {
      return "";   // not Linux: the machine is then described less precisely, the numbers stay right
    }
  }
}
