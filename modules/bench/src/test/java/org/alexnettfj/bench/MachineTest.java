package org.alexnettfj.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MachineTest {

  @Test
  void cpuModelIsTheFirstModelNameLine() {
    String cpuinfo = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel\t\t: 1\n"
        + "model name\t: AMD EPYC 7B13   64-Core Processor\nprocessor\t: 1\nmodel name\t: other\n";
    assertThat(Machine.cpuModel(cpuinfo)).as("not the 'model' line, spaces squeezed")
        .isEqualTo("AMD EPYC 7B13 64-Core Processor");
    assertThat(Machine.cpuModel("")).as("no /proc/cpuinfo").isEqualTo("unknown CPU");
  }

  @Test
  void memoryIsMemTotalInKib() {
    assertThat(Machine.memoryKiB("MemFree:  100 kB\nMemTotal:       24641360 kB\n")).as("MemTotal")
        .isEqualTo(24641360L);
    assertThat(Machine.memoryKiB("")).as("no /proc/meminfo").isZero();
  }

  @Test
  void describesCoresCpuMemoryAndJava() {
    assertThat(new Machine(2, "AMD EPYC", 23, "17.0.15").describe()).as("one line")
        .isEqualTo("2 cores, AMD EPYC, 23 GiB, Java 17.0.15");
  }

  @Test
  void vectorUnitsComeFromTheFlagsLine() {
    String avx512 = "model name\t: AMD EPYC\nflags\t\t: fpu sse avx avx2 fma avx512f avx512bw avx512_bf16 "
        + "avx512_vnni\nflags\t\t: avx2\n";
    assertThat(Machine.vector(avx512)).isEqualTo("AVX-512 (avx512_vnni, avx512_bf16)");
    assertThat(Machine.vector("flags\t: fpu sse avx avx2 fma\n")).isEqualTo("AVX2");
    assertThat(Machine.vector("flags\t: avx512f amx_tile amx_bf16 avx512_bf16\n"))
        .isEqualTo("AVX-512 (avx512_bf16, amx_tile, amx_bf16)");
    assertThat(Machine.vector("")).isEqualTo("unknown");
    assertThat(new Machine(2, "AMD EPYC", "AVX2", 23, "17.0.15").describe())
        .isEqualTo("2 cores, AMD EPYC, AVX2, 23 GiB, Java 17.0.15");
  }
}
