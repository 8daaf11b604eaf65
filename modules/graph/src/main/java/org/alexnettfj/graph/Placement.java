package org.alexnettfj.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.tensorflow.DeviceSpec;
import org.tensorflow.internal.c_api.TF_DeviceList;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.internal.c_api.global.tensorflow;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;

/**
 * Where AlexNet's ops run: wherever TensorFlow puts them ({@link #DEFAULT}), on one device ({@link #device}), or
 * split over two devices as in the paper ({@link #towers}).
 *
 * <p>Devices are named as in TensorFlow, {@code /CPU:0}, {@code /GPU:1} (also {@code /device:GPU:1} or the full
 * {@code /job:localhost/replica:0/task:0/device:GPU:1}). A placement other than the default turns TensorFlow's
 * soft placement on, so an op without a kernel for the device (rare) runs on the CPU instead of failing, and
 * {@link #sessionConfig} checks first that every named device exists: soft placement would otherwise move the whole
 * graph to the CPU without a word when a GPU is missing.
 *
 * <p>{@link #withCpuDevices} splits the CPU into several TensorFlow devices ({@code /CPU:0} … {@code /CPU:n-1},
 * sharing the same cores and threads): a way to try the two-tower layout, and check it, on a machine without GPUs.
 *
 * <pre>{@code
 * AlexNetModel.builder().setWeightsFile(w).optPlacement(Placement.device("/GPU:0")).build();
 * AlexNetModel.builder().setWeightsFile(w).optPlacement(Placement.towers("/GPU:0", "/GPU:1")).build();
 * }</pre>
 */
public final class Placement {

  /** No device named: TensorFlow places every op (a GPU if there is one, else the CPU). */
  public static final Placement DEFAULT = new Placement(List.of(), 1);

  /** Where the full variables of the layers split over two towers live: host memory, read only to set and read. */
  static final DeviceSpec HOST = spec("CPU", 0);

  private static final Pattern NAME = Pattern.compile(
      "(?:/job:localhost(?:/replica:0)?(?:/task:0)?)?(?:/device:|/)?(CPU|GPU):(\\d+)", Pattern.CASE_INSENSITIVE);

  private final List<String> devices;
  private final int cpuDevices;

  private Placement(List<String> devices, int cpuDevices) {
    this.devices = List.copyOf(devices);
    this.cpuDevices = cpuDevices;
  }

  /**
   * Every op of the graph on one device. Whether the device exists is checked by {@link #sessionConfig}.
   *
   * @param device a TensorFlow device name, e.g. {@code /GPU:0} or {@code /device:CPU:0}
   * @return the placement, its device in short form
   * @throws IllegalArgumentException if it is not a device name
   */
  public static Placement device(String device) {
    return new Placement(List.of(canonical(device)), 1);
  }

  /**
   * The paper's two towers: the two groups of conv2, conv4 and conv5, half of conv3's kernels and half of fc6's and
   * fc7's neurons on each device; conv1, norm1, pool1, norm2, pool2, fc8 and softmax on {@code tower0}. See
   * {@link AlexNetGraph} for the reasons. Such a graph is for inference only.
   *
   * @param tower0 the first tower's device, e.g. {@code /GPU:0}; also runs the layers that are not split
   * @param tower1 the second tower's device, e.g. {@code /GPU:1}
   * @return the placement
   * @throws IllegalArgumentException if either is not a device name, or both are the same
   */
  public static Placement towers(String tower0, String tower1) {
    String d0 = canonical(tower0);
    String d1 = canonical(tower1);
    if (d0.equals(d1)) {
      throw new IllegalArgumentException("the two towers need two different devices, got " + d0 + " twice");
    }
    return new Placement(List.of(d0, d1), 1);
  }

