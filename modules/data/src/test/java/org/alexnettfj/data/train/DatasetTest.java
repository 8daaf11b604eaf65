package org.alexnettfj.data.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.alexnettfj.data.BgrImage;
import org.alexnettfj.data.ImageDecodeException;
import org.alexnettfj.data.ImageDecoder;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DatasetTest {

  @TempDir
  Path temp;

  static Path sample(String name) {
    try {
      return Path.of(DatasetTest.class.getResource("/images/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** zebra/ and animals with spaces: "sea lion/" (sealion.jpeg) and "llama/" (llama.jpeg), plus clutter. */
  static Path sampleFolder(Path root) throws IOException {
    Files.createDirectories(root.resolve("zebra"));
    Files.createDirectories(root.resolve("sea lion/nested"));
    Files.createDirectories(root.resolve("llama"));
    Files.createDirectories(root.resolve(".cache"));
    Files.copy(sample("zebra.jpeg"), root.resolve("zebra/z1.jpeg"));
    Files.copy(sample("sealion.jpeg"), root.resolve("sea lion/nested/a seal.JPEG"));
    Files.copy(sample("llama.jpeg"), root.resolve("llama/l1.jpeg"));
    Files.copy(sample("llama.jpeg"), root.resolve("llama/l2.jpeg"));
    Files.writeString(root.resolve("llama/notes.md"), "not an image");
    Files.writeString(root.resolve("llama/.DS_Store"), "hidden");
    Files.copy(sample("zebra.jpeg"), root.resolve(".cache/z.jpeg"));
    Files.writeString(root.resolve("README.txt"), "top level");
    return root;
  }

  private static List<String> relativeNames(Dataset d, String prefix) {
    return d.items().stream().map(i -> i.source().substring(prefix.length()) + " " + i.label()).toList();
  }

  @Test
  void readsAListFileWithSpacesInPathsAndResolvesThemAgainstItsFolder() throws IOException {
    Path dir = Files.createDirectories(temp.resolve("lists"));
    Path list = Files.writeString(dir.resolve("train.txt"),
        "\uFEFFimages/a cat.jpg 0\n\n  images/dog  with  spaces.png\t2  \n/abs/x.jpg 1\n../up.jpg 0\n");
    try (Dataset d = Dataset.fromListFile(list)) {
      assertThat(d.items()).containsExactly(
          new LabeledImage(dir.resolve("images/a cat.jpg").toString(), 0),
          new LabeledImage(dir.resolve("images/dog  with  spaces.png").toString(), 2),
          new LabeledImage("/abs/x.jpg", 1),
          new LabeledImage(temp.resolve("up.jpg").toString(), 0));
      assertThat(d.classNames()).as("labels 0..max named by number").containsExactly("0", "1", "2");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"only-a-path.jpg|2|missing label", "a.jpg cat|2|label 'cat' is not an integer",
      "a b.jpg -3|2|label -3 is negative", "a.jpg 1.5|2|not an integer"})
  void refusesABadListLineNamingTheFileAndLine(String spec) throws IOException {
    String[] p = spec.split("\\|");
    Path list = Files.writeString(temp.resolve("val.txt"), "good.jpg 0\n" + p[0] + "\n");
    assertThatThrownBy(() -> Dataset.fromListFile(list))
        .isInstanceOfSatisfying(DatasetFormatException.class, e -> {
          assertThat(e.line()).isEqualTo(Integer.parseInt(p[1]));
          assertThat(e.getMessage()).startsWith(list + ":" + p[1] + ": ").contains(p[2]);
        });
  }

  @Test
  void takesLabelsFromSortedClassFolderNamesAndListsNonImages() throws IOException {
    Path root = sampleFolder(temp.resolve("animals"));
    try (Dataset d = Dataset.fromImageFolder(root)) {
      assertThat(d.classNames()).containsExactly("llama", "sea lion", "zebra");
      assertThat(relativeNames(d, root.toAbsolutePath() + "/")).as("sorted paths, hidden files skipped")
          .containsExactly("llama/l1.jpeg 0", "llama/l2.jpeg 0", "sea lion/nested/a seal.JPEG 1", "zebra/z1.jpeg 2");
      assertThat(d.ignored()).as("non-images are listed, not silently dropped; hidden files are skipped")
          .containsExactly(root.toAbsolutePath().resolve("README.txt").toString(),
              root.toAbsolutePath().resolve("llama/notes.md").toString());
    }
  }

  enum Kind { ZIP, TAR, TAR_GZ }

  /** Packs every file under {@code root} into an archive, entry names prefixed with {@code wrapper}. */
  static Path pack(Path root, Path archive, Kind kind, String wrapper) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    }
    try (OutputStream out = Files.newOutputStream(archive)) {
      if (kind == Kind.ZIP) {
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(out)) {
          for (Path f : files) {
            zip.putArchiveEntry(new ZipArchiveEntry(f.toFile(), wrapper + DatasetTest.slashes(root.relativize(f))));
            zip.write(Files.readAllBytes(f));
            zip.closeArchiveEntry();
          }
        }
      } else {
        OutputStream sink = kind == Kind.TAR_GZ ? new GzipCompressorOutputStream(out) : out;
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(sink)) {
          tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
          for (Path f : files) {
            tar.putArchiveEntry(new TarArchiveEntry(f.toFile(), "./" + wrapper + slashes(root.relativize(f))));
            tar.write(Files.readAllBytes(f));
            tar.closeArchiveEntry();
          }
        }
      }
    }
    return archive;
  }

  static String slashes(Path p) {
    return p.toString().replace('\\', '/');
  }

  @ParameterizedTest
  @ValueSource(strings = {"ZIP", "TAR", "TAR_GZ"})
  void readsClassFoldersInsideAnArchiveInPlaceWithTheFoldersItemsAndPixels(String kindName) throws IOException {
    Kind kind = Kind.valueOf(kindName);
    Path root = sampleFolder(temp.resolve("animals"));
    Path archive = pack(root, temp.resolve("animals.bin"), kind, "wrapped/");
    try (Dataset folder = Dataset.fromImageFolder(root); Dataset packed = Dataset.fromArchive(archive)) {
      assertThat(packed.classNames()).isEqualTo(folder.classNames());
      assertThat(relativeNames(packed, archive + "!/wrapped/"))
          .as("%s: same items and labels as the folder, the wrapping folder looked through", kind)
          .isEqualTo(relativeNames(folder, root.toAbsolutePath() + "/"));
      for (int i = 0; i < folder.size(); i++) {
        BgrImage fromFile = folder.decode(folder.items().get(i), ImageDecoder.DEFAULT);
        BgrImage fromArchive = packed.decode(packed.items().get(i), ImageDecoder.DEFAULT);
        assertThat(fromArchive).as("%s: pixels of %s", kind, packed.items().get(i).source()).isEqualTo(fromFile);
      }
      assertThat(Files.list(temp).map(Path::getFileName).map(Path::toString))
          .as("nothing extracted next to the archive").containsExactlyInAnyOrder("animals", "animals.bin");
    }
  }

  @Test
  void readsAListFileInsideAZipWithPathsRelativeToIt() throws IOException {
    Path root = Files.createDirectories(temp.resolve("set"));
    Files.createDirectories(root.resolve("lists"));
    Files.createDirectories(root.resolve("img"));
    Files.copy(sample("zebra.jpeg"), root.resolve("img/z 1.jpeg"));
    Files.writeString(root.resolve("lists/train.txt"), "../img/z 1.jpeg 3\n../img/missing.jpg 1\n");
    Path zip = pack(root, temp.resolve("set.zip"), Kind.ZIP, "");
    try (Dataset d = Dataset.fromArchive(zip, "lists/train.txt")) {
      assertThat(d.items()).containsExactly(new LabeledImage(zip + "!/img/z 1.jpeg", 3),
          new LabeledImage(zip + "!/img/missing.jpg", 1));
      assertThat(d.decode(d.items().get(0), ImageDecoder.DEFAULT))
          .isEqualTo(ImageDecoder.DEFAULT.decode(sample("zebra.jpeg")));
      assertThatThrownBy(() -> d.decode(d.items().get(1), ImageDecoder.DEFAULT))
          .as("a listed entry that is not in the archive is reported when read, naming it")
          .isInstanceOf(ImageDecodeException.class).hasMessageContaining(zip + "!/img/missing.jpg");
    }
  }

  @Test
  void refusesAFileThatIsNoArchive() throws IOException {
    Path notArchive = Files.writeString(temp.resolve("x.zip"), "hello, world");
    assertThatThrownBy(() -> Dataset.fromArchive(notArchive)).hasMessageContaining("not a zip, tar or tar.gz");
  }

  private static Dataset synthetic(int... perClass) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int c = 0; c < perClass.length; c++) {
      for (int i = 0; i < perClass[c]; i++) {
        sb.append("c").append(c).append("/").append(i).append(".jpg ").append(c).append('\n');
      }
    }
    Path list = Files.createTempFile("split", ".txt");
    Files.writeString(list, sb.toString(), StandardCharsets.UTF_8);
    try {
      return Dataset.fromListFile(list);
    } finally {
      Files.delete(list);
    }
  }

  private static Map<Integer, Long> perClass(Dataset d) {
    return d.items().stream().collect(Collectors.groupingBy(LabeledImage::label, TreeMap::new,
        Collectors.counting()));
  }

  @Test
  void splitsEachClassInTheSameProportionAndDeterministically() throws IOException {
    Dataset all = synthetic(10, 50, 5);
    Dataset.Split split = all.split(0.2, 42);
    assertThat(perClass(split.validation())).as("round(n * 0.2) of each class")
        .isEqualTo(Map.of(0, 2L, 1, 10L, 2, 1L));
    assertThat(perClass(split.train())).isEqualTo(Map.of(0, 8L, 1, 40L, 2, 4L));
    List<LabeledImage> both = new ArrayList<>(split.train().items());
    both.addAll(split.validation().items());
    assertThat(both).as("a partition of the items").containsExactlyInAnyOrderElementsOf(all.items());
    assertThat(all.split(0.2, 42).validation().items()).as("same seed, same split")
        .isEqualTo(split.validation().items());
    assertThat(all.split(0.2, 43).validation().items()).as("another seed, another split")
        .isNotEqualTo(split.validation().items());
    assertThat(split.train().classNames()).isEqualTo(all.classNames());
  }
}
