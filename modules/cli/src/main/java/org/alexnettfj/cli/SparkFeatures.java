package org.alexnettfj.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.alexnettfj.data.train.Dataset;
import org.alexnettfj.data.train.LabeledImage;
import org.alexnettfj.train.FeatureCache;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * The Parquet rows {@code alexnet-spark features --layer pool5} writes — {@code (path, features, error, label)},
 * the label a class folder's name — as training input: a {@link Dataset} in the order an image folder of the same
 * classes gives, and its pool5 rows streamed a row group at a time into a {@link FeatureCache}, never the whole
 * file in memory. Error rows (images Spark could not read) are left out and counted.
 */
final class SparkFeatures {

  /** What the rows hold: the classes, the images with features, and the error rows. */
  record Listing(Path source, List<Path> files, Dataset dataset, List<String> errors) {
  }

  private SparkFeatures() {
  }

  /** Reads the paths, labels and errors (not the features) of the Parquet file or folder {@code source}. */
  static Listing list(Path source) throws IOException {
    List<Path> files = parts(source);
    List<String[]> rows = new ArrayList<>();   // path, label
    List<String> errors = new ArrayList<>();
    for (Path file : files) {
      try (ParquetFileReader r = open(file)) {
        MessageType schema = r.getFooter().getFileMetaData().getSchema();
        for (String column : List.of("path", "features", "error", "label")) {
          if (!schema.containsField(column)) {
            throw new IllegalArgumentException(file + ": no column '" + column + "': expected the rows of "
                + "alexnet-spark features --layer pool5 over a folder of class folders (path, features, error, "
                + "label); found " + schema.getFields().stream().map(Type::getName).toList());
          }
        }
        MessageType names = new MessageType(schema.getName(), schema.getType("path"), schema.getType("error"),
            schema.getType("label"));
        r.setRequestedSchema(names);
        PageReadStore pages;
        while ((pages = r.readNextRowGroup()) != null) {
          RecordReader<Group> records = new ColumnIOFactory().getColumnIO(names)
              .getRecordReader(pages, new GroupRecordConverter(names));
          for (long i = 0; i < pages.getRowCount(); i++) {
            Group g = records.read();
            String path = localPath(g.getString("path", 0));
            if (g.getFieldRepetitionCount("error") > 0) {
              errors.add(g.getString("error", 0));
            } else if (g.getFieldRepetitionCount("label") == 0) {
              throw new IllegalArgumentException(file + ": the row of " + path + " has no label: write the "
                  + "features of a folder of class folders (alexnet-spark features --input DIR, DIR/<class>/...)");
            } else {
              rows.add(new String[] {path, g.getString("label", 0)});
            }
          }
        }
      }
    }
    if (rows.isEmpty()) {
      throw new IllegalArgumentException(source + ": no rows with features" + (errors.isEmpty() ? ""
          : " (" + errors.size() + " error rows)"));
    }
    TreeSet<String> classes = new TreeSet<>();
    rows.forEach(r -> classes.add(r[1]));
    List<String> names = new ArrayList<>(classes);
    Map<String, Integer> labels = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      labels.put(names.get(i), i);
    }
    rows.sort((a, b) -> a[0].compareTo(b[0]));   // an image folder's order: by path
    List<LabeledImage> items = new ArrayList<>();
    for (String[] r : rows) {
      items.add(new LabeledImage(r[0], labels.get(r[1])));
    }
    return new Listing(source, files, Dataset.of(names, items), errors);
  }

  /** The pool5 rows of {@code listing} for the items of {@code dataset} (the listing's, or part of it). */
  static FeatureCache.Pool5Rows rows(Listing listing, Dataset dataset) {
    Map<String, Integer> itemOf = new HashMap<>();
    for (int i = 0; i < dataset.size(); i++) {
      itemOf.put(dataset.items().get(i).source(), i);
    }
    return sink -> {
      for (Path file : listing.files()) {
        try (ParquetFileReader r = open(file)) {
          MessageType schema = r.getFooter().getFileMetaData().getSchema();
          MessageType wanted = new MessageType(schema.getName(), schema.getType("path"),
              schema.getType("features"));
          r.setRequestedSchema(wanted);
          PageReadStore pages;
          while ((pages = r.readNextRowGroup()) != null) {
            RecordReader<Group> records = new ColumnIOFactory().getColumnIO(wanted)
                .getRecordReader(pages, new GroupRecordConverter(wanted));
            for (long i = 0; i < pages.getRowCount(); i++) {
              Group g = records.read();
              Integer item = itemOf.get(localPath(g.getString("path", 0)));
              if (item == null || g.getFieldRepetitionCount("features") == 0) {
                continue;   // an error row, or an image of the other split
              }
              sink.accept(item, floats(g.getGroup("features", 0)));
            }
          }
        }
      }
    };
  }

  /** A Parquet LIST of floats (Spark's three-level list: {@code list.element}). */
  private static float[] floats(Group list) {
    int n = list.getFieldRepetitionCount(0);
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = list.getGroup(0, i).getFloat(0, 0);
    }
    return out;
  }

  /** Spark writes local paths as {@code file:/...} URIs; the images' own paths are what the dataset names. */
  static String localPath(String path) {
    return path.startsWith("file:") ? path.replaceFirst("^file:(//)?", "") : path;
  }

  private static ParquetFileReader open(Path file) throws IOException {
    return ParquetFileReader.open(new LocalInputFile(file), ParquetReadOptions.builder().build());
  }

  /** The {@code .parquet} files of a folder Spark wrote (its part files), or the one file given. */
  private static List<Path> parts(Path source) throws IOException {
    if (Files.isRegularFile(source)) {
      return List.of(source);
    }
    if (!Files.isDirectory(source)) {
      throw new java.io.FileNotFoundException(source + ": no such Parquet file or folder");
    }
    List<Path> files;
    try (Stream<Path> list = Files.list(source)) {
      files = list.filter(p -> p.getFileName().toString().endsWith(".parquet")
          && !p.getFileName().toString().startsWith(".")).sorted().toList();
    }
    if (files.isEmpty()) {
      throw new java.io.FileNotFoundException(source + ": no .parquet files in it (written by alexnet-spark "
          + "features?)");
    }
    return files;
  }
}
