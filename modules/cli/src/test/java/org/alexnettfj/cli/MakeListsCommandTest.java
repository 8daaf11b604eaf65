package org.alexnettfj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.alexnettfj.data.train.Dataset;
import org.alexnettfj.data.train.LabeledImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MakeListsCommandTest {

  @TempDir
  Path dir;

  /** Empty files are enough: make-lists names images, it does not read them. */
  private static List<Path> touch(Path folder, String... names) throws IOException {
    Files.createDirectories(folder);
    List<Path> out = new ArrayList<>();
    for (String n : names) {
      out.add(Files.writeString(folder.resolve(n), "x"));
    }
    return out;
  }

  private static Map<String, Integer> labelsBySource(Dataset d) {
    Map<String, Integer> m = new TreeMap<>();
    for (LabeledImage it : d.items()) {
      assertThat(m.put(it.source(), it.label())).as("%s listed once", it.source()).isNull();
    }
    return m;
  }

  @Test
  void writesStratifiedSeededListsThatFinetuneReadsBackFromAPathWithSpaces() throws Exception {
    Path root = dir.resolve("my photos");
    List<Path> cats = touch(root.resolve("cat"), "a 1.jpg", "a 2.jpg", "b.png", "c.jpeg", "d.JPG");
    List<Path> dogs = touch(root.resolve("dog s"), "x.jpg", "y y.jpg", "z.bmp", "w.gif", "v.png");
    touch(root.resolve("cat"), "notes.txt");

    Run r = Run.of("make-lists", root.toString(), "--val-split", "0.4", "--seed", "3");

    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    assertThat(r.err()).as("the non-image is not dropped silently").contains("1 files left out").contains("notes.txt");
    assertThat(r.out()).contains("train.txt (6 images)").contains("val.txt (4 images)").contains("(2 classes)");
    assertThat(Files.readAllLines(root.resolve("classes.txt"))).containsExactly("cat", "dog s");
    assertThat(Files.readString(root.resolve("train.txt"))).as("paths relative to the lists, spaces kept")
        .contains("cat/a 1.jpg 0").doesNotContain(root.toString());

    Map<String, Integer> expected = new TreeMap<>();
    cats.forEach(p -> expected.put(p.toAbsolutePath().toString(), 0));
    dogs.forEach(p -> expected.put(p.toAbsolutePath().toString(), 1));
    try (Dataset train = Dataset.fromListFile(root.resolve("train.txt"));
        Dataset val = Dataset.fromListFile(root.resolve("val.txt"))) {
      Map<String, Integer> t = labelsBySource(train);
      Map<String, Integer> v = labelsBySource(val);
      assertThat(v.values()).as("2 of each class's 5 held out").containsExactlyInAnyOrder(0, 0, 1, 1);
      Set<String> overlap = new HashSet<>(t.keySet());
      overlap.retainAll(v.keySet());
      assertThat(overlap).as("no image in both lists").isEmpty();
      Map<String, Integer> all = new TreeMap<>(t);
      all.putAll(v);
      assertThat(all).as("every image once, labelled by its sorted class folder").isEqualTo(expected);
    }

    String train = Files.readString(root.resolve("train.txt"));
    assertThat(Run.of("make-lists", root.toString(), "--val-split", "0.4", "--seed", "3", "--force").code()).isZero();
    assertThat(Files.readString(root.resolve("train.txt"))).as("the same seed, the same lists").isEqualTo(train);
    assertThat(Run.of("make-lists", root.toString(), "--val-split", "0.4", "--seed", "4", "--force").code()).isZero();
    assertThat(Files.readString(root.resolve("train.txt"))).as("another seed, another split").isNotEqualTo(train);
  }

  @Test
  void byPrefixTakesDogsVsCatsNamesAsClassesAndWritesWhereAsked() throws Exception {
    Path train = dir.resolve("kaggle data/train");
    touch(train, "cat.0.jpg", "cat.1.jpg", "cat.2.jpg", "dog.0.jpg", "dog.1.jpg", "dog.10.jpg", "dog.2.jpg",
        "1.jpg", "readme.txt");
    Path out = dir.resolve("lists");

    Run r = Run.of("make-lists", train.toString(), "--by-prefix", "--val-split", "0.25", "--out", out.toString());

    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    assertThat(r.err()).contains("2 files left out").contains("1.jpg").contains("readme.txt");
    assertThat(Files.readAllLines(out.resolve("classes.txt"))).containsExactly("cat", "dog");
    try (Dataset t = Dataset.fromListFile(out.resolve("train.txt"));
        Dataset v = Dataset.fromListFile(out.resolve("val.txt"))) {
      Map<String, Integer> all = new TreeMap<>(labelsBySource(t));
      all.putAll(labelsBySource(v));
      assertThat(all).hasSize(7);
      all.forEach((source, label) -> assertThat(label).as(source)
          .isEqualTo(Path.of(source).getFileName().toString().startsWith("cat.") ? 0 : 1));
      assertThat(v.size()).as("round(3 * 0.25) cats + round(4 * 0.25) dogs").isEqualTo(2);
      assertThat(Files.readString(out.resolve("train.txt"))).contains("../kaggle data/train/");
    }
  }

  @Test
  void aClassNeverLosesAllItsImagesToValidation() throws Exception {
    touch(dir.resolve("data/a"), "1.jpg");
    touch(dir.resolve("data/b"), "1.jpg", "2.jpg");

    Run r = Run.of("make-lists", dir.resolve("data").toString(), "--val-split", "0.9");

    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    assertThat(r.out()).contains("train 1, val 0").contains("train 1, val 1");
  }

  @Test
  void refusesToReplaceListsWithoutForce() throws Exception {
    touch(dir.resolve("data/a"), "1.jpg");
    Files.writeString(dir.resolve("data/val.txt"), "mine 0\n");

    Run r = Run.of("make-lists", dir.resolve("data").toString());

    assertThat(r.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(r.err().strip()).isEqualTo("alexnet make-lists: " + dir.resolve("data/val.txt")
        + " exists; add --force to replace it");
    assertThat(Files.readString(dir.resolve("data/val.txt"))).isEqualTo("mine 0\n");
    assertThat(dir.resolve("data/train.txt")).as("nothing written").doesNotExist();
  }

  @Test
  void missingFolderAndBadSplitFailWithOneLine() {
    Run missing = Run.of("make-lists", dir.resolve("nowhere").toString());
    assertThat(missing.code()).isEqualTo(AlexNetCli.EXIT_BAD_INPUT);
    assertThat(missing.err().strip()).isEqualTo("alexnet make-lists: " + dir.resolve("nowhere") + ": no such folder");

    Run split = Run.of("make-lists", dir.toString(), "--val-split", "1");
    assertThat(split.code()).isEqualTo(AlexNetCli.EXIT_USAGE);
    assertThat(split.err()).contains("--val-split must be at least 0 and below 1");
  }
}
