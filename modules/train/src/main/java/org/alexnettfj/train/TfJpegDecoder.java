package org.alexnettfj.train;

import org.alexnettfj.data.BgrImage;
import org.alexnettfj.data.JpegDecoder;
import org.alexnettfj.data.PreprocessConfig;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.image.DecodeJpeg;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * DCT-scaled JPEG decoding for training through TensorFlow's {@code DecodeJpeg} (libjpeg-turbo): hand it to
 * {@link PreprocessConfig#withJpegDecoder} and a photo at least twice the 256 resize a side is decoded at 1/2, 1/4
 * or 1/8 of its size, a fraction of the cost of a full decode (BENCHMARKS.md); smaller ones stay with the JDK's
 * reader, which is as fast at full size. At full size this decoder uses libjpeg's accurate integer IDCT and fancy
 * upsampling, the JDK reader's and {@code cv2.imread}'s settings, and gives the same bytes on the test photos.
 *
 * <p>Each call runs in the caller's thread (a session without an inter-op pool), so a {@code BatchPipeline}'s
 * workers decode side by side. Build it after the model's {@code Trainer} or predictor: TensorFlow sizes one
 * intra-op pool per process from the first session, and this one asks for none (all cores). Thread-safe;
 * {@link #close()} frees the graph and session.
 *
 * <pre>{@code
 * try (TfJpegDecoder jpeg = new TfJpegDecoder()) {
 *   PreprocessConfig training = preprocess.withJpegDecoder(jpeg);
 *   ...
 * }
 * }</pre>
 */
public final class TfJpegDecoder implements JpegDecoder, AutoCloseable {

  private static final int[] SCALES = {1, 2, 4, 8};

  private final Graph graph;
  private final Session session;
  private final Placeholder<TString> contents;
  private final DecodeJpeg[] decoded = new DecodeJpeg[SCALES.length];

  /**
   * Builds the decoding graph and its session, which hold native memory until {@link #close()}.
   */
  public TfJpegDecoder() {
    graph = new Graph();
    try {
      Ops tf = Ops.create(graph);
      contents = tf.withName("contents").placeholder(TString.class);
      for (int i = 0; i < SCALES.length; i++) {
        decoded[i] = tf.withName("decode_" + SCALES[i]).image.decodeJpeg(contents, DecodeJpeg.channels(3L)
            .ratio((long) SCALES[i]).dctMethod("INTEGER_ACCURATE").fancyUpscaling(true));
      }
      // inter-op threads < 0: the op runs in the calling thread, so concurrent calls decode in parallel. No
      // intra-op setting: TensorFlow sizes its process-wide intra-op pool from the first session's, and 1 here
      // would have starved a model built after this decoder.
      session = new Session(graph, ConfigProto.newBuilder().setInterOpParallelismThreads(-1).build());
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  @Override
  public BgrImage decode(byte[] jpeg, int scale) {
    int index = Integer.numberOfTrailingZeros(scale);
    if (Integer.bitCount(scale) != 1 || index >= SCALES.length) {
      throw new IllegalArgumentException("scale must be 1, 2, 4 or 8, got " + scale);
    }
    try (TString in = TString.tensorOfBytes(NdArrays.scalarOfObject(jpeg));
        Result out = session.runner().feed(contents, in).fetch(decoded[index]).run()) {
      Tensor rgb = out.get(0);
      if (!(rgb instanceof TUint8) || rgb.shape().numDimensions() != 3 || rgb.shape().get(2) != 3) {
        throw new IllegalStateException("DecodeJpeg gave " + rgb.shape() + ", expected [height, width, 3]");
      }
      int height = (int) rgb.shape().get(0);
      int width = (int) rgb.shape().get(1);
      byte[] pixels = new byte[Math.multiplyExact(height, width * 3)];
      rgb.asRawTensor().data().read(pixels);
      for (int i = 0; i < pixels.length; i += 3) {
        byte r = pixels[i];
        pixels[i] = pixels[i + 2];
        pixels[i + 2] = r;
      }
      return new BgrImage(width, height, pixels);
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } finally {
      graph.close();
    }
  }
}
