/**
 * What the tests of several modules share (and the benchmarks' full-size weight file): AlexNet weights of seeded
 * random values in the distributions the tests need, and Caffe's mean image. The real weights are not on CI.
 */
package org.alexnettfj.testfixtures;
