package org.alexnettfj.graph;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Class names in output order: index {@code i} names fc8's unit {@code i}. The 1000 ImageNet names ship with the
 * library (from {@code weights/imagenet-classes.txt}); a fine-tuned model brings its own.
 */
public record Labels(List<String> names) {

  /**
   * Labels with these names, copied.
   *
   * @param names the class names, index {@code i} for fc8's unit {@code i}
   */
  public Labels {
    names = List.copyOf(names);
  }

  /**
   * The ILSVRC-2012 classes in the order of the BVLC AlexNet outputs (index 386 is the African elephant).
   *
   * @return the 1000 names, read from the module's resources
   * @throws IllegalStateException if the resource is missing from the jar
   */
  public static Labels imagenet() {
    try (InputStream in = Labels.class.getResourceAsStream("imagenet-classes.txt")) {
      if (in == null) {
        throw new IllegalStateException("imagenet-classes.txt is missing from the graph module's resources");
      }
      return read(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads class names from a text file, e.g.&nbsp;the one {@link #classesFile} names.
   *
   * @param file UTF-8, one name per line; blank lines are ignored and names stripped
   * @return the names in file order
   * @throws IOException if the file cannot be read
   */
  public static Labels fromFile(Path file) throws IOException {
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(r);
    }
  }

  /**
   * Where a model's class names go beside it, as {@code alexnet finetune --out MODEL.npz} writes them:
   * {@code MODEL.classes.txt} (the file's name up to its last dot, then {@code .classes.txt}).
   *
   * @param weights the model's weight file
   * @return the classes file's path, whether it exists or not
   */
  public static Path classesFile(Path weights) {
    String name = weights.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return weights.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".classes.txt");
  }

  /**
   * The class names beside a model, if it has them: {@link #classesFile} when that file exists.
   *
   * @param weights the model's weight file
   * @return the classes file, or null when there is none
   */
  public static Path classesFileBeside(Path weights) {
    Path file = classesFile(weights);
    return Files.isRegularFile(file) ? file : null;
  }

  /**
   * Placeholder names for a model without a list.
   *
   * @param count the number of classes
   * @return {@code class 0}, {@code class 1}, …, {@code class <count-1>}
   */
  public static Labels numbered(int count) {
    List<String> names = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      names.add("class " + i);
    }
    return new Labels(names);
  }

  private static Labels read(BufferedReader r) throws IOException {
    List<String> names = new ArrayList<>();
    String line;
    while ((line = r.readLine()) != null) {
      if (!line.isBlank()) {
        names.add(line.strip());
      }
    }
    return new Labels(names);
  }

  /**
   * The number of classes named.
   *
   * @return the number of names
   */
  public int size() {
    return names.size();
  }

  /**
   * The name of one class.
   *
   * @param index fc8's unit, 0 to {@link #size()} - 1
   * @return its name
   * @throws IndexOutOfBoundsException if {@code index} is out of range
   */
  public String name(int index) {
    return names.get(index);
  }
}
