package org.alexnettfj.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The committed fixtures (tools/fixtures) and their manifest, written by Python independently of this reader. */
final class Fixtures {

  private static JsonNode manifest;

  private Fixtures() {
  }

  static Path dir() {
    try {
      return Path.of(Fixtures.class.getResource("/fixtures/manifest.json").toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path file(String name) {
    return dir().resolve(name);
  }

  static synchronized JsonNode manifest() {
    if (manifest == null) {
      try {
        manifest = new ObjectMapper().readTree(file("manifest.json").toFile());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return manifest;
  }

  /** sha256 of the array's logical C-order values as little-endian float32, the manifest's checksum rule. */
  static String sha256(float[] data) {
    ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(data);
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The small AlexNet-shaped layers every bvlc-mini fixture uses, from the manifest. */
  static java.util.List<AlexNetSpec.Layer> miniSpec() {
    JsonNode shapes = manifest().get("mini_shapes");
    java.util.List<AlexNetSpec.Layer> layers = new java.util.ArrayList<>();
    for (String name : AlexNetSpec.LAYER_NAMES) {
      JsonNode s = shapes.get(name);
      int[] shape = new int[s.size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = s.get(i).asInt();
      }
      layers.add(new AlexNetSpec.Layer(name, shape, 1));
    }
    return layers;
  }
}
