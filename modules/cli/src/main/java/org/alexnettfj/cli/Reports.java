package org.alexnettfj.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.alexnettfj.data.train.Dataset;
import org.alexnettfj.data.train.LabeledImage;
import org.alexnettfj.pictures.Thumbnails;
import org.alexnettfj.pictures.TrainingReport;
import org.alexnettfj.train.TrainingListener;
import org.alexnettfj.train.Validation;

/** What {@code finetune --report} and {@code evaluate --report} share: the page from a run's numbers. */
final class Reports {

  private Reports() {
  }

  /** Each epoch's numbers as the run goes, for the learning curves. */
  static final class Curves implements TrainingListener {
    private final List<TrainingReport.EpochRow> rows = new ArrayList<>();

    @Override
    public void onEpoch(Epoch e) {
      rows.add(new TrainingReport.EpochRow(e.epoch(), e.trainLoss(), e.validation().top1(), e.validation().top5(),
          e.learningRate(), e.learningRateChange()));
    }

    List<TrainingReport.EpochRow> rows() {
      return List.copyOf(rows);
    }
  }

  /** Writes the report; thumbnails are read from {@code images} (a folder, list or archive) by source name. */
  static void write(Path out, String title, List<String> classes, List<TrainingReport.EpochRow> epochs,
      long[][] confusion, List<Validation.Mistake> mistakes, Map<String, String> settings, Dataset images)
      throws IOException {
    List<TrainingReport.Mistake> shown = new ArrayList<>();
    for (Validation.Mistake m : mistakes) {
      shown.add(new TrainingReport.Mistake(m.source(), m.truth(), m.predicted(), m.probability()));
    }
    Map<String, LabeledImage> bySource = new HashMap<>();
    for (LabeledImage item : images.items()) {
      bySource.put(item.source(), item);
    }
    Thumbnails.ImageSource source = name -> {
      LabeledImage item = bySource.get(name);
      if (item == null) {
        throw new IOException("not in the dataset");
      }
      return images.read(item);
    };
    new TrainingReport(title, classes, epochs, confusion, shown, settings).write(out, source);
  }

  static void write(Path out, String title, List<String> classes, List<TrainingReport.EpochRow> epochs,
      Validation validation, Map<String, String> settings, Dataset images) throws IOException {
    write(out, title, classes, epochs, validation.confusion(), validation.mistakes(), settings, images);
  }
}
