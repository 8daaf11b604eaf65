package org.alexnettfj.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ConfigProto;

/** Device names, the session configuration a placement asks for, and the check that its devices exist. */
class PlacementTest {

  private static final ConfigProto THREADS = ConfigProto.newBuilder().setIntraOpParallelismThreads(3).build();

  @Test
  void runsOnTheCpuWhenEveryDeviceNamedIsACpuOrByDefaultWhenTensorFlowSeesNoGpu() {
    assertThat(Placement.device("/CPU:0").runsOnCpu()).isTrue();
    assertThat(Placement.towers("/CPU:0", "/CPU:1").runsOnCpu()).isTrue();
    assertThat(Placement.device("/GPU:0").runsOnCpu()).isFalse();
    assertThat(Placement.towers("/CPU:0", "/GPU:0").runsOnCpu()).isFalse();
    boolean gpuSeen = Placement.availableDevices(ConfigProto.getDefaultInstance()).stream()
        .anyMatch(d -> d.startsWith("/GPU:"));
    assertThat(Placement.DEFAULT.runsOnCpu()).as("default placement; a GPU seen: %s", gpuSeen).isEqualTo(!gpuSeen);
  }

  @Test
  void readsTheUsualSpellingsOfADevice() {
    for (String name : List.of("/GPU:1", "/gpu:1", "GPU:1", "/device:GPU:1", " /GPU:1 ",
        "/job:localhost/replica:0/task:0/device:GPU:1")) {
      assertThat(Placement.device(name).devices()).as("devices of Placement.device(\"%s\")", name)
          .containsExactly("/GPU:1");
    }
    assertThat(Placement.towers("/cpu:0", "/device:CPU:1").devices()).containsExactly("/CPU:0", "/CPU:1");
  }

  @Test
  void rejectsWhatIsNotADeviceName() {
    for (String name : List.of("", "/GPU", "GPU0", "/TPU:0", "/GPU:-1", "/job:worker/device:GPU:0")) {
      assertThatThrownBy(() -> Placement.device(name)).as("Placement.device(\"%s\")", name)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + name + "' is not a device name: expected /CPU:N or /GPU:N");
    }
  }

  @Test
  void theTwoTowersNeedTwoDifferentDevices() {
    assertThatThrownBy(() -> Placement.towers("/GPU:0", "/device:GPU:0"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("two different devices, got /GPU:0 twice");
    assertThatThrownBy(() -> Placement.DEFAULT.withCpuDevices(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1");
  }

  @Test
  void aCpuSplitInTwoIsCpu0AndCpu1() {
    ConfigProto split = ConfigProto.newBuilder().putDeviceCount("CPU", 2).build();

    assertThat(Placement.availableDevices(split)).as("devices with device_count {CPU: 2}")
        .startsWith("/CPU:0", "/CPU:1").doesNotContain("/CPU:2");
    assertThat(Placement.availableDevices(ConfigProto.getDefaultInstance())).as("devices by default")
        .contains("/CPU:0").doesNotContain("/CPU:1");
  }

  @Test
  void aPlacementTurnsSoftPlacementOnSplitsTheCpuAndHidesGpusWhenItNamesOnlyCpus() {
    ConfigProto config = Placement.towers("/CPU:0", "/CPU:1").withCpuDevices(2).sessionConfig(THREADS);

    assertThat(config.getAllowSoftPlacement()).as("allow_soft_placement").isTrue();
    assertThat(config.getDeviceCountMap()).as("device_count").containsEntry("CPU", 2).containsEntry("GPU", 0);
    assertThat(config.getIntraOpParallelismThreads()).as("the base configuration's threads, kept").isEqualTo(3);
    assertThat(Placement.DEFAULT.sessionConfig(THREADS)).as("the default placement changes nothing")
        .isSameAs(THREADS);
  }

  @Test
  void aMissingDeviceIsAnErrorThatListsTheDevicesThereAreAndSaysWhatMakesOne() {
    assertThatThrownBy(() -> Placement.device("/GPU:99").sessionConfig(THREADS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("device /GPU:99 does not exist here: TensorFlow sees /CPU:0")
        .hasMessageContaining("GPU build of TensorFlow (mvn -Pgpu)");
    assertThatThrownBy(() -> Placement.towers("/CPU:0", "/CPU:2").withCpuDevices(2).sessionConfig(THREADS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("device /CPU:2 does not exist here: TensorFlow sees /CPU:0, /CPU:1")
        .hasMessageContaining("withCpuDevices");
  }

  @Test
  void shortensTensorFlowsFullDeviceNames() {
    assertThat(Placement.shortName("/job:localhost/replica:0/task:0/device:GPU:1")).isEqualTo("/GPU:1");
    assertThat(Placement.shortName("/device:CPU:0")).isEqualTo("/CPU:0");
    assertThat(Placement.shortName("")).as("an op with no device").isEmpty();
  }

  @Test
  void describesItselfAsAUserWouldWriteIt() {
    assertThat(Placement.DEFAULT).hasToString("TensorFlow's choice");
    assertThat(Placement.device("gpu:0")).hasToString("/GPU:0");
    assertThat(Placement.towers("/CPU:0", "/CPU:1").withCpuDevices(2))
        .hasToString("towers /CPU:0, /CPU:1 (CPU split into 2 devices)");
  }

  @Test
  void listingDevicesManyTimesFreesItsSessions() throws IOException {
    Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "needs Linux /proc");
    ConfigProto split = ConfigProto.newBuilder().putDeviceCount("CPU", 2).build();
    for (int i = 0; i < 20; i++) {
      Placement.availableDevices(split);
    }
    long before = rssKb();
    for (int i = 0; i < 500; i++) {
      Placement.availableDevices(split);
    }
    long after = rssKb();

    assertThat((after - before) / 1024.0).as("MB of resident memory gained over 500 listings (%d -> %d kB)",
        before, after).isLessThan(16.0);
  }

  private static long rssKb() throws IOException {
    System.gc();
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }
}
