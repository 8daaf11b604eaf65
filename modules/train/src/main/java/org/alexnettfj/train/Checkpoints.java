package org.alexnettfj.train;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.alexnettfj.graph.TfCheckpoint;

/**
 * A folder of per-epoch training checkpoints, {@code ckpt-1}, {@code ckpt-2}, … (each TensorFlow's V2 format:
 * {@code ckpt-2.index} and {@code ckpt-2.data-00000-of-00001}), with TensorFlow's {@code checkpoint} file naming the
 * latest and listing those kept, so {@code tf.train.latest_checkpoint(dir)} finds it.
 *
 * <p>Crash safety: a checkpoint is written under a temporary name and renamed into place index last
 * ({@link Trainer#save}); only then is the {@code checkpoint} file replaced, itself by writing a temporary file and
 * renaming it. A process killed at any moment leaves a {@code checkpoint} file that names a complete checkpoint
 * (or none at all). Checkpoints that fall out of the kept set are deleted only after that.
 *
 * <p>Kept: the last {@code keep} epochs, plus the best by validation top-1 ({@link TrainingState#bestEpoch}).
 *
 * <pre>{@code
 * Checkpoints ckpts = Checkpoints.in(Path.of("checkpoints"), 3);
 * Path written = ckpts.write(trainer, state);                  // checkpoints/ckpt-<epoch>
 * Optional<Path> resumeFrom = ckpts.latest();
 * }</pre>
 *
 * <p>Not thread-safe, and one process at a time per folder: writes are not locked.
 */
public final class Checkpoints {

  /** TensorFlow's name for the file that points at the latest checkpoint. */
  public static final String POINTER = "checkpoint";
  /** Checkpoint {@code e} is {@code ckpt-e}, e the epoch from 1. */
  public static final String NAME_PREFIX = "ckpt-";

  private static final Pattern ENTRY = Pattern.compile("^\\s*(model_checkpoint_path|all_model_checkpoint_paths)"
      + "\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*$");
  private static final Pattern EPOCH = Pattern.compile(Pattern.quote(NAME_PREFIX) + "(\\d+)");

  private final Path dir;
  private final int keep;

  private Checkpoints(Path dir, int keep) {
    if (keep < 1) {
      throw new IllegalArgumentException("keep at least 1 checkpoint, not " + keep);
    }
    this.dir = dir.toAbsolutePath().normalize();
    this.keep = keep;
  }

  /**
   * Checkpoints in {@code dir}, keeping the last {@code keep} and the best. Nothing is read or written yet.
   *
   * @param dir the folder, created when the first checkpoint is written
   * @param keep how many of the latest epochs to keep, at least 1
   * @return the folder's checkpoints
   * @throws IllegalArgumentException if {@code keep} is below 1
   */
  public static Checkpoints in(Path dir, int keep) {
    return new Checkpoints(dir, keep);
  }

  /**
   * The checkpoint folder.
   *
   * @return its absolute, normalised path
   */
  public Path directory() {
    return dir;
  }

  /**
   * How many of the latest epochs' checkpoints are kept, besides the best.
   *
   * @return at least 1
   */
  public int keep() {
    return keep;
  }

  /**
   * The prefix of an epoch's checkpoint, whether it exists or not.
   *
   * @param epoch the epoch, counted from 1
   * @return {@code <directory>/ckpt-<epoch>}, without the {@code .index} suffix
   */
  public Path prefix(int epoch) {
    return dir.resolve(NAME_PREFIX + epoch);
  }

  /**
   * The checkpoint the {@code checkpoint} file names as latest; empty when there is no such file.
   *
   * @return the latest checkpoint's prefix, e.g. {@code <directory>/ckpt-7}
   * @throws FileNotFoundException if the file names a checkpoint whose index is missing
   * @throws IOException if the {@code checkpoint} file cannot be read or is not TensorFlow's
   */
  public Optional<Path> latest() throws IOException {
    Optional<List<Path>> pointer = readPointer();
    if (pointer.isEmpty()) {
      return Optional.empty();
    }
    Path latest = pointer.get().get(0);
    if (!TfCheckpoint.exists(latest)) {
      throw new FileNotFoundException(dir.resolve(POINTER) + " names " + latest.getFileName() + " but "
          + latest.getFileName() + TfCheckpoint.INDEX + " is missing");
    }
    return Optional.of(latest);
  }

  /**
   * The checkpoints the {@code checkpoint} file lists: the last {@code keep} and the best.
   *
   * @return their prefixes, oldest first; empty without the file
   * @throws IOException if the {@code checkpoint} file cannot be read or is not TensorFlow's
   */
  public List<Path> kept() throws IOException {
    return readPointer().map(l -> l.subList(1, l.size())).orElse(List.of());
  }

  /**
   * Whether the folder holds no checkpoint of ours, e.g. before starting a run afresh.
   *
   * @return true when there is no {@code checkpoint} file and no {@code ckpt-N.index} (or no folder)
   * @throws IOException if the folder cannot be listed
   */
  public boolean isEmpty() throws IOException {
    return !Files.exists(dir.resolve(POINTER)) && ours().isEmpty();
  }

  /**
   * Deletes the {@code checkpoint} file, every {@code ckpt-N} checkpoint and leftovers of interrupted writes; other
   * files stay.
   *
   * @throws IOException if a file cannot be deleted
   */
  public void clear() throws IOException {
    Files.deleteIfExists(dir.resolve(POINTER));
    for (Path prefix : ours()) {
      delete(prefix);
    }
    removeLeftovers();
  }

