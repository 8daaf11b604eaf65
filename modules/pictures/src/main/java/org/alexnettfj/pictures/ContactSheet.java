package org.alexnettfj.pictures;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The paper's Figure 4 for your own images: each query image beside its nearest images by a layer's features,
 * with the distance under each. One HTML file with the thumbnails embedded.
 *
 * @param title the page's heading
 * @param note one line under it: the index, layer and metric
 * @param rows one per query
 */
public record ContactSheet(String title, String note, List<Row> rows) {

  /** A query and its neighbours, nearest first; or the reason the query could not be searched. */
  public record Row(String query, List<Cell> neighbours, String error) {
    public Row {
      neighbours = List.copyOf(neighbours);
    }
  }

  /** A neighbour: its image and its distance to the query. */
  public record Cell(String path, double distance) {
  }

  public ContactSheet {
    rows = List.copyOf(rows);
  }

  /** Writes the page to {@code out} through a temporary file; images are read from {@code images}. */
  public void write(Path out, Thumbnails.ImageSource images) throws IOException {
    Html.write(out, html(images));
  }

  /** The page. */
  public String html(Thumbnails.ImageSource images) {
    StringBuilder b = new StringBuilder("<p class=\"note\">").append(Html.escape(note)).append("</p>\n");
    for (Row r : rows) {
      b.append("<div class=\"row\">\n");
      b.append(Thumbnails.figure(images, r.query(), TrainingReport.THUMBNAIL, "query", "query",
          Html.baseName(r.query())));
      if (r.error() != null) {
        b.append("<p class=\"missing\">").append(Html.escape(r.error())).append("</p>\n");
      }
      for (Cell c : r.neighbours()) {
        b.append(Thumbnails.figure(images, c.path(), TrainingReport.THUMBNAIL, "neighbour",
            Html.num(c.distance(), 4), Html.baseName(c.path())));
      }
      b.append("</div>\n");
    }
    return Html.page(title, b.toString());
  }
}
