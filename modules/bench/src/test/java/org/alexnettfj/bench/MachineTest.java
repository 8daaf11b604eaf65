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
}
