/**
 * TensorBoard event files for a training run, written and read in plain Java with TensorFlow's own generated
 * protobuf classes ({@code org.tensorflow.proto.Event}, {@code Summary}, {@code HistogramProto}).
 *
 * <p>{@link org.alexnettfj.train.tensorboard.TensorBoardLog} is what a training loop calls (scalars, histograms,
 * the graph) and lists the tags the fine-tuning trainer writes; {@link
 * org.alexnettfj.train.tensorboard.EventFileWriter} writes the TFRecord-framed events; {@link
 * org.alexnettfj.train.tensorboard.EventFileReader} reads them back with every CRC checked; {@link
 * org.alexnettfj.train.tensorboard.Histograms} bins values over TensorFlow's default buckets.
 */
package org.alexnettfj.train.tensorboard;
