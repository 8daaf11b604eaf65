package org.alexnettfj.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.alexnettfj.command.UsageError;
import org.alexnettfj.graph.AlexNetPredictor;
import org.alexnettfj.pictures.ContactSheet;
import org.alexnettfj.pictures.Thumbnails;
import org.alexnettfj.search.FeatureIndex;
import org.alexnettfj.search.NearestNeighbours;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code alexnet similar}: each query image's nearest images in an index, by the index's layer (the paper's
 * Figure 4 with fc7). The queries' features are computed as the index's were: its layer, weights, mean and
 * oversampling, unless given here.
 */
@Command(name = "similar", mixinStandardHelpOptions = true, exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:every query was read", "1:bad input; nothing was written",
        "2:a usage error (an unknown option, a missing value, a value the option cannot take)",
        "3:some queries could not be read (each named on stderr and as an error element); the others were answered"},
    description = "Print each query image's k nearest images in an index (written by `alexnet index`, or a "
        + "`features` .npy with its .txt), with distances; --json for one array, --html for a contact "
        + "sheet. Exact search: every row is compared (see the search module's docs for approximate "
        + "indexes).")
final class SimilarCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  ModelOptions model;

  @Option(names = "--index", required = true, paramLabel = "NAME.index|FEATS.npy", description = "What to search.")
  Path index;

  @Option(names = {"-k", "--k"}, paramLabel = "K", defaultValue = "5",
      description = "Neighbours per query. Default: ${DEFAULT-VALUE}.")
  int k;

  @Option(names = "--metric", paramLabel = "euclidean|cosine", defaultValue = "euclidean",
      description = "Distance: euclidean (the paper's) or cosine (1 - cos). Default: ${DEFAULT-VALUE}.")
  String metric;

  @Option(names = "--layer", paramLabel = "LAYER",
      description = "The layer of a features .npy (an index folder names its own). Default: fc7.")
  String layer;

  @Option(names = "--json", description = SharedOptions.JSON + " One array: an element per query, in order.")
  boolean json;

  @Option(names = "--html", paramLabel = "SHEET.html",
      description = "Also write a contact sheet: each query beside its neighbours, thumbnails embedded.")
  Path html;

  @Override
  public Integer call() throws Exception {
    if (k < 1) {
      throw new UsageError("-k must be at least 1, was " + k);
    }
    NearestNeighbours.Metric m = switch (metric.toLowerCase(Locale.ROOT)) {
      case "euclidean" -> NearestNeighbours.Metric.EUCLIDEAN;
      case "cosine" -> NearestNeighbours.Metric.COSINE;
      default -> throw new UsageError("--metric " + metric + ": euclidean or cosine");
    };
    if (model.inputTensor != null) {
      throw new UsageError("--input-tensor: give the query images themselves");
    }
    List<Path> queries = model.imagePaths();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (FeatureIndex idx = FeatureIndex.open(index)) {
      String indexLayer = indexSettings(idx, err);
      List<float[]> vectors = new ArrayList<>();
      List<Path> answered = new ArrayList<>();
      Map<Path, String> errors = new LinkedHashMap<>();
      try (AlexNetPredictor predictor = model.predictor()) {
        int width = predictor.model().featureSize(indexLayer);
        if (width != idx.dims()) {
          throw new IllegalArgumentException(index + " holds rows of " + idx.dims() + " values but " + indexLayer
              + " has " + width);
        }
        predictor.run(queries, indexLayer, model.strict.on(), o -> {
          if (o.ok()) {
            vectors.add(o.output());
            answered.add(o.path());
          } else {
            errors.put(o.path(), o.error().getMessage());
            err.println("alexnet similar: skipped " + o.error().getMessage());
          }
        });
      }
      int threads = model.threads.orAllCores();
      List<List<NearestNeighbours.Neighbour>> found = NearestNeighbours.search(idx, vectors, k, m, threads);
      Map<Path, List<NearestNeighbours.Neighbour>> byQuery = new LinkedHashMap<>();
      for (int i = 0; i < answered.size(); i++) {
        byQuery.put(answered.get(i), found.get(i));
      }
      if (json) {
        printJson(out, queries, byQuery, errors);
      } else {
        printText(out, queries, byQuery, errors);
      }
      if (html != null) {
        List<ContactSheet.Row> rows = new ArrayList<>();
        for (Path q : queries) {
          List<ContactSheet.Cell> cells = new ArrayList<>();
          for (NearestNeighbours.Neighbour n : byQuery.getOrDefault(q, List.of())) {
            cells.add(new ContactSheet.Cell(n.path(), n.distance()));
          }
          rows.add(new ContactSheet.Row(q.toString(), cells, errors.get(q)));
        }
        new ContactSheet("Similar images", String.format(Locale.ROOT, "%d nearest of %d images in %s by %s, %s "
            + "distance", k, idx.size(), index, indexLayer, metric.toLowerCase(Locale.ROOT)), rows)
            .write(html, Thumbnails.ImageSource.FILES);
        err.println("alexnet similar: wrote " + html);
      }
      out.flush();
      err.flush();
      return errors.isEmpty() ? 0 : AlexNetCli.EXIT_SOME_INPUTS_FAILED;
    }
  }

  /**
   * The index's layer; its weights, mean image and oversampling replace the defaults of options not given, so the
   * queries are computed as the rows were. A different choice given here is allowed, with a warning.
   */
  private String indexSettings(FeatureIndex idx, PrintWriter err) {
    Properties p = idx.properties();
    ParseResult given = spec.commandLine().getParseResult();
    String l = p.getProperty("layer");
    if (l != null && layer != null && !l.equals(layer)) {
      throw new IllegalArgumentException("--layer " + layer + ", but " + index + " holds " + l + " features");
    }
    String w = p.getProperty("weights");
    if (w != null) {
      if (!given.hasMatchedOption("--weights")) {
        model.weights = Path.of(w);
      } else if (!model.weights.toAbsolutePath().normalize().toString().equals(w)) {
        err.println("alexnet similar: warning: " + index + " was built with " + w + ", the queries use "
            + model.weights + ": distances compare features of two models");
      }
    }
    String mean = p.getProperty("meanImage");
    if (mean != null && !given.hasMatchedOption("--mean-image")) {
      model.meanImage = Path.of(mean);
    }
    if (Boolean.parseBoolean(p.getProperty("oversample")) && !given.hasMatchedOption("--oversample")) {
      model.oversample = true;
    }
    return l != null ? l : layer != null ? layer : "fc7";
  }

  private void printText(PrintWriter out, List<Path> queries, Map<Path, List<NearestNeighbours.Neighbour>> found,
      Map<Path, String> errors) {
    for (Path q : queries) {
      out.println(q);
      if (errors.containsKey(q)) {
        out.println("  error: " + errors.get(q));
        continue;
      }
      int rank = 1;
      for (NearestNeighbours.Neighbour n : found.get(q)) {
        out.printf(Locale.ROOT, "  %2d  %10.4f  %s%n", rank++, n.distance(), n.path());
      }
    }
  }

  private void printJson(PrintWriter out, List<Path> queries, Map<Path, List<NearestNeighbours.Neighbour>> found,
      Map<Path, String> errors) throws IOException {
    List<Map<String, Object>> all = new ArrayList<>();
    for (Path q : queries) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("query", q.toString());
      if (errors.containsKey(q)) {
        e.put("error", errors.get(q));
      } else {
        List<Map<String, Object>> ns = new ArrayList<>();
        for (NearestNeighbours.Neighbour n : found.get(q)) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("path", n.path());
          row.put("row", n.row());
          row.put("distance", n.distance());
          ns.add(row);
        }
        e.put("neighbours", ns);
      }
      all.add(e);
    }
    out.println(Json.of(all));
  }
}
