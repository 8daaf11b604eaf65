package org.alexnettfj.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Prints a JMH JSON result as median, min and max per benchmark (JMH's own table gives mean and error). */
public final class MedianTable {

  private MedianTable() {
  }

  public static void main(String[] args) throws Exception {
    JsonNode results = new ObjectMapper().readTree(new File(args[0]));
    System.out.printf("%-40s %6s %10s %10s %10s  %s%n", "benchmark", "n", "median", "min", "max", "unit");
    for (JsonNode r : results) {
      List<Double> samples = new ArrayList<>();
      for (JsonNode fork : r.get("primaryMetric").get("rawData")) {
        for (JsonNode v : fork) {
          samples.add(v.asDouble());
        }
      }
      Collections.sort(samples);
      int n = samples.size();
      double median = n % 2 == 1 ? samples.get(n / 2) : (samples.get(n / 2 - 1) + samples.get(n / 2)) / 2;
      String name = r.get("benchmark").asText();
      name = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
      JsonNode params = r.get("params");
      if (params != null) {
        name += " " + params.toString().replaceAll("[\"{}]", "");
      }
      System.out.printf("%-40s %6d %10.2f %10.2f %10.2f  %s%n", name, n, median, samples.get(0),
          samples.get(n - 1), r.get("primaryMetric").get("scoreUnit").asText());
    }
  }
}
