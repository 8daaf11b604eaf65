package org.alexnettfj.cli;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.alexnettfj.command.UsageError;
import org.alexnettfj.weights.PartialWrite;
import java.util.stream.Stream;
import org.alexnettfj.data.train.Dataset;
import org.alexnettfj.data.train.LabeledImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code alexnet make-lists}: the classic {@code train.txt} and {@code val.txt} ({@code path label} per line, as
 * finetune.py reads them and {@code finetune --train} does) and {@code classes.txt} (the class of each label, one
 * per line) from a folder of class folders, or from a flat folder of files named {@code class.N.jpg}
 * ({@code --by-prefix}, Kaggle's Dogs vs. Cats {@code train/cat.0.jpg}).
 *
 * <p>Labels follow the sorted class names, as {@code finetune} numbers class folders. The split is stratified and
 * seeded: of each class's {@code n} images, {@code round(n * valSplit)} (but never all of them) go to
 * {@code val.txt}, chosen by a shuffle seeded with the seed and the label. Paths are written relative to the
 * lists' folder (where {@code finetune} resolves them) and may contain spaces: the label is the last field.
 */
@Command(name = "make-lists", mixinStandardHelpOptions = true,
    description = "Write train.txt and val.txt (path label per line) and classes.txt from a folder of class "
        + "folders, or of files named class.N.jpg (--by-prefix, e.g. Kaggle's Dogs vs. Cats train/cat.0.jpg).")
final class MakeListsCommand implements Callable<Integer> {

  private static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "gif", "bmp");

  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "DIR", description = "A folder of class folders (or, with --by-prefix, of class.N.jpg).")
  Path dir;

  @Option(names = "--val-split", paramLabel = "FRACTION", defaultValue = "0.2",
      description = "Fraction of each class for val.txt, 0 to below 1. Default: ${DEFAULT-VALUE}.")
  double valSplit;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seeds the split. Default: 0.")
  long seed;

  @Option(names = "--by-prefix",
      description = "DIR holds the images directly; each one's class is its name up to the first dot (cat.0.jpg).")
  boolean byPrefix;

  @Option(names = "--out", paramLabel = "DIR", description = "Where the lists go. Default: DIR itself.")
  Path out;

  @Option(names = "--force", description = SharedOptions.FORCE)
  boolean force;

  @Option(names = "--json",
      description = SharedOptions.JSON + " One object: the files written and the images of each class"
          + " in each.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (!(valSplit >= 0 && valSplit < 1)) {
      throw new UsageError("--val-split must be at least 0 and below 1, was " + valSplit);
    }
    if (!Files.isDirectory(dir)) {
      throw new FileNotFoundException(dir + ": no such folder");
    }
    Path target = (out != null ? out : dir).toAbsolutePath().normalize();
    List<Path> files = List.of(target.resolve("train.txt"), target.resolve("val.txt"), target.resolve("classes.txt"));
    if (!force) {
      for (Path f : files) {
        if (Files.exists(f)) {
          throw new FileAlreadyExistsException(f + " exists; add --force to replace it");
        }
      }
    }
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<String> classes = new ArrayList<>();
    List<LabeledImage> items = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    if (byPrefix) {
      readByPrefix(classes, items, ignored);
    } else {
      try (Dataset d = Dataset.fromImageFolder(dir)) {
        classes.addAll(d.classNames());
        items.addAll(d.items());
        ignored.addAll(d.ignored());
      }
    }
    if (!ignored.isEmpty()) {
      err.println("alexnet make-lists: " + ignored.size() + " files left out (" + (byPrefix
          ? "not an image named class.N.ext" : "not an image by name, or not in a class folder") + "), first: "
          + String.join(", ", ignored.subList(0, Math.min(5, ignored.size()))));
      err.flush();
    }

    boolean[] toVal = split(items, classes.size());
    List<String> train = new ArrayList<>();
    List<String> val = new ArrayList<>();
    int[][] counts = new int[classes.size()][2];
    for (int i = 0; i < items.size(); i++) {
      LabeledImage it = items.get(i);
      String line = relative(target, Path.of(it.source())) + " " + it.label();
      (toVal[i] ? val : train).add(line);
      counts[it.label()][toVal[i] ? 1 : 0]++;
    }
    Files.createDirectories(target);
    write(files.get(0), train);
    write(files.get(1), val);
    write(files.get(2), classes);
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("train", Map.of("path", files.get(0).toString(), "images", train.size()));
      m.put("val", Map.of("path", files.get(1).toString(), "images", val.size()));
      m.put("classes", Map.of("path", files.get(2).toString(), "count", classes.size()));
      List<Map<String, Object>> perClass = new ArrayList<>();
      for (int c = 0; c < classes.size(); c++) {
        perClass.add(Map.of("index", c, "class", classes.get(c), "train", counts[c][0], "val", counts[c][1]));
      }
      m.put("perClass", perClass);
      m.put("leftOut", ignored.size());
      Json.print(stdout, m);
      return 0;
    }
    stdout.printf(Locale.ROOT, "wrote %s (%d images), %s (%d images) and %s (%d classes)%n", files.get(0),
        train.size(), files.get(1), val.size(), files.get(2), classes.size());
    for (int c = 0; c < classes.size(); c++) {
      stdout.printf(Locale.ROOT, "  %d %-30s train %d, val %d%n", c, classes.get(c), counts[c][0], counts[c][1]);
    }
    stdout.flush();
    return 0;
  }

  /** Images directly in {@code dir}, classes from their names' prefixes, sorted; labels by sorted class name. */
  private void readByPrefix(List<String> classes, List<LabeledImage> items, List<String> ignored) throws IOException {
    TreeMap<String, List<Path>> byClass = new TreeMap<>();
    List<Path> all;
    try (Stream<Path> list = Files.list(dir)) {
      all = list.filter(Files::isRegularFile).sorted().toList();
    }
    for (Path p : all) {
      String name = p.getFileName().toString();
      int firstDot = name.indexOf('.');
      int lastDot = name.lastIndexOf('.');
      boolean image = lastDot > 0 && IMAGE_EXTENSIONS.contains(name.substring(lastDot + 1).toLowerCase(Locale.ROOT));
      if (name.startsWith(".")) {
        continue;
      }
      if (!image || firstDot == lastDot) {
        ignored.add(p.toString());
        continue;
      }
      byClass.computeIfAbsent(name.substring(0, firstDot), k -> new ArrayList<>()).add(p);
    }
    if (byClass.isEmpty()) {
      throw new IOException(dir + ": no images named class.N.ext (as train/cat.0.jpg)");
    }
    classes.addAll(byClass.keySet());
    int label = 0;
    for (List<Path> paths : byClass.values()) {
      for (Path p : paths) {
        items.add(new LabeledImage(p.toAbsolutePath().normalize().toString(), label));
      }
      label++;
    }
  }

  /** Which items go to validation: per class, a seeded shuffle's first {@code round(n * valSplit)}, fewer than n. */
  private boolean[] split(List<LabeledImage> items, int numClasses) {
    List<List<Integer>> byLabel = new ArrayList<>();
    for (int c = 0; c < numClasses; c++) {
      byLabel.add(new ArrayList<>());
    }
    for (int i = 0; i < items.size(); i++) {
      byLabel.get(items.get(i).label()).add(i);
    }
    boolean[] toVal = new boolean[items.size()];
    for (int c = 0; c < numClasses; c++) {
      List<Integer> indices = byLabel.get(c);
      Collections.shuffle(indices, new Random(seed * 1_000_003L + c));
      long n = Math.min(Math.round(indices.size() * valSplit), Math.max(0, indices.size() - 1));
      for (int k = 0; k < n; k++) {
        toVal[indices.get(k)] = true;
      }
    }
    return toVal;
  }

  /** {@code image} relative to the lists' folder, with forward slashes; refuses what a list line cannot hold. */
  private static String relative(Path listDir, Path image) {
    Path rel = listDir.relativize(image);
    StringBuilder sb = new StringBuilder();
    for (Path part : rel) {
      sb.append(sb.length() == 0 ? "" : "/").append(part);
    }
    String s = sb.toString();
    if (s.chars().anyMatch(ch -> ch == '\n' || ch == '\r') || !s.equals(s.strip())) {
      throw new IllegalArgumentException(image + ": a path with a line break, or starting or ending in white space, "
          + "cannot be written as a 'path label' line; rename it");
    }
    return s;
  }

  /** Writes through {@code .NAME.partial} beside {@code file}, then renames it into place. */
  private static void write(Path file, List<String> lines) throws IOException {
    PartialWrite.writeLines(file, lines);
  }
}
