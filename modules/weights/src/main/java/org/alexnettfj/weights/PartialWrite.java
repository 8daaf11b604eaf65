package org.alexnettfj.weights;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The temporary a write goes through before it is renamed onto its target: {@code .NAME.partial} beside it (a
 * file, or a folder for writers of several files), always the same name and locked while a writer owns it.
 *
 * <p>The fixed name is what keeps a disk from filling up: a process killed mid-write (kill -9, a power cut)
 * leaves one {@code .NAME.partial}, which the next write of the same target takes over and replaces, instead of
 * a new hidden file of random digits every time. The lock (the OS drops it when the process dies) tells a
 * leftover from a write still going on: a second process writing the same target at once gets a clear error
 * rather than mixing its bytes into the first one's.
 *
 * <pre>{@code
 * try (PartialWrite w = PartialWrite.file(target)) {
 *   try (OutputStream o = w.stream()) { ... }
 *   w.commit();      // renamed onto target; without it, close() deletes the temporary
 * }
 * }</pre>
 */
public final class PartialWrite implements AutoCloseable {

  private final Path target;
  private final Path path;
  private final boolean folder;
  private final FileChannel channel;
  private final FileLock lock;
  private boolean committed;

  private PartialWrite(Path target, Path path, boolean folder, FileChannel channel, FileLock lock) {
    this.target = target;
    this.path = path;
    this.folder = folder;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Claims {@code .NAME.partial}, a file, for a write of {@code target}.
   *
   * @param target the file the write will replace; its folder is created if need be
   * @return the locked, emptied temporary
   * @throws IOException if another write of the same target holds the lock, or the file cannot be created
   */
  public static PartialWrite file(Path target) throws IOException {
    return file(target, ".partial");
  }

  /**
   * Writes a text file of {@code lines} (UTF-8, each ended by a newline) as every write here goes: through
   * {@code .NAME.partial}, renamed into place, so a reader never sees half a list.
   *
   * @param target the file to write or replace
   * @param lines its lines, in order
   * @throws IOException if it cannot be written (the target is then untouched)
   */
  public static void writeLines(Path target, List<String> lines) throws IOException {
    try (PartialWrite tmp = file(target);
        java.io.Writer w = new java.io.OutputStreamWriter(tmp.stream(), java.nio.charset.StandardCharsets.UTF_8)) {
      for (String line : lines) {
        w.write(line);
        w.write('\n');
      }
      w.flush();
      tmp.commit();
    }
  }

  /**
   * Claims {@code .NAME<suffix>}, a file (e.g. a writer's scratch rows), for a write of {@code target}.
   *
   * @param target the file the write is for; its folder is created if need be
   * @param suffix what follows the target's name, e.g. {@code .rows}
   * @return the locked, emptied temporary
   * @throws IOException if another write of the same target holds the lock, or the file cannot be created
   */
  public static PartialWrite file(Path target, String suffix) throws IOException {
    Path abs = target.toAbsolutePath();
    Files.createDirectories(abs.getParent());
    Path path = abs.resolveSibling("." + abs.getFileName() + suffix);
    if (Files.isDirectory(path)) {
      deleteTree(path);   // left by another kind of writer of the same name
    }
    FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    FileLock lock = lockOrFail(ch, abs, path);
    ch.truncate(0);
    return new PartialWrite(abs, path, false, ch, lock);
  }

  /**
   * Claims {@code .NAME.partial/}, a folder, for a writer of several files (a checkpoint, a SavedModel, an index);
   * the lock is a file {@code .lock} inside it. What a killed writer left in it is deleted.
   *
   * @param target the folder the write will replace; its parent is created if need be
   * @return the locked, emptied temporary folder
   * @throws IOException if another write of the same target holds the lock, or the folder cannot be created
   */
  public static PartialWrite folder(Path target) throws IOException {
    Path abs = target.toAbsolutePath();
    Files.createDirectories(abs.getParent());
    Path path = abs.resolveSibling("." + abs.getFileName() + ".partial");
    if (Files.exists(path) && !Files.isDirectory(path)) {
      Files.delete(path);
    }
    Files.createDirectories(path);
    Path lockFile = path.resolve(".lock");
    FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock = lockOrFail(ch, abs, path);
    try (Stream<Path> left = Files.list(path)) {
      for (Path p : left.toList()) {
        if (!p.equals(lockFile)) {
          deleteTree(p);
        }
      }
    }
    return new PartialWrite(abs, path, true, ch, lock);
  }

  private static FileLock lockOrFail(FileChannel ch, Path target, Path path) throws IOException {
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;   // this JVM writes it already
    }
    if (lock == null) {
      ch.close();
      throw new IOException("another write of " + target + " is in progress (" + path.getFileName()
          + " is locked by a running process); wait for it, or write elsewhere");
    }
    return lock;
  }

