package org.alexnettfj.pictures;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PagesTest {

  private static final Path IMAGES = Path.of("../data/src/test/resources/images");

  private static int count(String html, String regex) {
    Matcher m = Pattern.compile(regex).matcher(html);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  @Test
  void reportHasTheCurvesTheMatrixAndTheMistakes(@TempDir Path dir) throws Exception {
    List<String> classes = List.of("cat", "dog", "<zebra>");
    long[][] confusion = {{8, 2, 0}, {1, 9, 0}, {0, 0, 10}};
    List<TrainingReport.EpochRow> epochs = List.of(
        new TrainingReport.EpochRow(1, 1.2, 0.5, 1, 0.01, null),
        new TrainingReport.EpochRow(2, 0.8, 0.7, 1, 0.01, "learning rate 0.01 -> 0.001: plateau"),
        new TrainingReport.EpochRow(3, 0.5, 0.9, 1, 0.001, null));
    String zebra = IMAGES.resolve("zebra.jpeg").toString();
    List<TrainingReport.Mistake> mistakes = List.of(
        new TrainingReport.Mistake(zebra, 0, 1, 0.93),
        new TrainingReport.Mistake("gone.jpg", 1, 0, 0.61));
    TrainingReport report = new TrainingReport("fine-tuning", classes, epochs, confusion, mistakes,
        Map.of("batch size", "10"));
    Path out = dir.resolve("report.html");
    report.write(out, Thumbnails.ImageSource.FILES);
    String html = Files.readString(out);
    assertThat(count(html, "<svg class=\"chart\"")).isEqualTo(2);
    assertThat(count(html, "<polyline class=\"series\"")).isEqualTo(2);   // loss; top-1 (3 classes: no top-5)
    assertThat(count(html, "<line class=\"marker\"")).isEqualTo(2);       // the drop after epoch 2, on both charts
    assertThat(html).contains("lr 0.00100");
    assertThat(count(html, "<rect x=\"\\d+\" y=\"\\d+\" width=\"44\"")).isEqualTo(9);   // 3 x 3 cells
    assertThat(html).contains("cat as dog: 2").contains("&lt;zebra&gt;").doesNotContain("<zebra>");
    assertThat(count(html, "<img [^>]*src=\"data:image/jpeg;base64,")).isEqualTo(1);
    assertThat(html).contains("unreadable: ").contains("p = 0.930").contains("predicted: dog");
    // top-1 over all images: 27 of 30
    assertThat(html).contains("30 validation images of 3 classes; top-1 0.900");
    assertThat(dir.toFile().list()).containsExactly("report.html");
  }

  @Test
  void anEvaluationReportHasNoCurvesAndManyClassesGiveAnImage() throws Exception {
    int n = 150;
    List<String> classes = java.util.stream.IntStream.range(0, n).mapToObj(i -> "c" + i).toList();
    long[][] confusion = new long[n][n];
    for (int i = 0; i < n; i++) {
      confusion[i][i] = 3;
      confusion[i][(i + 1) % n] = 1;
    }
    String html = new TrainingReport("evaluation", classes, List.of(), confusion, List.of(), Map.of())
        .html(Thumbnails.ImageSource.FILES);
    assertThat(html).doesNotContain("<svg class=\"chart\"").contains("<img class=\"heatmap\"")
        .contains("None: every validation image");
  }

  @Test
  void contactSheetShowsEachQueryBesideItsNeighbours(@TempDir Path dir) throws Exception {
    String zebra = IMAGES.resolve("zebra.jpeg").toString();
    String llama = IMAGES.resolve("llama.jpeg").toString();
    ContactSheet sheet = new ContactSheet("similar images", "index photos.index, fc7, euclidean", List.of(
        new ContactSheet.Row(zebra, List.of(new ContactSheet.Cell(zebra, 0), new ContactSheet.Cell(llama, 12.5)),
            null),
        new ContactSheet.Row("missing.jpg", List.of(), "missing.jpg: no such file")));
    Path out = dir.resolve("sheet.html");
    sheet.write(out, Thumbnails.ImageSource.FILES);
    String html = Files.readString(out);
    assertThat(count(html, "<div class=\"row\">")).isEqualTo(2);
    assertThat(count(html, "<img [^>]*src=\"data:image/jpeg;base64,")).isEqualTo(3);
    assertThat(html).contains("0.0000").contains("12.5000").contains("missing.jpg: no such file");
  }

  @Test
  void thumbnailsFitTheirBox() throws Exception {
    String uri = Thumbnails.dataUri(Files.readAllBytes(IMAGES.resolve("zebra.jpeg")), "zebra.jpeg", 64);
    byte[] jpeg = java.util.Base64.getDecoder().decode(uri.substring(uri.indexOf(',') + 1));
    java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(jpeg));
    assertThat(Math.max(img.getWidth(), img.getHeight())).isEqualTo(64);
  }
}
