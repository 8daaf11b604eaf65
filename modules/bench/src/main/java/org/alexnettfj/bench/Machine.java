package org.alexnettfj.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The machine a number was taken on, as BENCHMARKS.md names it: cores, CPU model (from {@code /proc/cpuinfo}),
 * memory, Java version.
 */
public record Machine(int cores, String cpu, long memoryGiB, String java) {

  public static Machine current() {
    return new Machine(Runtime.getRuntime().availableProcessors(), cpuModel(read("/proc/cpuinfo")),
        memoryKiB(read("/proc/meminfo")) >> 20, System.getProperty("java.version"));
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
    return String.format(Locale.ROOT, "%d cores, %s, %d GiB, Java %s", cores, cpu, memoryGiB, java);
  }

  private static String read(String file) {
    try {
      return Files.readString(Path.of(file));
    } catch (IOException | RuntimeException e) {
      return "";   // not Linux: the machine is then described less precisely, the numbers stay right
    }
  }
}
