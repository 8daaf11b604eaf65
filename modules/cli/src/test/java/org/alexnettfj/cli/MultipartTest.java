package org.alexnettfj.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The multipart/form-data bodies curl and browsers send, and the broken ones a server must refuse in one line. */
class MultipartTest {

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void splitsPartsKeepingFileNamesAndBinaryBytes() {
    String body = "preamble\r\n--AaB03x\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.jpg\"\r\n"
        + "Content-Type: image/jpeg\r\n\r\n\u00ff\u00d8\r\n--AaB0\r\n\u00ff\u00d9\r\n--AaB03x\r\n"
        + "Content-Disposition: form-data; name=\"second\"\r\n\r\nxyz\r\n--AaB03x--\r\nepilogue";
    List<Multipart.Part> parts = Multipart.parse("multipart/form-data; boundary=\"AaB03x\"", bytes(body));
    assertThat(parts).hasSize(2);
    assertThat(parts.get(0).name()).isEqualTo("image");
    assertThat(parts.get(0).filename()).isEqualTo("a.jpg");
    assertThat(parts.get(0).bytes()).as("a line that only starts like the boundary is data")
        .isEqualTo(bytes("\u00ff\u00d8\r\n--AaB0\r\n\u00ff\u00d9"));
    assertThat(parts.get(1).name()).isEqualTo("second");
    assertThat(parts.get(1).filename()).isNull();
    assertThat(parts.get(1).bytes()).isEqualTo(bytes("xyz"));
    assertThat(Multipart.is("Multipart/Form-Data; boundary=x")).isTrue();
    assertThat(Multipart.is("image/jpeg")).isFalse();
  }

  @Test
  void refusesBrokenBodiesNamingWhatIsMissing() {
    assertThatThrownBy(() -> Multipart.parse("multipart/form-data", bytes("--x\r\n")))
        .hasMessage("multipart/form-data without a boundary in its Content-Type");
    assertThatThrownBy(() -> Multipart.parse("multipart/form-data; boundary=x", bytes("no boundary here")))
        .hasMessage("multipart body without its opening boundary");
    assertThatThrownBy(() -> Multipart.parse("multipart/form-data; boundary=x",
        bytes("--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\ndata that never ends")))
        .hasMessage("multipart body ends inside part 1 (no closing boundary)");
    assertThat(Multipart.parse("multipart/form-data; boundary=x", bytes("--x--\r\n"))).isEmpty();
  }
}