  /**
   * The same placement with the CPU split into {@code count} TensorFlow devices, {@code /CPU:0} …
   * {@code /CPU:<count-1>}, which share the machine's cores (TensorFlow's {@code device_count {"CPU": count}}).
   *
   * @param count at least 1; 1 leaves the CPU whole
   * @return a new placement; this one is unchanged
   * @throws IllegalArgumentException if {@code count} is below 1
   */
  public Placement withCpuDevices(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("the number of CPU devices must be at least 1, was " + count);
    }
    return new Placement(devices, count);
  }

  /**
   * The devices named.
   *
   * @return an unmodifiable list, short form ({@code /GPU:0}): none for the default, one, or the two towers in
   *     order
   */
  public List<String> devices() {
    return devices;
  }

  /**
   * Whether this is the paper's two-tower split ({@link #towers}).
   *
   * @return true for two devices
   */
  public boolean isTowers() {
    return devices.size() == 2;
  }

  /**
   * Whether no device is named, so TensorFlow places every op.
   *
   * @return true for {@link #DEFAULT} and its {@link #withCpuDevices} variants
   */
  public boolean isDefault() {
    return devices.isEmpty();
  }

  /**
   * How many TensorFlow devices the CPU is split into ({@link #withCpuDevices}).
   *
   * @return 1 unless split
   */
  public int cpuDevices() {
    return cpuDevices;
  }

  /**
   * Whether the graph runs on the CPU: every device named is a CPU, or, by default, TensorFlow sees no GPU (it
   * would put the graph on its first one). For the default, the first call costs a throwaway session.
   *
   * @return true when AlexNet's ops run on the CPU
   */
  public boolean runsOnCpu() {
    if (!isDefault()) {
      return devices.stream().allMatch(d -> d.startsWith("/CPU:"));
    }
    return !DefaultDevices.SEES_GPU;
  }

  /**
   * Whether a default session sees a GPU, asked once per process: TensorFlow reads {@code CUDA_VISIBLE_DEVICES}
   * and finds its GPUs when it first starts, so the answer cannot change, and asking costs a throwaway session.
   */
  private static final class DefaultDevices {
    static final boolean SEES_GPU = availableDevices(ConfigProto.getDefaultInstance()).stream()
        .anyMatch(d -> d.startsWith("/GPU:"));
  }

  /**
   * Ops that ask for this placement's (first) device.
   *
   * @param tf the graph's {@code Ops}
   * @return {@code tf} with the device set, so every op it builds asks for it; {@code tf} itself by default
   */
  public Ops scope(Ops tf) {
    return isDefault() ? tf : tf.withDevice(spec(0));
  }

  /** Device {@code i} of {@link #devices()} as TensorFlow Java's {@link DeviceSpec}. */
  DeviceSpec spec(int i) {
    Matcher m = NAME.matcher(devices.get(i));
    if (!m.matches()) {
      throw new IllegalStateException("not canonical: " + devices.get(i));
    }
    return spec(m.group(1), Integer.parseInt(m.group(2)));
  }

  /**
   * The session configuration for this placement on top of {@code base} (threads and so on): soft placement on,
   * the CPU split as {@link #withCpuDevices} says, and the GPUs hidden when every device named is a CPU — ops that
   * TensorFlow adds without a device (the gradients a trainer asks for) then stay on the CPU as well. Checks that
   * every named device exists in a session with this configuration (a throwaway session).
   *
   * @param base the rest of the configuration, e.g. thread counts; not changed
   * @return the configuration for the session that runs the graph; {@code base} itself for the plain default
   * @throws IllegalArgumentException naming the missing device and listing the devices there are
   */
  public ConfigProto sessionConfig(ConfigProto base) {
    if (isDefault() && cpuDevices == 1) {
      return base;
    }
    ConfigProto.Builder b = base.toBuilder();
    if (!isDefault()) {
      b.setAllowSoftPlacement(true);
    }
    if (cpuDevices > 1) {
      b.putDeviceCount("CPU", cpuDevices);
    }
    if (!isDefault() && devices.stream().allMatch(d -> d.startsWith("/CPU:"))) {
      b.putDeviceCount("GPU", 0);
    }
    ConfigProto config = b.build();
    if (!isDefault()) {
      List<String> available = availableDevices(config);
      for (String d : devices) {
        if (!available.contains(d)) {
          throw new IllegalArgumentException("device " + d + " does not exist here: TensorFlow sees "
              + String.join(", ", available) + hint(d));
        }
      }
    }
    return config;
  }

  /**
   * The devices a TensorFlow session with {@code config} has, short form ({@code /CPU:0}, {@code /GPU:0}, …),
   * from a throwaway session: TF Java 1.1's {@code Session} does not expose the C API's
   * {@code TF_SessionListDevices}, so this calls it through TF Java's own C bindings.
   *
   * @param config the session configuration, e.g. from {@link #sessionConfig}
   * @return the devices in TensorFlow's order, e.g. {@code [/CPU:0, /GPU:0]}
   */
  public static List<String> availableDevices(ConfigProto config) {
    List<String> names = new ArrayList<>();
    try (PointerScope scope = new PointerScope()) {
      TF_Status status = TF_Status.newStatus();
      TF_SessionOptions options = TF_SessionOptions.newSessionOptions();
      byte[] bytes = IntraOpPool.forProbe(config).toByteArray();
      BytePointer configBytes = new BytePointer(bytes);
      tensorflow.TF_SetConfig(options, configBytes, bytes.length, status);
      status.throwExceptionIfNotOK();
      TF_Graph graph = TF_Graph.newGraph();
      TF_Session session = TF_Session.newSession(graph, options, status);
      status.throwExceptionIfNotOK();
      TF_DeviceList list = tensorflow.TF_SessionListDevices(session, status);
      status.throwExceptionIfNotOK();
      try {
        for (int i = 0; i < tensorflow.TF_DeviceListCount(list); i++) {
          String full = tensorflow.TF_DeviceListName(list, i, status).getString();
          status.throwExceptionIfNotOK();
          names.add(shortName(full));
        }
      } finally {
        tensorflow.TF_DeleteDeviceList(list);
      }
    }
    return names;
  }

  /** {@code /job:localhost/replica:0/task:0/device:GPU:1} → {@code /GPU:1}; other forms unchanged. */
  static String shortName(String device) {
    int at = device.lastIndexOf("/device:");
    return at < 0 ? device : "/" + device.substring(at + "/device:".length());
  }

  private static String hint(String missing) {
    if (missing.startsWith("/GPU:")) {
      return ". GPUs need the GPU build of TensorFlow (mvn -Pgpu), a CUDA driver and a visible GPU";
    }
    return ". /CPU:1 and up exist only when the CPU is split into several devices (withCpuDevices, "
        + "--cpu-devices)";
  }

  private static String canonical(String device) {
    Objects.requireNonNull(device, "device");
    Matcher m = NAME.matcher(device.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + device + "' is not a device name: expected /CPU:N or /GPU:N, "
          + "e.g. /GPU:0");
    }
    return "/" + m.group(1).toUpperCase(Locale.ROOT) + ":" + Integer.parseInt(m.group(2));
  }

  private static DeviceSpec spec(String type, int index) {
    return DeviceSpec.newBuilder().deviceType(DeviceSpec.DeviceType.valueOf(type.toUpperCase(Locale.ROOT)))
        .deviceIndex(index).build();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Placement p && p.devices.equals(devices) && p.cpuDevices == cpuDevices;
  }

  @Override
  public int hashCode() {
    return Objects.hash(devices, cpuDevices);
  }

  /** {@code TensorFlow's choice}, {@code /GPU:0}, or {@code towers /GPU:0, /GPU:1}, plus any CPU split. */
  @Override
  public String toString() {
    String where = isDefault() ? "TensorFlow's choice"
        : isTowers() ? "towers " + String.join(", ", devices) : devices.get(0);
    return cpuDevices > 1 ? where + " (CPU split into " + cpuDevices + " devices)" : where;
  }
}
