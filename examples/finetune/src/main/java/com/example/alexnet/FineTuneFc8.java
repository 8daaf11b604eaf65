package com.example.alexnet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.alexnettfj.data.PreprocessConfig;
import org.alexnettfj.data.train.BatchPipeline;
import org.alexnettfj.data.train.Dataset;
import org.alexnettfj.graph.AlexNet;
import org.alexnettfj.graph.Labels;
import org.alexnettfj.train.BatchSource;
import org.alexnettfj.train.FineTuning;
import org.alexnettfj.train.Trainer;
import org.alexnettfj.weights.AlexNetSpec;
import org.alexnettfj.weights.AlexNetWeights;
import org.alexnettfj.weights.NpzWriter;
import org.alexnettfj.weights.WeightArray;

/**
 * The classic fine-tuning: fc8 replaced by one for your classes and trained, every other layer loaded and frozen.
 * Data are folders of class folders ({@code train/cat/1.jpg}, {@code train/dog/2.jpg}, ...).
 *
 * <pre>
 * mvn -q compile exec:java -Dexec.args="weights/bvlc_alexnet.npy data/train data/val model.npz [EPOCHS]"
 * </pre>
 */
public final class FineTuneFc8 {

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println("usage: FineTuneFc8 WEIGHTS TRAIN_DIR VAL_DIR OUT.npz [EPOCHS]");
      System.exit(2);
    }
    Path weights = Path.of(args[0]);
    Dataset train = Dataset.fromImageFolder(Path.of(args[1]));
    Dataset val = Dataset.fromImageFolder(Path.of(args[2]));
    Path out = Path.of(args[3]);
    int epochs = args.length > 4 ? Integer.parseInt(args[4]) : 3;
    List<String> classes = train.classNames();

    // fc8 in the skip list: freshly initialised for len(classes) outputs; the rest loaded from the file
    AlexNetWeights pretrained = AlexNetWeights.load(weights, Set.of("fc8"), classes.size());
    try (Trainer trainer = Trainer.builder().setWeights(pretrained).optNumClasses(classes.size())
            .optTrainLayers(Set.of("fc8")).optLearningRate(0.01f).build();
        BatchPipeline trainBatches = pipeline(train, true, epochs);
        BatchPipeline valBatches = pipeline(val, false, epochs)) {
      FineTuning.Result r = FineTuning.builder().setTrainer(trainer)
          .setTrainData(BatchSource.of(trainBatches)).setValidationData(BatchSource.of(valBatches))
          .optEpochs(epochs).build().run();
      System.out.printf(Locale.ROOT, "best validation top-1 %.3f at epoch %d%n", r.bestValTop1(), r.bestEpoch());

      // the fine-tuned model: every layer, and its class names beside it, where AlexNet.load finds them
      Map<String, WeightArray> arrays = new LinkedHashMap<>();
      for (String layer : AlexNetSpec.LAYER_NAMES) {
        arrays.put(layer + "/weights", trainer.parameter(layer + "/weights"));
        arrays.put(layer + "/biases", trainer.parameter(layer + "/biases"));
      }
      NpzWriter.write(out, arrays);
      Files.write(Labels.classesFile(out), classes);
    }

    try (AlexNet net = AlexNet.load(out)) {
      Path first = Path.of(val.items().get(0).source());
      System.out.println(first + ": " + net.predict(first, 1).top().get(0).label());
    }
  }

  private static BatchPipeline pipeline(Dataset data, boolean shuffle, int epochs) {
    return BatchPipeline.builder().setDataset(data).optPreprocess(PreprocessConfig.NOTEBOOK).optBatchSize(32)
        .optShuffle(shuffle).optEpochs(epochs).build();
  }
}