  /**
   * Writes epoch {@code state.epoch()}'s checkpoint of {@code trainer}, then points the {@code checkpoint} file at
   * it, then deletes the checkpoints no longer kept.
   *
   * @param trainer the trainer whose variables, velocities and state are saved
   * @param state the run's state after the epoch; its epoch names the checkpoint
   * @return the new checkpoint's prefix
   * @throws ArithmeticException if a trained variable is not finite; nothing is written or deleted
   * @throws IllegalArgumentException if {@code state.epoch()} is below 1
   * @throws IOException if the folder, checkpoint or {@code checkpoint} file cannot be written
   */
  public Path write(Trainer trainer, TrainingState state) throws IOException {
    if (state.epoch() < 1) {
      throw new IllegalArgumentException("a checkpoint is written after an epoch, not at epoch " + state.epoch());
    }
    Files.createDirectories(dir);
    removeLeftovers();
    Path prefix = prefix(state.epoch());
    trainer.save(prefix, state);

    List<Path> all = new ArrayList<>(kept());
    all.remove(prefix);
    all.add(prefix);
    all.sort(Comparator.comparingInt(Checkpoints::epochOf));
    Set<Path> retained = new LinkedHashSet<>(all.subList(Math.max(0, all.size() - keep), all.size()));
    if (state.hasBest() && all.contains(prefix(state.bestEpoch()))) {
      retained.add(prefix(state.bestEpoch()));
    }
    List<Path> listed = all.stream().filter(retained::contains).toList();
    writePointer(prefix, listed);
    for (Path p : ours()) {
      if (!retained.contains(p) && epochOf(p) <= state.epoch()) {
        delete(p);
      }
    }
    return prefix;
  }

  /**
   * The epoch in a checkpoint's name.
   *
   * @param prefix a checkpoint prefix; only its file name is looked at
   * @return the epoch, {@code ckpt-7} → 7; -1 for any other name
   */
  public static int epochOf(Path prefix) {
    Matcher m = EPOCH.matcher(prefix.getFileName().toString());
    return m.matches() ? Integer.parseInt(m.group(1)) : -1;
  }

  /** Latest first, then the listed ones; empty without the file. */
  private Optional<List<Path>> readPointer() throws IOException {
    Path file = dir.resolve(POINTER);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    Path latest = null;
    List<Path> listed = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      Matcher m = ENTRY.matcher(line);
      if (!m.matches()) {
        continue;
      }
      Path p = dir.resolve(m.group(2).replaceAll("\\\\(.)", "$1"));
      if (m.group(1).equals("model_checkpoint_path")) {
        latest = p;
      } else {
        listed.add(p);
      }
    }
    if (latest == null) {
      throw new IOException(file + ": no model_checkpoint_path line; it is not TensorFlow's checkpoint file");
    }
    List<Path> out = new ArrayList<>();
    out.add(latest);
    out.addAll(listed);
    return Optional.of(out);
  }

  /** TensorFlow's CheckpointState in text form, paths relative to the folder, written then renamed. */
  private void writePointer(Path latest, List<Path> listed) throws IOException {
    StringBuilder text = new StringBuilder();
    text.append("model_checkpoint_path: \"").append(latest.getFileName()).append("\"\n");
    for (Path p : listed) {
      text.append("all_model_checkpoint_paths: \"").append(p.getFileName()).append("\"\n");
    }
    Path temp = Files.createTempFile(dir, "." + POINTER, ".tmp");
    try {
      Files.writeString(temp, text, StandardCharsets.UTF_8);
      try {
        // createTempFile makes it owner-only; TensorFlow's own checkpoint file is readable like the checkpoints
        Files.setPosixFilePermissions(temp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system: its defaults stand
      }
      try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(temp,
          java.nio.file.StandardOpenOption.WRITE)) {
        c.force(true);
      }
      try {
        Files.move(temp, dir.resolve(POINTER), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, dir.resolve(POINTER), StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Every {@code ckpt-N} with an index in the folder, by epoch. */
  private List<Path> ours() throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(TfCheckpoint.INDEX))
          .map(n -> dir.resolve(n.substring(0, n.length() - TfCheckpoint.INDEX.length())))
          .filter(p -> epochOf(p) >= 0)
          .sorted(Comparator.comparingInt(Checkpoints::epochOf))
          .toList();
    }
  }

  private static void delete(Path prefix) throws IOException {
    // index first: from then on no reader takes the rest for a checkpoint
    Files.deleteIfExists(prefix.resolveSibling(prefix.getFileName() + TfCheckpoint.INDEX));
    for (Path f : TfCheckpoint.files(prefix)) {
      Files.deleteIfExists(f);
    }
  }

  /** Temporary folders and files of writes a killed process never finished ({@code .ckpt-3.partial…}). */
  private void removeLeftovers() throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    List<Path> leftovers;
    try (Stream<Path> list = Files.list(dir)) {
      leftovers = list.filter(p -> {
        String n = p.getFileName().toString();
        return (n.startsWith("." + NAME_PREFIX) && n.contains(".partial"))
            || (n.startsWith("." + POINTER) && n.endsWith(".tmp"));
      }).toList();
    }
    for (Path p : leftovers) {
      try (Stream<Path> walk = Files.walk(p)) {
        for (Path q : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
          Files.deleteIfExists(q);
        }
      }
    }
  }
}
