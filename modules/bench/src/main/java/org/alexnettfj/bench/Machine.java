package org.alexnettfj.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.alexnettfj.graph.CpuFeatures;

/**
 * The machine a number was taken on, as BENCHMARKS.md names it: cores, CPU model (from {@code /proc/cpuinfo}),
 * its vector units (an AVX2 and an AVX-512 core of the same name reach different fractions of their peaks),
 * memory, Java version.
 *
 * @param vector the widest vector unit and the matrix extensions present, e.g. {@code AVX-512 (vnni, bf16)}
 */
public record Machine(int cores, String cpu, String vector, long memoryGiB, String java) {

  public Machine(int cores, String cpu, long memoryGiB, String java) {
    this(cores, cpu, "unknown", memoryGiB, java);
  }

  public static Machine current() {
    String cpuinfo = read("/proc/cpuinfo");
    return new Machine(Runtime.getRuntime().availableProcessors(), cpuModel(cpuinfo), vector(cpuinfo),
        memoryKiB(read("/proc/meminfo")) >> 20, System.getProperty("java.version"));
  }

  /** The vector units as the graph's per-core choices read them ({@link CpuFeatures#describe}). */
  static String vector(String cpuinfo) {
    return CpuFeatures.describe(cpuinfo);
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
