package org.alexnettfj.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class ExecutorThreadsTest {

  private static ExecutorThreads of(String master, String... settings) {
    SparkConf conf = new SparkConf(false).set("spark.master", master);
    for (int i = 0; i < settings.length; i += 2) {
      conf.set(settings[i], settings[i + 1]);
    }
    return ExecutorThreads.of(conf, 16);
  }

  @Test
  void localMasterGivesItsThreadCount() {
    assertThat(of("local[2]")).as("local[2]").isEqualTo(new ExecutorThreads(2, 2));
    assertThat(of("local[3, 4]")).as("local[N, maxFailures]").isEqualTo(new ExecutorThreads(3, 3));
    assertThat(of("local")).as("local: one thread").isEqualTo(new ExecutorThreads(1, 1));
    assertThat(of("local[*]")).as("local[*]: every core").isEqualTo(new ExecutorThreads(16, 16));
    assertThat(of("local-cluster[2, 3, 1024]")).as("local-cluster: cores per worker")
        .isEqualTo(new ExecutorThreads(3, 3));
  }

  @Test
  void executorCoresSettingWinsOverTheMaster() {
    assertThat(of("yarn", "spark.executor.cores", "4")).isEqualTo(new ExecutorThreads(4, 4));
    assertThat(of("local[8]", "spark.executor.cores", "4").intraOp()).isEqualTo(4);
  }

  @Test
  void clusterManagersWithoutExecutorCoresGetTheirDefaults() {
    assertThat(of("yarn").cores()).as("YARN's default spark.executor.cores is 1").isEqualTo(1);
    assertThat(of("k8s://https://host:6443").cores()).as("Kubernetes' default is 1").isEqualTo(1);
    assertThat(of("spark://host:7077").cores()).as("a standalone executor takes every core of its worker")
        .isEqualTo(16);
  }

  @Test
  void intraOpPoolIsTheExecutorsCoresAndInterOpOneThreadPerConcurrentTask() {
    ExecutorThreads t = of("yarn", "spark.executor.cores", "8", "spark.task.cpus", "2");
    assertThat(t.intraOp()).as("one intra-op pool shared by all tasks: the executor's cores").isEqualTo(8);
    assertThat(t.interOp()).as("8 cores / 2 cpus per task: 4 tasks at once").isEqualTo(4);
    assertThat(of("local[2]", "spark.task.cpus", "4").interOp()).as("at least one task").isEqualTo(1);
  }

  @Test
  void refusesZeroCores() {
    assertThatThrownBy(() -> new ExecutorThreads(0, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1");
  }
}
