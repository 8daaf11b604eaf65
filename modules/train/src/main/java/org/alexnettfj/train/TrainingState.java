package org.alexnettfj.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.alexnettfj.graph.TfCheckpoint;
import org.alexnettfj.weights.WeightFileException;

/**
 * Where a fine-tuning run stands after a whole epoch: what a checkpoint holds besides the variables, so that a
 * resumed run goes on exactly as an uninterrupted one would.
 *
 * <p>Each field is a scalar tensor of the checkpoint, so TensorFlow's tools read it too
 * ({@code tf.train.load_checkpoint(p).get_tensor("global_step")}):
 * <table>
 *   <caption>state tensors</caption>
 *   <tr><td>{@code global_step}</td><td>int64</td><td>SGD steps taken (TensorFlow's usual name)</td></tr>
 *   <tr><td>{@code train/state/epoch}</td><td>int64</td><td>epochs completed</td></tr>
 *   <tr><td>{@code train/state/learning_rate}</td><td>float32</td><td>the rate of the next step</td></tr>
 *   <tr><td>{@code train/state/best_val_top1}</td><td>float64</td><td>best validation top-1 so far, -1 before
 *       any</td></tr>
 *   <tr><td>{@code train/state/best_epoch}</td><td>int64</td><td>the epoch (from 1) that reached it, 0 before
 *       any</td></tr>
 *   <tr><td>{@code train/state/plateau_epochs}</td><td>int64</td><td>epochs since validation top-1 last improved
 *       (or since the last drop of the learning rate)</td></tr>
 *   <tr><td>{@code train/state/seed}</td><td>int64</td><td>the run's seed</td></tr>
 *   <tr><td>{@code train/state/config}</td><td>string</td><td>the settings a resumed run must share,
 *       {@code key=value} lines</td></tr>
 * </table>
 *
 * <pre>{@code
 * TrainingState s = TrainingState.read(Path.of("checkpoints/ckpt-3"));   // s.epoch() == 3
 * }</pre>
 *
 * @param epoch epochs completed
 * @param globalStep SGD steps taken
 * @param learningRate the rate of the next step
 * @param bestValTop1 best validation top-1 so far, in {@code [0, 1]}; -1 before any
 * @param bestEpoch the epoch (from 1) that reached it; 0 before any
 * @param plateauEpochs epochs since validation top-1 last improved or the learning rate last dropped
 * @param seed the run's seed
 * @param config the settings a resumed run must share; copied and sorted
 */
