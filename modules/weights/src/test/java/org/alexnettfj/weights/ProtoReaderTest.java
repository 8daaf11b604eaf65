package org.alexnettfj.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ProtoReaderTest {

  private static ProtoReader reader(int... bytes) {
    byte[] b = new byte[bytes.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) bytes[i];
    }
    return new ProtoReader(ByteBuffer.wrap(b), "t.caffemodel", 0, b.length);
  }

  @Test
  void decodesVarintsUpToTenBytesAndSixtyFourBits() throws Exception {
    assertThat(reader(0x00).varint()).isZero();
    assertThat(reader(0x96, 0x01).varint()).isEqualTo(150);
    assertThat(reader(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01).varint()).isEqualTo(-1L);
    ProtoReader negative = reader(0x08, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
    assertThat(negative.next()).isTrue();
    assertThat(negative.int32()).as("int32 -2 is ten bytes on the wire").isEqualTo(-2);
  }

  @Test
  void rejectsVarintsThatOverflowOrRunPastTheEnd() {
    assertThatThrownBy(() -> reader(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02).varint())
        .isInstanceOf(WeightFileException.class).hasMessageContaining("varint overflows 64 bits");
    assertThatThrownBy(() -> reader(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01).varint())
        .hasMessageContaining("varint overflows 64 bits");
    assertThatThrownBy(() -> reader(0x80, 0x80).varint()).hasMessageContaining("runs past the end")
        .hasMessageContaining("at byte 0");
  }

  @Test
  void readsTagsAndSkipsEveryWireType() throws Exception {
    // field 1 varint 300, field 2 fixed64, field 3 "hi", field 4 fixed32 1.5f, field 100 varint 7
    ProtoReader r = reader(0x08, 0xac, 0x02, 0x11, 1, 2, 3, 4, 5, 6, 7, 8, 0x1a, 2, 'h', 'i', 0x25, 0, 0, 0xc0, 0x3f,
        0xa0, 0x06, 7);
    assertThat(r.next()).isTrue();
    assertThat(r.field()).isEqualTo(1);
    r.skip();
    assertThat(r.next()).isTrue();
    assertThat(r.wireType()).isEqualTo(ProtoReader.I64);
    r.skip();
    assertThat(r.next()).isTrue();
    assertThat(r.string()).isEqualTo("hi");
    assertThat(r.next()).isTrue();
    assertThat(r.fixed32Float()).isEqualTo(1.5f);
    assertThat(r.next()).isTrue();
    assertThat(r.field()).isEqualTo(100);
    assertThat(r.tagOffset()).isEqualTo(21);
    assertThat(r.int32()).isEqualTo(7);
    assertThat(r.next()).isFalse();
  }

  @Test
  void checksEveryLengthAgainstTheEnclosingMessageBeforeUsingIt() throws Exception {
    // field 1, length 0x7ffffff0 (2147483632), 2 bytes present
    ProtoReader r = reader(0x0a, 0xf0, 0xff, 0xff, 0xff, 0x07, 'a', 'b');
    r.next();
    assertThatThrownBy(r::message).isInstanceOf(WeightFileException.class)
        .hasMessageContaining("field 1 claims 2147483632 bytes but only 2 remain in the file")
        .hasMessageContaining("at byte 0");

    // an inner message may not reach past its parent's end, even when the file goes on
    ProtoReader outer = reader(0x0a, 2, 0x12, 5, 'x', 'y', 'z', 'w', 'v');
    outer.next();
    ProtoReader inner = outer.message();
    inner.next();
    assertThatThrownBy(inner::string).hasMessageContaining("field 2 claims 5 bytes but only 0 remain in its message");
    assertThat(outer.position()).isEqualTo(4);
  }

  @Test
  void rejectsGroupsInvalidWireTypesAndFieldZero() {
    assertThatThrownBy(() -> reader(0x0b).next()).hasMessageContaining("a group, which Caffe never writes");
    assertThatThrownBy(() -> reader(0x0e).next()).hasMessageContaining("wire type 6 (not a protobuf wire type)");
    assertThatThrownBy(() -> reader(0x02, 0).next()).hasMessageContaining("field number 0");
  }

  @Test
  void fixedWidthValuesMustBeThere() throws Exception {
    ProtoReader r = reader(0x0d, 1, 2);
    r.next();
    assertThatThrownBy(r::fixed32Float).hasMessageContaining("needs 4 bytes but only 2 remain");
    ProtoReader wrong = reader(0x08, 1);
    wrong.next();
    assertThatThrownBy(wrong::string).hasMessageContaining("has wire type 0, expected 2");
  }

  @Test
  void errorsNameTheLayerBeingRead() throws Exception {
    ProtoReader r = reader(0x08).layer("fc6");
    r.next();
    assertThatThrownBy(r::varint).isInstanceOfSatisfying(WeightFileException.class,
        e -> assertThat(e.layer()).isEqualTo("fc6"));
  }
}
