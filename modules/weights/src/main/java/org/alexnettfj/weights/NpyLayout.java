package org.alexnettfj.weights;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where an uncompressed {@code .npy} file keeps its values: dtype, order, shape and the byte offset of the data,
 * for readers that map the data rather than load it (a feature index larger than the heap).
 *
 * @param descr numpy's dtype string, e.g. {@code <f4} or {@code <f2}
 * @param fortranOrder whether the values are stored column-major
 * @param shape the array's dimensions
 * @param dataOffset the first value's byte offset in the file
 * @param fileSize the file's size, to check that the data is all there
 */
public record NpyLayout(String descr, boolean fortranOrder, int[] shape, long dataOffset, long fileSize) {

  /**
   * The width of one value.
   *
   * @return its bytes, e.g. 4 for {@code <f4}
   */
  public int itemSize() {
    return Dtype.parseDescr(descr).itemSize();
  }

  /**
   * The size of the array.
   *
   * @return the number of values the shape holds
   */
  public long count() {
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  /**
   * Reads {@code file}'s header; errors name the file and the byte.
   *
   * @param file an uncompressed {@code .npy}
   * @return where and how its values are stored
   * @throws IOException if the file cannot be read; a {@link WeightFileException} if its header is not valid
   */
  public static NpyLayout read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      NpyHeader h = NpyHeader.read(new FileInput(ch, file.toString(), 0, size));
      Dtype d = h.dtype();
      return new NpyLayout(d.descr(), h.fortranOrder(), h.shape(), h.dataOffset(), size);
    }
  }
}