public record TrainingState(int epoch, long globalStep, float learningRate, double bestValTop1, int bestEpoch,
    int plateauEpochs, long seed, SortedMap<String, String> config) {

  /** Checkpoint key of {@link #globalStep}, int64. */
  public static final String GLOBAL_STEP = "global_step";
  /** Checkpoint key of {@link #epoch}, int64. */
  public static final String EPOCH = "train/state/epoch";
  /** Checkpoint key of {@link #learningRate}, float32. */
  public static final String LEARNING_RATE = "train/state/learning_rate";
  /** Checkpoint key of {@link #bestValTop1}, float64. */
  public static final String BEST_VAL_TOP1 = "train/state/best_val_top1";
  /** Checkpoint key of {@link #bestEpoch}, int64. */
  public static final String BEST_EPOCH = "train/state/best_epoch";
  /** Checkpoint key of {@link #plateauEpochs}, int64. */
  public static final String PLATEAU_EPOCHS = "train/state/plateau_epochs";
  /** Checkpoint key of {@link #seed}, int64. */
  public static final String SEED = "train/state/seed";
  /** Checkpoint key of {@link #config}, a string of {@code key=value} lines. */
  public static final String CONFIG = "train/state/config";
  /** Every state tensor, in the order above. */
  public static final List<String> TENSORS = List.of(GLOBAL_STEP, EPOCH, LEARNING_RATE, BEST_VAL_TOP1, BEST_EPOCH,
      PLATEAU_EPOCHS, SEED, CONFIG);

  /**
   * Copies and checks the config.
   *
   * @param epoch epochs completed
   * @param globalStep SGD steps taken
   * @param learningRate the rate of the next step
   * @param bestValTop1 best validation top-1 so far; -1 before any
   * @param bestEpoch the epoch that reached it; 0 before any
   * @param plateauEpochs epochs without improvement
   * @param seed the run's seed
   * @param config the settings; copied
   * @throws IllegalArgumentException if a config entry cannot be a {@code key=value} line (empty key, {@code =}
   *     in the key, a newline anywhere)
   */
  public TrainingState {
    config = new TreeMap<>(config);
    for (Map.Entry<String, String> e : config.entrySet()) {
      if (e.getKey().isEmpty() || e.getKey().contains("=") || e.getKey().contains("\n")
          || e.getValue().contains("\n")) {
        throw new IllegalArgumentException("config entry '" + e.getKey() + "' = '" + e.getValue()
            + "' cannot be a key=value line");
      }
    }
  }

  /**
   * Before the first epoch: nothing learnt, no best yet.
   *
   * @param learningRate the rate of the first step
   * @param seed the run's seed
   * @param config the settings a resumed run must share
   * @return epoch 0, step 0, no best, no plateau
   */
  public static TrainingState start(float learningRate, long seed, Map<String, String> config) {
    return new TrainingState(0, 0, learningRate, -1, 0, 0, seed, new TreeMap<>(config));
  }

  /**
   * The settings a resumed run must share.
   *
   * @return a new sorted copy
   */
  @Override
  public SortedMap<String, String> config() {
    return new TreeMap<>(config);
  }

  /**
   * Whether some epoch has set {@link #bestValTop1}.
   *
   * @return true once a validation has run
   */
  public boolean hasBest() {
    return bestEpoch > 0;
  }

  /**
   * The {@code train/state/config} tensor's text.
   *
   * @return sorted {@code key=value} lines, each ending in a newline
   */
  public String configText() {
    StringBuilder text = new StringBuilder();
    config.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    return text.toString();
  }

  static SortedMap<String, String> parseConfig(String text) {
    SortedMap<String, String> out = new TreeMap<>();
    for (String line : text.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        out.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return out;
  }

  /**
   * Where this state's settings and {@code now} differ, one entry per key ({@code "batch size 8 (now 16)"}); empty
   * when a run with {@code now} may continue from this state. A key on one side only counts as a difference.
   *
   * @param now the settings of the run about to resume
   * @return the differences, in key order
   */
  public List<String> differences(Map<String, String> now) {
    List<String> out = new ArrayList<>();
    TreeMap<String, String> keys = new TreeMap<>(config);
    now.forEach(keys::putIfAbsent);
    for (String key : keys.keySet()) {
      String then = config.get(key);
      String current = now.get(key);
      if (then == null || !then.equals(current)) {
        out.add(key + " " + (then == null ? "unset" : then) + " (now " + (current == null ? "unset" : current)
            + ")");
      }
    }
    return out;
  }

  /**
   * The state stored in checkpoint {@code path} (a prefix such as {@code checkpoints/ckpt-3}).
   *
   * @param path the checkpoint's prefix
   * @return the state; only the state tensors are read, not the network
   * @throws WeightFileException if it lacks the state tensors (not written by a fine-tuning run) or is unreadable
   */
  public static TrainingState read(Path path) throws IOException {
    Map<String, Object> values;
    try {
      values = TfCheckpoint.readScalars(path, TENSORS);
    } catch (WeightFileException e) {
      throw new WeightFileException(path.toString(), null, -1, "not a fine-tuning checkpoint (no training state: "
          + e.getMessage() + ")");
    }
    return fromValues(values);
  }

  /** From the state tensors' values by name, as {@link TfCheckpoint#readScalars} gives them. */
  static TrainingState fromValues(Map<String, Object> values) {
    return new TrainingState(Math.toIntExact((Long) values.get(EPOCH)), (Long) values.get(GLOBAL_STEP),
        (Float) values.get(LEARNING_RATE), (Double) values.get(BEST_VAL_TOP1),
        Math.toIntExact((Long) values.get(BEST_EPOCH)), Math.toIntExact((Long) values.get(PLATEAU_EPOCHS)),
        (Long) values.get(SEED), parseConfig((String) values.get(CONFIG)));
  }

  /** The state tensors' values by name, the types of {@link #fromValues}. */
  Map<String, Object> values() {
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    out.put(GLOBAL_STEP, globalStep);
    out.put(EPOCH, (long) epoch);
    out.put(LEARNING_RATE, learningRate);
    out.put(BEST_VAL_TOP1, bestValTop1);
    out.put(BEST_EPOCH, (long) bestEpoch);
    out.put(PLATEAU_EPOCHS, (long) plateauEpochs);
    out.put(SEED, seed);
    out.put(CONFIG, configText());
    return out;
  }
}
