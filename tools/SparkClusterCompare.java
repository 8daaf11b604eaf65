import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.alexnettfj.weights.WeightArray;
import org.alexnettfj.weights.WeightReader;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * tools/spark-cluster-check's last step: the cluster's Parquet rows against {@code alexnet features} on the same
 * images. Each image must have exactly one row, no error, and its features within 1e-5 of the largest value of
 * the CLI's (TensorFlow rounds batches of different sizes differently in the last bits). Exit 0 or 1.
 *
 * <pre>java @jvm.options -cp SPARK_JARS:WEIGHTS_CLASSES tools/SparkClusterCompare.java OUT.parquet E.npy E.txt</pre>
 */
public class SparkClusterCompare {

  public static void main(String[] args) throws Exception {
    WeightArray expected = WeightReader.readArray(Path.of(args[1]));
    List<String> names = Files.readAllLines(Path.of(args[2]));
    int width = expected.dim(1);
    Map<String, Integer> rowOf = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      rowOf.put(Path.of(names.get(i)).toAbsolutePath().normalize().toString(), i);
    }
    double scale = 0;
    for (float v : expected.data()) {
      scale = Math.max(scale, Math.abs(v));
    }
    SparkSession spark = SparkSession.builder().master("local[1]").appName("compare")
        .config("spark.ui.enabled", "false").getOrCreate();
    int problems = 0;
    try {
      List<Row> rows = spark.read().parquet(args[0]).collectAsList();
      Map<String, Integer> seen = new HashMap<>();
      double worst = 0;
      for (Row r : rows) {
        String path = Path.of(r.getString(0).replaceFirst("^file:", "")).toAbsolutePath().normalize().toString();
        seen.merge(path, 1, Integer::sum);
        Integer i = rowOf.get(path);
        if (i == null) {
          System.out.println("compare: a row for " + path + ", which alexnet features did not see");
          problems++;
          continue;
        }
        if (!r.isNullAt(2)) {
          System.out.println("compare: " + path + " has an error row: " + r.getString(2));
          problems++;
          continue;
        }
        List<Float> f = r.getList(1);
        if (f.size() != width) {
          System.out.println("compare: " + path + " has " + f.size() + " values, expected " + width);
          problems++;
          continue;
        }
        for (int j = 0; j < width; j++) {
          worst = Math.max(worst, Math.abs(f.get(j) - expected.data()[i * width + j]));
        }
      }
      for (String name : rowOf.keySet()) {
        int n = seen.getOrDefault(name, 0);
        if (n != 1) {
          System.out.println("compare: " + name + " has " + n + " rows, expected exactly 1");
          problems++;
        }
      }
      System.out.printf("compare: %d rows for %d images, largest difference %.2e of the largest value %.3f%n",
          rows.size(), names.size(), worst / scale, scale);
      if (worst > 1e-5 * scale) {
        System.out.println("compare: features differ from alexnet features by more than 1e-5 of the largest value");
        problems++;
      }
    } finally {
      spark.stop();
    }
    System.exit(problems == 0 ? 0 : 1);
  }
}
