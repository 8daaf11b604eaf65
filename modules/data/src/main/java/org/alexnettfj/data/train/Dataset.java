package org.alexnettfj.data.train;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.alexnettfj.data.BgrImage;
import org.alexnettfj.data.ImageDecodeException;
import org.alexnettfj.data.ImageDecoder;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarFile;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Labelled training images with their class names, from a list file, a folder of class folders, or a zip / tar /
 * tar.gz archive of either, read in place.
 *
 * <ul>
 *   <li><b>List file</b> ({@link #fromListFile}), as the classic {@code train.txt}: one {@code path label} per line;
 *       the label is the last whitespace-separated token, so paths may contain spaces; relative paths are resolved
 *       against the list file's folder; blank lines are skipped. Class names are {@code "0" .. "maxLabel"}.
 *   <li><b>Image folder</b> ({@link #fromImageFolder}), DJL's {@code ImageFolder} convention: one sub-folder per
 *       class, labels {@code 0..n-1} in the sorted order of the folder names, which become the class names; images
 *       anywhere below a class folder. Hidden files and folders (name starting with {@code .}, and
 *       {@code __MACOSX}) are skipped. Files whose extension is not {@code jpg jpeg png gif bmp} are not items, but
 *       they are not dropped silently either: {@link #ignored()} lists them. An image-named file that does not
 *       decode stays an item, and the {@link BatchPipeline} reports it.
 *   <li><b>Archive</b> ({@link #fromArchive}): zip, tar or tar.gz (recognised by content, not name) holding class
 *       folders, or a list file whose entry is named (one wrapping top folder, as {@code flowers/daisy/1.jpg}, is
 *       looked through). Nothing is extracted to disk: a zip is read entry by entry through its central
 *       directory; an uncompressed tar is indexed once (entry data offsets) and each image is one positional read;
 *       a tar.gz cannot be read at an offset, so it is decompressed once and its image bytes (still
 *       JPEG/PNG-compressed, about the archive's size) are held in memory, refused above a quarter of the heap —
 *       use zip or plain tar for larger sets (gzip gains nothing on JPEGs anyway).
 * </ul>
 *
 * <p>Missing files are not checked when the dataset is opened: they are reported, like corrupt ones, when read.
 *
 * <pre>{@code
 * try (Dataset all = Dataset.fromImageFolder(Path.of("flowers"))) {
 *   Dataset.Split split = all.split(0.2, 42);            // stratified: 20% of each class to validation
 *   System.out.println(all.classNames() + " " + split.train().size() + "/" + split.validation().size());
 * }
 * }</pre>
 *
 * <p>Thread-safe for reading. Close the dataset that was opened (a {@link #split} shares its store, and closing a
 * split part does nothing).
 */
public final class Dataset implements AutoCloseable {

  private static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "gif", "bmp");

  private final List<String> classNames;
  private final List<LabeledImage> items;
  private final List<String> ignored;
  private final ImageStore store;
  private final boolean ownsStore;

  private Dataset(List<String> classNames, List<LabeledImage> items, List<String> ignored, ImageStore store,
      boolean ownsStore) {
    this.classNames = List.copyOf(classNames);
    this.items = List.copyOf(items);
    this.ignored = List.copyOf(ignored);
    this.store = store;
    this.ownsStore = ownsStore;
  }

  /**
   * What the labels mean.
   *
   * @return the class names, indexed by label
   */
  public List<String> classNames() {
    return classNames;
  }

  /**
   * The examples.
   *
   * @return the items, in a fixed order (list-file order, or sorted paths for folders)
   */
  public List<LabeledImage> items() {
    return items;
  }

  /**
   * The number of examples.
   *
   * @return {@code items().size()}
   */
  public int size() {
    return items.size();
  }

  /**
   * Files that were found but not taken, so that a user can see why an image is missing.
   *
   * @return files in or beside class folders that are not images by extension, sorted; empty for list files
   */
  public List<String> ignored() {
    return ignored;
  }

  /**
   * The raw bytes of an item's image, from the file or the archive.
   *
   * @param item one of this dataset's items
   * @return the image file's bytes, not decoded
   * @throws IOException if they cannot be read
   */
  public byte[] read(LabeledImage item) throws IOException {
    return store.read(item.source());
  }

  /**
   * Decodes an item's image; any failure, a missing file included, is an {@link ImageDecodeException}.
   *
   * @param item one of this dataset's items
   * @param decoder how to decode it
   * @return its pixels, BGR
   * @throws ImageDecodeException if it cannot be read or decoded
   */
  public BgrImage decode(LabeledImage item, ImageDecoder decoder) throws ImageDecodeException {
    return store.decode(item.source(), decoder);
  }

  /**
   * A training and a validation part of a dataset; both share its class names and store.
   *
   * @param train the items not held out
   * @param validation the held-out items
   */
  public record Split(Dataset train, Dataset validation) {
  }

  /**
   * A stratified split: of each class's {@code n} items, {@code round(n * validationFraction)} go to validation,
   * chosen by a shuffle seeded with {@code seed} and the label, so the same seed gives the same split whatever the
   * other classes hold. Both parts keep this dataset's item order.
   *
   * @param validationFraction the share of each class held out, in [0, 1]
   * @param seed chooses which items are held out
   * @return the two parts; closing them does nothing, close this dataset instead
   * @throws IllegalArgumentException if the fraction is outside [0, 1]
   */
  public Split split(double validationFraction, long seed) {
    if (!(validationFraction >= 0 && validationFraction <= 1)) {
      throw new IllegalArgumentException("validationFraction must be in [0, 1], got " + validationFraction);
    }
    Map<Integer, List<Integer>> byLabel = new TreeMap<>();
    for (int i = 0; i < items.size(); i++) {
      byLabel.computeIfAbsent(items.get(i).label(), k -> new ArrayList<>()).add(i);
    }
    boolean[] toValidation = new boolean[items.size()];
    for (Map.Entry<Integer, List<Integer>> e : byLabel.entrySet()) {
      List<Integer> indices = new ArrayList<>(e.getValue());
      Collections.shuffle(indices, new Random(Seeds.mix(seed, e.getKey(), 0x5b117L)));
      long n = Math.round(indices.size() * validationFraction);
      for (int k = 0; k < n; k++) {
        toValidation[indices.get(k)] = true;
      }
    }
    List<LabeledImage> train = new ArrayList<>();
    List<LabeledImage> validation = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      (toValidation[i] ? validation : train).add(items.get(i));
    }
    return new Split(new Dataset(classNames, train, List.of(), store, false),
        new Dataset(classNames, validation, List.of(), store, false));
  }

  /** Closes the archive this dataset was opened from; nothing for files, or for a split part. */
  @Override
  public void close() throws IOException {
    if (ownsStore) {
      store.close();
    }
  }

  // ---- list files ----

  /**
   * A dataset of the given items, whose sources are file paths: for images known by another route, e.g. the rows
   * of features computed elsewhere (Spark), which give the same order, splits and shuffles as the images would.
   *
   * @param classNames the class names, indexed by label
   * @param items the examples, in the order to keep
   * @return the dataset; closing it does nothing
   * @throws IllegalArgumentException if a label has no class name
   */
  public static Dataset of(List<String> classNames, List<LabeledImage> items) {
    for (LabeledImage item : items) {
      if (item.label() >= classNames.size()) {
        throw new IllegalArgumentException(item.source() + ": label " + item.label() + " but " + classNames.size()
            + " classes");
      }
    }
    return new Dataset(classNames, items, List.of(), ImageStore.FileSystem.INSTANCE, false);
  }

  /**
   * Reads a {@code path label} list file; see the class comment for the format.
   *
   * @param listFile the list; relative paths in it are taken from its folder
   * @return its items, class names {@code "0" .. "maxLabel"}
   * @throws IOException if the file cannot be read; a {@link DatasetFormatException} naming the line if a line is
   *     not {@code path label}
   */
  public static Dataset fromListFile(Path listFile) throws IOException {
    Path dir = listFile.toAbsolutePath().getParent();
    try (Reader reader = Files.newBufferedReader(listFile, StandardCharsets.UTF_8)) {
      List<LabeledImage> items = parseList(reader, listFile.toString(),
          p -> dir.resolve(p).normalize().toString());
      return new Dataset(numberedClasses(items), items, List.of(), ImageStore.FileSystem.INSTANCE, true);
    }
  }

  private interface Resolver {
    String resolve(String path);
  }

  private static List<LabeledImage> parseList(Reader reader, String name, Resolver resolver) throws IOException {
    List<LabeledImage> items = new ArrayList<>();
    BufferedReader lines = new BufferedReader(reader);
    int number = 0;
    for (String line; (line = lines.readLine()) != null; ) {
      number++;
      String trimmed = line.strip();
      if (number == 1 && trimmed.startsWith("\uFEFF")) {
        trimmed = trimmed.substring(1).strip();
      }
      if (trimmed.isEmpty()) {
        continue;
      }
      int split = lastWhitespace(trimmed);
      if (split < 0) {
        throw new DatasetFormatException(name, number, "missing label: expected 'path label', got '" + trimmed
            + "'");
      }
      String path = trimmed.substring(0, split).strip();
      String labelText = trimmed.substring(split + 1);
      int label;
      try {
        label = Integer.parseInt(labelText);
      } catch (NumberFormatException e) {
        throw new DatasetFormatException(name, number, "label '" + labelText + "' is not an integer (line: '"
            + trimmed + "')");
      }
      if (label < 0) {
        throw new DatasetFormatException(name, number, "label " + label + " is negative (line: '" + trimmed
            + "')");
      }
      items.add(new LabeledImage(resolver.resolve(path), label));
    }
    return items;
  }

  private static int lastWhitespace(String s) {
    for (int i = s.length() - 1; i >= 0; i--) {
      if (Character.isWhitespace(s.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  private static List<String> numberedClasses(List<LabeledImage> items) {
    int max = items.stream().mapToInt(LabeledImage::label).max().orElse(-1);
    List<String> names = new ArrayList<>();
    for (int i = 0; i <= max; i++) {
      names.add(Integer.toString(i));
    }
    return names;
  }

  // ---- image folders ----

  /**
   * Reads a folder of class folders; see the class comment for the convention.
   *
   * @param root the folder that holds one folder per class
   * @return its images, labelled by sorted class folder name
   * @throws IOException if {@code root} is not a folder, cannot be walked, or has no class folder with images
   */
  public static Dataset fromImageFolder(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      throw new IOException(root + ": not a folder");
    }
    List<String> relative = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      walk.filter(Files::isRegularFile).forEach(p -> relative.add(slashes(root.relativize(p))));
    }
    Path absolute = root.toAbsolutePath().normalize();
    return folderDataset(relative, rel -> absolute.resolve(rel).toString(), ImageStore.FileSystem.INSTANCE,
        root.toString());
  }

  private static String slashes(Path relative) {
    StringBuilder sb = new StringBuilder();
    for (Path part : relative) {
      sb.append(sb.length() == 0 ? "" : "/").append(part);
    }
    return sb.toString();
  }

  /** Items from relative {@code class/.../file} paths; {@code toSource} gives each its source string. */
  private static Dataset folderDataset(List<String> relativeFiles, Resolver toSource, ImageStore store, String what)
      throws IOException {
    TreeSet<String> classes = new TreeSet<>();
    List<String> candidates = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    for (String rel : relativeFiles) {
      if (isHidden(rel)) {
        continue;
      }
      int slash = rel.indexOf('/');
      if (slash < 0 || !isImageName(rel)) {
        ignored.add(toSource.resolve(rel));   // outside any class folder, or not an image by its name
        continue;
      }
      classes.add(rel.substring(0, slash));
      candidates.add(rel);
    }
    if (classes.isEmpty()) {
      store.close();
      throw new IOException(what + ": no class folders with images (expected <class>/<image>.jpg)");
    }
    List<String> names = new ArrayList<>(classes);
    Map<String, Integer> labels = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      labels.put(names.get(i), i);
    }
    Collections.sort(candidates);
    Collections.sort(ignored);
    List<LabeledImage> items = new ArrayList<>();
    for (String rel : candidates) {
      items.add(new LabeledImage(toSource.resolve(rel), labels.get(rel.substring(0, rel.indexOf('/')))));
    }
    return new Dataset(names, items, ignored, store, true);
  }

  private static boolean isHidden(String rel) {
    for (String part : rel.split("/")) {
      if (part.startsWith(".") || part.equals("__MACOSX")) {
        return true;
      }
    }
    return false;
  }

  private static boolean isImageName(String rel) {
    int dot = rel.lastIndexOf('.');
    return dot > rel.lastIndexOf('/') && IMAGE_EXTENSIONS.contains(rel.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  // ---- archives ----

  /**
   * Opens a zip, tar or tar.gz archive of class folders in place (see the class comment).
   *
   * @param archive the archive; its type is found from its content
   * @return its images, labelled by sorted class folder name; close it to close the archive
   * @throws IOException if it cannot be read, is not such an archive, or has no class folder with images
   */
  public static Dataset fromArchive(Path archive) throws IOException {
    return fromArchive(archive, null);
  }

  /**
   * Opens an archive in place and reads the list file at entry {@code listEntry} (e.g. {@code "lists/train.txt"};
   * its paths are relative to its folder inside the archive), or, when {@code null}, reads class folders. Explicit
   * rather than guessed: a {@code README.txt} next to class folders must not be taken for a list.
   *
   * @param archive the archive; its type is found from its content
   * @param listEntry the list file's entry, or null for class folders
   * @return its images; close it to close the archive
   * @throws IOException if it cannot be read or is not such an archive; a {@link DatasetFormatException} for a bad
   *     line of the list
   */
  public static Dataset fromArchive(Path archive, String listEntry) throws IOException {
    String prefix = archive.toString() + "!/";
    List<String> entries = new ArrayList<>();
    ImageStore store = openArchive(archive, prefix, entries);
    try {
      if (listEntry != null) {
        String entry = normalize(listEntry);
        byte[] text = store.read(prefix + entry);
        int slash = entry.lastIndexOf('/');
        String dir = slash < 0 ? "" : entry.substring(0, slash + 1);
        List<LabeledImage> items = parseList(new StringReader(new String(text, StandardCharsets.UTF_8)),
            prefix + entry, p -> prefix + normalize(dir + p));
        return new Dataset(numberedClasses(items), items, List.of(), store, true);
      }
      List<String> visible = entries.stream().filter(e -> !isHidden(e)).toList();
      String root = wrapperFolder(visible);
      List<String> relative = visible.stream().filter(e -> e.startsWith(root))
          .map(e -> e.substring(root.length())).toList();
      return folderDataset(relative, rel -> prefix + root + rel, store, archive.toString());
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /**
   * The single top folders that wrap the class folders ({@code "flowers/"} for {@code flowers/daisy/1.jpg}), or
   * {@code ""}: looked through while every image is still inside a class folder below them.
   */
  private static String wrapperFolder(List<String> files) {
    List<String> images = files.stream().filter(Dataset::isImageName).toList();
    String root = "";
    while (!images.isEmpty()) {
      String first = null;
      for (String f : images) {
        int slash = f.indexOf('/');
        if (slash < 0 || f.indexOf('/', slash + 1) < 0) {
          return root;
        }
        String top = f.substring(0, slash + 1);
        if (first == null) {
          first = top;
        } else if (!first.equals(top)) {
          return root;
        }
      }
      root += first;
      int cut = first.length();
      images = images.stream().map(f -> f.substring(cut)).toList();
    }
    return root;
  }

  /** Resolves {@code .} and {@code ..} in an archive path with {@code /} separators. */
  static String normalize(String path) {
    List<String> parts = new ArrayList<>();
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!parts.isEmpty()) {
          parts.remove(parts.size() - 1);
        }
      } else {
        parts.add(part);
      }
    }
    return String.join("/", parts);
  }

  private static ImageStore openArchive(Path archive, String prefix, List<String> entries) throws IOException {
    byte[] head = new byte[512];
    int n;
    try (InputStream in = Files.newInputStream(archive)) {
      n = in.readNBytes(head, 0, head.length);
    }
    if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
      ZipFile zip = ZipFile.builder().setPath(archive).get();
      Map<String, ZipArchiveEntry> byName = new LinkedHashMap<>();
      for (ZipArchiveEntry e : Collections.list(zip.getEntries())) {
        if (!e.isDirectory()) {
          String name = normalize(e.getName());
          byName.put(prefix + name, e);
          entries.add(name);
        }
      }
      return new ImageStore.Zip(zip, byName);
    }
    if (n >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
      long limit = Runtime.getRuntime().maxMemory() / 4;
      long total = 0;
      Map<String, byte[]> bytes = new HashMap<>();
      try (InputStream file = new BufferedInputStream(Files.newInputStream(archive), 1 << 16);
           TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(file, true))) {
        for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
          if (!e.isFile()) {
            continue;
          }
          String name = normalize(e.getName());
          entries.add(name);
          boolean wanted = !isHidden(name) && (isImageName(name) || name.toLowerCase(Locale.ROOT).endsWith(".txt"));
          if (!wanted) {
            continue;   // listed (so reported as ignored), never read: its bytes are not held
          }
          total += e.getSize();
          if (total > limit) {
            throw new IOException(archive + ": a tar.gz is held in memory to be read each epoch, and its images "
                + "exceed " + limit / (1 << 20) + " MiB (a quarter of the heap); give Java more heap (-Xmx) or "
                + "repack it as zip or plain tar, which are read in place");
          }
          bytes.put(prefix + name, tar.readAllBytes());
        }
      }
      return new ImageStore.Memory(bytes);
    }
    if (n >= 262 && new String(head, 257, 5, StandardCharsets.ISO_8859_1).equals("ustar")) {
      Map<String, long[]> offsets = new HashMap<>();
      try (TarFile tar = new TarFile(archive)) {
        for (TarArchiveEntry e : tar.getEntries()) {
          if (!e.isFile()) {
            continue;
          }
          String name = normalize(e.getName());
          entries.add(name);
          if (e.isSparse()) {
            continue;   // data not contiguous; such entries read as missing and are reported then
          }
          offsets.put(prefix + name, new long[] {e.getDataOffset(), e.getSize()});
        }
      }
      return new ImageStore.Tar(archive, offsets);
    }
    throw new IOException(archive + ": not a zip, tar or tar.gz archive (the file starts with "
        + hex(Arrays.copyOf(head, Math.min(n, 8))) + ")");
  }

  private static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      sb.append(String.format("%02x ", x));
    }
    return sb.toString().trim();
  }

  @Override
  public String toString() {
    return "Dataset[" + items.size() + " items, " + classNames.size() + " classes]";
  }
}
