package com.example.alexnet;

import org.alexnettfj.spark.FeatureJob;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * fc7 features of every image under a folder, on Spark, written as Parquet rows (path, features, error). Locally
 * here; on a cluster, package it with its dependencies (not Spark) and spark-submit it, with a weights path every
 * executor can read.
 *
 * <pre>
 * mvn -q compile exec:java -Dexec.args="weights/bvlc_alexnet.npy photos/ photos.parquet"
 * </pre>
 */
public final class SparkFeatures {

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: SparkFeatures WEIGHTS INPUT_DIR OUT.parquet");
      System.exit(2);
    }
    long failed;
    try (SparkSession spark = SparkSession.builder().appName("alexnet features").master("local[2]")
        .getOrCreate()) {
      Dataset<String> paths = FeatureJob.listImages(spark, args[1], FeatureJob.IMAGE_FILTER);
      Dataset<Row> rows = FeatureJob.extract(paths, new FeatureJob.Settings(args[0], "fc7", 64, 0));
      rows.write().parquet(args[2]);
      failed = spark.read().parquet(args[2]).where("error IS NOT NULL").count();
      System.out.println("wrote " + args[2] + "; images that could not be read: " + failed);
    }
    // every image has a row; a non-zero exit when any of them failed, as the alexnet CLI does
    System.exit(failed > 0 ? 1 : 0);
  }
}
