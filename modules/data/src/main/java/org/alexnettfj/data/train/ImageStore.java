package org.alexnettfj.data.train;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.alexnettfj.data.BgrImage;
import org.alexnettfj.data.ImageDecodeException;
import org.alexnettfj.data.ImageDecoder;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/** Where a dataset's image bytes live. Implementations are safe to read from several threads at once. */
interface ImageStore extends Closeable {

  /** The bytes of the item with this {@link LabeledImage#source()}. */
  byte[] read(String source) throws IOException;

  /** Decodes the item; every failure, missing entries included, is an {@link ImageDecodeException}. */
  default BgrImage decode(String source, ImageDecoder decoder) throws ImageDecodeException {
    byte[] bytes;
    try {
      bytes = read(source);
    } catch (IOException e) {
      throw new ImageDecodeException(source, "cannot read: " + e, e);
    }
    return decoder.decode(bytes, source);
  }

  @Override
  default void close() throws IOException {
  }

  /** Plain files; sources are paths. Decoded through {@link ImageDecoder#decode(Path)} so errors carry the Path. */
  final class FileSystem implements ImageStore {
    static final FileSystem INSTANCE = new FileSystem();

    @Override
    public byte[] read(String source) throws IOException {
      return Files.readAllBytes(Path.of(source));
    }

    @Override
    public BgrImage decode(String source, ImageDecoder decoder) throws ImageDecodeException {
      return decoder.decode(Path.of(source));
    }
  }

  /** A zip read in place through its central directory: random access to any entry, nothing extracted. */
  final class Zip implements ImageStore {
    private final ZipFile zip;
    private final Map<String, ZipArchiveEntry> entries;

    Zip(ZipFile zip, Map<String, ZipArchiveEntry> entries) {
      this.zip = zip;
      this.entries = entries;
    }

    @Override
    public byte[] read(String source) throws IOException {
      ZipArchiveEntry entry = entries.get(source);
      if (entry == null) {
        throw new NoSuchFileException(source, null, "no such entry in the archive");
      }
      // Commons Compress does not promise concurrent reads of one ZipFile; inflating one image is cheap next to
      // decoding it, so the lock costs little.
      synchronized (zip) {
        try (InputStream in = zip.getInputStream(entry)) {
          return in.readAllBytes();
        }
      }
    }

    @Override
    public void close() throws IOException {
      zip.close();
    }
  }

  /**
   * An uncompressed tar read in place: the data offset and size of each entry were indexed once when the dataset
   * was opened, and each read is one positional read of the file (thread-safe, no seeking of shared state).
   */
  final class Tar implements ImageStore {
    private final FileChannel channel;
    private final Map<String, long[]> offsetAndSize;

    Tar(Path tar, Map<String, long[]> offsetAndSize) throws IOException {
      this.channel = FileChannel.open(tar, StandardOpenOption.READ);
      this.offsetAndSize = offsetAndSize;
    }

    @Override
    public byte[] read(String source) throws IOException {
      long[] at = offsetAndSize.get(source);
      if (at == null) {
        throw new NoSuchFileException(source, null, "no such entry in the archive");
      }
      ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(at[1]));
      long position = at[0];
      while (buffer.hasRemaining()) {
        int n = channel.read(buffer, position);
        if (n < 0) {
          throw new IOException(source + ": archive ends inside this entry (truncated tar)");
        }
        position += n;
      }
      return buffer.array();
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }

  /** Entry bytes held in memory: a compressed tar, which cannot be read at an offset, is read through once. */
  final class Memory implements ImageStore {
    private final Map<String, byte[]> bytes;

    Memory(Map<String, byte[]> bytes) {
      this.bytes = bytes;
    }

    @Override
    public byte[] read(String source) throws IOException {
      byte[] b = bytes.get(source);
      if (b == null) {
        throw new NoSuchFileException(source, null, "no such entry in the archive");
      }
      return b;
    }
  }
}
