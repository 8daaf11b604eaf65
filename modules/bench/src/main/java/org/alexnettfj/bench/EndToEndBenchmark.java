package org.alexnettfj.bench;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.alexnettfj.data.PreprocessConfig;
import org.alexnettfj.data.train.Augmentation;
import org.alexnettfj.data.train.BatchPipeline;
import org.alexnettfj.data.train.Dataset;
import org.alexnettfj.train.TfJpegDecoder;
import org.alexnettfj.train.Trainer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Training as {@code alexnet finetune} runs it: {@link BatchPipeline} decodes real JPEGs and applies the paper's
 * augmentation ({@link Augmentation#PAPER}: random 227 crop of a 256 x 256 resize, flip, PCA colour) on its worker
 * threads (JPEGs through {@link TfJpegDecoder}, as finetune's training images), a few batches ahead, while
 * {@link Trainer#step} trains on the batch before. Time per batch, so images/s = batch / time; compare with
 * {@link TrainStepBenchmark}'s model-only rate for the same {@code train} and {@code batch}.
 *
 * <p>The dataset is the three test photos (500 x 336 and 500 x 375 JPEGs, ImageNet-sized) listed
 * {@value #COPIES} times each: every item is read and decoded afresh, only the page cache is shared.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(1)
public class EndToEndBenchmark {

  /** Copies of each photo in the list: 12 batches of 128 per epoch, so epochs rarely end inside a run. */
  static final int COPIES = 512;

  /** Same as {@code alexnet finetune}: a 256 x 256 resize the random 227 crop moves in. */
  private static final PreprocessConfig PREPROCESS = PreprocessConfig.builder()
      .geometry(PreprocessConfig.Geometry.RESIZE_SQUARE_THEN_CENTER_CROP).build();

  /** {@code fc} (fc6, fc7, fc8), {@code fc8} or {@code all}, as {@link TrainStepBenchmark}. */
  @Param({"fc"})
  public String train;

  @Param({"128"})
  public int batch;

  /**
   * The paper's augmentation (random crop, flip, PCA colour) or, {@code false}, centre crops as {@code --no-augment}
   * (and so {@code --cache-features}) trains on.
   */
  @Param({"true"})
  public boolean augment;

  /**
   * {@code tensorflow}: JPEGs through {@link TfJpegDecoder}, as {@code alexnet finetune} decodes training images;
   * {@code exact}: the JDK's reader, as {@code --exact-decode} and {@code predict}.
   */
  @Param({"tensorflow"})
  public String decoder;

  /**
   * {@code photos}: the three test photos as they are; {@code 12mp}: the same photos enlarged to 4000 x 3000
   * (bicubic) and saved as JPEGs (quality 0.9), like a phone's — smoother than a real 12-megapixel photo, so
   * their entropy decoding, which DCT scaling does not shorten, is cheaper than a real one's.
   */
  @Param({"photos"})
  public String images;

  /** Decoding threads; 0: BatchPipeline's default (one per core, at most 4), as {@code alexnet finetune} uses. */
  @Param({"0"})
  public int workers;

  private Trainer trainer;
  private TfJpegDecoder jpeg;
  private Dataset dataset;
  private BatchPipeline pipeline;
  private BatchPipeline.Epoch epoch;
  private int epochNumber;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    Path photos = Path.of(System.getProperty("alexnet.bench.images", "modules/data/src/test/resources/images"));
    List<String> names = List.of("llama.jpeg", "sealion.jpeg", "zebra.jpeg");
    if (images.equals("12mp")) {
      photos = enlarged(photos, names);
    } else if (!images.equals("photos")) {
      throw new IllegalArgumentException("images must be photos or 12mp, got " + images);
    }
    List<String> lines = new ArrayList<>();
    for (int copy = 0; copy < COPIES; copy++) {
      for (int label = 0; label < names.size(); label++) {
        Path photo = photos.resolve(names.get(label)).toAbsolutePath();
        if (copy == 0 && !Files.isRegularFile(photo)) {
          throw new IOException(photo + ": test photo not found (set -Dalexnet.bench.images=DIR)");
        }
        lines.add(photo + " " + label);
      }
    }
    Path list = Files.createTempFile("alexnet-e2e", ".txt");
    Files.write(list, lines, StandardCharsets.UTF_8);
    dataset = Dataset.fromListFile(list);
    Files.delete(list);
    trainer = TrainStepBenchmark.trainer(train);   // first: its session sizes TensorFlow's intra-op pool
    jpeg = switch (decoder) {
      case "tensorflow" -> new TfJpegDecoder();
      case "exact" -> null;
      default -> throw new IllegalArgumentException("decoder must be tensorflow or exact, got " + decoder);
    };
    BatchPipeline.Builder b = BatchPipeline.builder().setDataset(dataset)
        .optPreprocess(PREPROCESS.withJpegDecoder(jpeg)).optAugmentation(augment ? Augmentation.PAPER
            : Augmentation.NONE).optBatchSize(batch).optDropLast(true).optSeed(1).optStrict(true);
    pipeline = (workers > 0 ? b.optWorkers(workers) : b).build();
    epoch = pipeline.epoch(epochNumber);
  }

  /** The photos enlarged to 4000 x 3000 JPEGs in a temporary folder, deleted at exit. */
  private static Path enlarged(Path photos, List<String> names) throws IOException {
    Path dir = Files.createTempDirectory("alexnet-e2e-12mp");
    dir.toFile().deleteOnExit();
    for (String name : names) {
      Path photo = photos.resolve(name);
      BufferedImage small = ImageIO.read(photo.toFile());
      if (small == null) {
        throw new IOException(photo + ": test photo not found or not an image (set -Dalexnet.bench.images=DIR)");
      }
      BufferedImage big = new BufferedImage(4000, 3000, BufferedImage.TYPE_3BYTE_BGR);
      Graphics2D g = big.createGraphics();
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
      g.drawImage(small, 0, 0, 4000, 3000, null);
      g.dispose();
      ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(0.9f);
      Path out = dir.resolve(name);
      try (ImageOutputStream stream = ImageIO.createImageOutputStream(out.toFile())) {
        writer.setOutput(stream);
        writer.write(null, new IIOImage(big, null, null), param);
      } finally {
        writer.dispose();
      }
      out.toFile().deleteOnExit();
    }
    return dir;
  }

  @Benchmark
  public float step() {
    if (!epoch.hasNext()) {
      epoch.close();
      epoch = pipeline.epoch(++epochNumber);
    }
    BatchPipeline.Batch b = epoch.next();
    return trainer.step(b.images(), b.labels(), b.size());
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    epoch.close();
    pipeline.close();
    trainer.close();
    if (jpeg != null) {
      jpeg.close();
    }
    dataset.close();
  }
}