  /**
   * Where to write.
   *
   * @return the temporary file or folder
   */
  public Path path() {
    return path;
  }

  /**
   * The file's contents from the start, through the locked channel (closing it keeps the temporary).
   *
   * @return a stream that writes from byte 0; closing it flushes and keeps the lock
   * @throws IOException if the channel cannot be positioned
   * @throws IllegalStateException for a folder
   */
  public OutputStream stream() throws IOException {
    if (folder) {
      throw new IllegalStateException(path + " is a folder");
    }
    channel.position(0);
    return new java.io.FilterOutputStream(Channels.newOutputStream(channel)) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        flush();   // the channel stays open: closing it would drop the lock before the rename
      }
    };
  }

  /**
   * Flushes the file to the disk (before a rename that must not point at unwritten data).
   *
   * @throws IOException if the disk write fails
   */
  public void sync() throws IOException {
    channel.force(true);
  }

  /**
   * Renames the temporary file onto the target, replacing what is there; atomic where the file system allows.
   *
   * @throws IOException if the rename fails (the target is then left as it was)
   * @throws IllegalStateException for a folder
   */
  public void commit() throws IOException {
    if (folder) {
      throw new IllegalStateException("a folder's files are moved by its writer; call done()");
    }
    try {
      Files.move(path, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(path, target, StandardCopyOption.REPLACE_EXISTING);
    }
    committed = true;
  }

  /**
   * For a folder: renames it onto the target (a folder there is moved aside first and deleted after, so an
   * interruption leaves the old or the new one), without its lock file.
   *
   * @throws IOException if a rename fails
   * @throws IllegalStateException for a file
   */
  public void commitFolder() throws IOException {
    commitFolder(path);
    Files.deleteIfExists(target.resolve(".lock"));
  }

  /**
   * For a folder: renames {@code content}, the folder itself or a folder inside it (for a writer that must create
   * its output folder itself, as Spark does), onto the target, as {@link #commitFolder()}.
   *
   * @param content the folder to move onto the target
   * @throws IOException if a rename fails
   * @throws IllegalStateException for a file
   */
  public void commitFolder(Path content) throws IOException {
    if (!folder) {
      throw new IllegalStateException(path + " is a file; call commit()");
    }
    Path old = target.resolveSibling("." + target.getFileName() + ".old");
    deleteTree(old);
    if (Files.exists(target)) {
      Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(content, target, StandardCopyOption.ATOMIC_MOVE);
    deleteTree(old);
    committed = true;
  }

  /**
   * For a folder: its files were put in place by the writer (or it was renamed onto the target); close() removes
   * what is left of it.
   */
  public void done() {
    committed = true;
  }

  /** Releases the lock and deletes the temporary unless it was renamed onto the target. */
  @Override
  public void close() throws IOException {
    try {
      if (lock.isValid()) {
        lock.release();
      }
    } finally {
      channel.close();
      if (folder) {
        deleteTree(path);
      } else if (!committed) {
        Files.deleteIfExists(path);
      }
    }
  }

  /**
   * Deletes a file or a folder with everything in it; nothing if it is not there.
   *
   * @param root the file or folder to delete
   * @throws IOException if something in it cannot be deleted
   */
  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    List<Path> all;
    try (Stream<Path> walk = Files.walk(root)) {
      all = walk.sorted(Comparator.reverseOrder()).toList();
    }
    for (Path p : all) {
      Files.deleteIfExists(p);
    }
  }
}
