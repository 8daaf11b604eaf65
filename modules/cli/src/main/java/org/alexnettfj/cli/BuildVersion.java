package org.alexnettfj.cli;

import org.alexnettfj.graph.AlexNet;
import picocli.CommandLine.IVersionProvider;

/** {@code --version} of every command: the version Maven built ({@link AlexNet#version()}). */
final class BuildVersion implements IVersionProvider {

  @Override
  public String[] getVersion() {
    return new String[] {"alexnet-tfj " + AlexNet.version()};
  }
}
