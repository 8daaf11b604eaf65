package org.alexnettfj.command;

import org.alexnettfj.graph.AlexNet;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code --version} of every command: the version Maven built ({@link AlexNet#version()}), e.g.
 * {@code alexnet-tfj 0.1.0}.
 *
 * <pre>
 *   &#64;Command(name = "alexnet", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class)
 * </pre>
 */
public final class BuildVersion implements IVersionProvider {

  /** The provider picocli makes from {@code versionProvider = BuildVersion.class}. */
  public BuildVersion() {
  }

  @Override
  public String[] getVersion() {
    return new String[] {"alexnet-tfj " + AlexNet.version()};
  }
}
