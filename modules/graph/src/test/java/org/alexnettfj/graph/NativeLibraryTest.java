package org.alexnettfj.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class NativeLibraryTest {

  @Test
  void theNativeJarToAddIsTheApisRelease() throws Exception {
    Matcher m = Pattern.compile("<tensorflow.version>([^<]+)</tensorflow.version>")
        .matcher(Files.readString(Path.of("../../pom.xml")));
    assertThat(m.find()).as("the root pom's TensorFlow version").isTrue();
    assertThat(NativeLibrary.tensorFlowJava()).isEqualTo(m.group(1));
  }
}
