package org.alexnettfj.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A restricted unpickler for numpy weight dictionaries (pickle protocols 2 to 5).
 *
 * <p>A pickle is a program; this one runs only the few instructions that build numpy arrays, dtypes and plain
 * containers. Any other global, and every opcode that instantiates arbitrary classes (INST, OBJ, NEWOBJ,
 * PERSID, EXT*), is refused at the opcode that names it, before anything is built from it.
 *
 * <p>Large byte strings (array payloads) are not read when met: their place in the file is noted and the bytes
 * are decoded straight into the final float array when the array is built, so a 244 MB file costs 244 MB of
 * heap, not twice that, and a corrupt length field can never make it allocate more than the file holds.
 *
 * <p>The work is bounded by the file, whatever it holds: at most {@value #MAX_ITEMS} containers and container
 * slots in all, {@value #MAX_STACK} objects on the stack, {@value #MAX_MEMO} memo entries, and array data decoded
 * at most once per byte of the pickle (so one byte string shared through the memo cannot become a thousand
 * arrays). Each limit is refused with the reader's own error, naming the file, the offset and the limit.
 */
final class Unpickler {

  /** Python's None. */
  static final Object NONE = new Object() {
    @Override
    public String toString() {
      return "None";
    }
  };
  private static final Object MARK_SENTINEL = new Object();

  private static final int SMALL_STRING = 4096;
  /** A classic AlexNet pickle builds about 500 containers and slots (30 an array); this is 500 times that. */
  static final int MAX_ITEMS = 1 << 18;
  static final int MAX_STACK = 1 << 16;
  private static final int MAX_MARKS = 64;
  static final int MAX_MEMO = 1 << 16;
  private static final int MAX_RANK = 32;

  /** The only callables a weight pickle may name. */
  enum Global {
    RECONSTRUCT, NDARRAY, DTYPE, FROMBUFFER, CODECS_ENCODE, BYTES, BYTEARRAY;

    static Global lookup(String module, String name) {
      return switch (module + "." + name) {
        case "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct" -> RECONSTRUCT;
        case "numpy.ndarray", "numpy.core.multiarray.ndarray", "numpy._core.multiarray.ndarray" -> NDARRAY;
        case "numpy.dtype", "numpy.core.multiarray.dtype", "numpy._core.multiarray.dtype" -> DTYPE;
        case "numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer" -> FROMBUFFER;
        case "_codecs.encode" -> CODECS_ENCODE;
        case "__builtin__.bytes", "builtins.bytes" -> BYTES;
        case "__builtin__.bytearray", "builtins.bytearray" -> BYTEARRAY;
        default -> null;
      };
    }
  }

  /** A byte string too large to read when met: where it lies in the file. */
  record Region(long offset, long length, boolean utf8Latin1) { }

  /** A unicode string too large to read when met (the text half of {@code _codecs.encode(text, 'latin1')}). */
  record UnicodeRegion(long offset, long length) { }

  record Tuple(Object[] items) {
    int size() {
      return items.length;
    }

    Object get(int i) {
      return items[i];
    }
  }

  /** A numpy dtype under construction: {@code dtype('f4', 0, 1)} then BUILD with its byte order. */
  static final class DtypeValue {
    Dtype dtype;

    DtypeValue(Dtype dtype) {
      this.dtype = dtype;
    }
  }

  /** An ndarray: made empty by {@code _reconstruct}, filled by BUILD (or made whole by {@code _frombuffer}). */
  static final class NdArray {
    int[] shape;
    Dtype dtype;
    boolean fortran;
    float[] floats;
    List<Object> objects;

    boolean built() {
      return floats != null || objects != null;
    }
  }

  private final FileInput in;
  private final ArrayList<Object> stack = new ArrayList<>();
  private final int[] marks = new int[MAX_MARKS];
  private int markCount;
  private final HashMap<Long, Object> memo = new HashMap<>();
  /** Where each container and array was made, for errors found after the pickle ran. */
  private final IdentityHashMap<Object, Long> madeAt = new IdentityHashMap<>();
  private final long dataBudget;
  private long items;
  private long decoded;
  private long opStart;

  Unpickler(FileInput in) {
    this.in = in;
    this.dataBudget = in.remaining();
    in.layerContext(this::currentLayer);
  }

  /** The offset of the opcode that made {@code o} (a list, dict, tuple or array), or -1. */
  long offsetOf(Object o) {
    Long at = madeAt.get(o);
    return at == null ? -1 : at;
  }

  /** Runs the pickle to its STOP and returns the object it built. */
  Object load() throws IOException {
    while (true) {
      opStart = in.position();
      int op = in.u8("pickle opcode");
      switch (op) {
        case 0x80 -> { // PROTO
          int proto = in.u8("protocol number");
          if (proto < 2 || proto > 5) {
            throw fail("pickle protocol " + proto + " is not supported (expected 2 to 5)");
          }
        }
        case 0x95 -> { // FRAME: a length hint only; the opcodes follow inline
          long n = in.i64("frame length");
          if (n < 0 || n > in.remaining()) {
            throw fail("frame claims " + n + " bytes but only " + in.remaining() + " remain");
          }
        }
        case '.' -> { // STOP
          if (stack.size() != 1 || markCount != 0) {
            throw fail("pickle ended with " + stack.size() + " objects on the stack (expected 1)");
          }
          return stack.get(0);
        }
        case '(' -> pushMark();
        case '0' -> pop();
        case '1' -> popMark();
        case '2' -> push(peek());
        case 'N' -> push(NONE);
        case 0x88 -> push(Boolean.TRUE);
        case 0x89 -> push(Boolean.FALSE);
        case 'J' -> push((long) in.i32("BININT"));
        case 'K' -> push((long) in.u8("BININT1"));
        case 'M' -> push((long) in.u16("BININT2"));
        case 0x8a -> push(readLong(in.u8("LONG1 length")));
        case 0x8b -> push(readLong(in.u32("LONG4 length")));
        case 'G' -> push(in.f64BigEndian("BINFLOAT"));
        case 'T', 'B' -> push(byteString(in.u32("string length"), op == 'T' ? "BINSTRING" : "BINBYTES"));
        case 'U', 'C' -> push(byteString(in.u8("string length"), op == 'U' ? "SHORT_BINSTRING" : "SHORT_BINBYTES"));
        case 0x8e -> push(byteString(in.i64("BINBYTES8 length"), "BINBYTES8"));
        case 0x96 -> push(byteString(in.i64("BYTEARRAY8 length"), "BYTEARRAY8"));
        case 'X' -> push(unicode(in.u32("BINUNICODE length")));
        case 0x8c -> push(unicode(in.u8("SHORT_BINUNICODE length")));
        case 0x8d -> push(unicode(in.i64("BINUNICODE8 length")));
        case ')' -> push(made(new Tuple(new Object[0]), 0));
        case 't' -> {
          Object[] items = popToMark().toArray();
          push(made(new Tuple(items), items.length));
        }
        case 0x85 -> push(made(new Tuple(popN(1)), 1));
        case 0x86 -> push(made(new Tuple(popN(2)), 2));
        case 0x87 -> push(made(new Tuple(popN(3)), 3));
        case ']' -> push(made(new ArrayList<>(), 0));
        case 'l' -> {
          List<Object> items = popToMark();
          push(made(new ArrayList<>(items), items.size()));
        }
        case 'a' -> {
          Object item = pop();
          asList(peek(), "APPEND").add(item);
          count(1);
        }
        case 'e' -> {
          List<Object> items = popToMark();
          count(items.size());
          asList(peek(), "APPENDS").addAll(items);
        }
        case '}' -> push(made(new LinkedHashMap<>(), 0));
        case 'd' -> {
          List<Object> items = popToMark();
          Map<Object, Object> dict = made(new LinkedHashMap<>(), items.size());
          putAll(dict, items);
          push(dict);
        }
        case 's' -> {
          Object value = pop();
          Object key = pop();
          asDict(peek(), "SETITEM").put(dictKey(key), value);
          count(2);
        }
        case 'u' -> {
          List<Object> items = popToMark();
          count(items.size());
          putAll(asDict(peek(), "SETITEMS"), items);
        }
        case 'c' -> push(global(in.line(256, "GLOBAL module"), in.line(256, "GLOBAL name")));
        case 0x93 -> { // STACK_GLOBAL
          Object name = pop();
          Object module = pop();
          if (!(module instanceof String m) || !(name instanceof String n)) {
            throw fail("STACK_GLOBAL needs two strings, found " + typeName(module) + " and " + typeName(name));
          }
          push(global(m, n));
        }
        case 'R' -> {
          Object args = pop();
          Object callable = pop();
          push(reduce(callable, args));
        }
        case 'b' -> {
          Object state = pop();
          build(peek(), state);
        }
        case 'q' -> memoPut(in.u8("BINPUT index"));
        case 'r' -> memoPut(in.u32("LONG_BINPUT index"));
        case 0x94 -> memoPut(memo.size()); // MEMOIZE
        case 'h' -> push(memoGet(in.u8("BINGET index")));
        case 'j' -> push(memoGet(in.u32("LONG_BINGET index")));
        case 0x8f -> push(made(new ArrayList<>(), 0)); // EMPTY_SET: a list is enough, sets never hold weights
        case 0x90 -> { // ADDITEMS
          List<Object> items = popToMark();
          count(items.size());
          asList(peek(), "ADDITEMS").addAll(items);
        }
        case 0x98 -> { } // READONLY_BUFFER: no-op on an in-band buffer
        case 'i', 'o', 0x81, 0x92, 'P', 'Q', 0x82, 0x83, 0x84, 0x97 -> throw fail(
            "opcode " + opName(op) + " is refused: it would create or look up arbitrary objects");
        default -> throw fail("opcode " + opName(op)
            + " is not supported (weight files use binary pickle protocols 2 to 5)");
      }
    }
  }

  // ---- stack ----

  /** Counts a new container and its first slots against {@link #MAX_ITEMS}; notes where it was made. */
  private <T> T made(T container, int slots) throws WeightFileException {
    count(1L + slots);
    madeAt.put(container, opStart);
    return container;
  }

  private void count(long slots) throws WeightFileException {
    items += slots;
    if (items > MAX_ITEMS) {
      throw fail("pickle builds more than " + MAX_ITEMS + " containers and container items; a weight file needs "
          + "a few hundred (refusing: corrupt, or built to exhaust memory)");
    }
  }

  private void push(Object o) throws WeightFileException {
    if (stack.size() >= MAX_STACK) {
      throw fail("pickle stack grew beyond " + MAX_STACK + " objects");
    }
    stack.add(o);
  }

  private Object pop() throws WeightFileException {
    if (stack.size() <= (markCount == 0 ? 0 : marks[markCount - 1])) {
      throw fail("pickle stack underflow");
    }
    return stack.remove(stack.size() - 1);
  }

  private Object peek() throws WeightFileException {
    if (stack.size() <= (markCount == 0 ? 0 : marks[markCount - 1])) {
      throw fail("pickle stack underflow");
    }
    return stack.get(stack.size() - 1);
  }

  private Object[] popN(int n) throws WeightFileException {
    Object[] out = new Object[n];
    for (int i = n - 1; i >= 0; i--) {
      out[i] = pop();
    }
    return out;
  }

  private void pushMark() throws WeightFileException {
    if (markCount == MAX_MARKS) {
      throw fail("containers nested deeper than " + MAX_MARKS + " levels");
    }
    marks[markCount++] = stack.size();
  }

  private List<Object> popToMark() throws WeightFileException {
    if (markCount == 0) {
      throw fail("no MARK on the stack");
    }
    int at = marks[--markCount];
    List<Object> sub = stack.subList(at, stack.size());
    List<Object> items = new ArrayList<>(sub);
    sub.clear();
    return items;
  }

  private void popMark() throws WeightFileException {
    popToMark();
  }

  private void memoPut(long index) throws WeightFileException {
    if (memo.size() >= MAX_MEMO && !memo.containsKey(index)) {
      throw fail("pickle memo grew beyond " + MAX_MEMO + " entries");
    }
    memo.put(index, peek());
  }

  private Object memoGet(long index) throws WeightFileException {
    Object o = memo.get(index);
    if (o == null) {
      throw fail("memo index " + index + " was never stored");
    }
    return o;
  }

  // ---- scalars and strings ----

  private Object readLong(long n) throws WeightFileException {
    if (n > 8) {
      throw fail("integer of " + n + " bytes is too large for a weight file");
    }
    byte[] b = in.bytes(n, "LONG value");
    long v = 0;
    for (int i = b.length - 1; i >= 0; i--) {
      v = (v << 8) | (b[i] & 0xff);
    }
    if (n > 0 && n < 8 && (b[b.length - 1] & 0x80) != 0) {
      v -= 1L << (8 * n); // two's complement sign
    }
    return v;
  }

  private Object byteString(long n, String what) throws WeightFileException {
    if (n < 0 || n > in.remaining()) {
      throw fail(what + " claims " + n + " bytes but only " + in.remaining() + " remain");
    }
    if (n <= SMALL_STRING) {
      return in.bytes(n, what);
    }
    return new Region(in.skip(n, what), n, false);
  }

  private Object unicode(long n) throws WeightFileException {
    if (n < 0 || n > in.remaining()) {
      throw fail("unicode string claims " + n + " bytes but only " + in.remaining() + " remain");
    }
    if (n <= SMALL_STRING) {
      byte[] utf8 = in.bytes(n, "unicode string");
      try {
        return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(utf8)).toString();
      } catch (java.nio.charset.CharacterCodingException e) {
        throw fail("unicode string is not valid UTF-8");
      }
    }
    return new UnicodeRegion(in.skip(n, "unicode string"), n);
  }

  // ---- containers ----

  private List<Object> asList(Object o, String op) throws WeightFileException {
    if (o instanceof ArrayList<?>) {
      @SuppressWarnings("unchecked")
      List<Object> list = (List<Object>) o;
      return list;
    }
    throw fail(op + " needs a list, found " + typeName(o));
  }

  private Map<Object, Object> asDict(Object o, String op) throws WeightFileException {
    if (o instanceof LinkedHashMap<?, ?>) {
      @SuppressWarnings("unchecked")
      Map<Object, Object> map = (Map<Object, Object>) o;
      return map;
    }
    throw fail(op + " needs a dict, found " + typeName(o));
  }

  private void putAll(Map<Object, Object> dict, List<Object> items) throws WeightFileException {
    if (items.size() % 2 != 0) {
      throw fail("dict items come in key/value pairs, found " + items.size() + " items");
    }
    for (int i = 0; i < items.size(); i += 2) {
      dict.put(dictKey(items.get(i)), items.get(i + 1));
    }
  }

  /** Keys are layer and parameter names: str or bytes (both become String), or small ints. */
  private Object dictKey(Object key) throws WeightFileException {
    if (key instanceof String || key instanceof Long) {
      return key;
    }
    if (key instanceof byte[] b) {
      return new String(b, StandardCharsets.ISO_8859_1);
    }
    throw fail("dict key of type " + typeName(key) + " (expected a layer or parameter name)");
  }

  // ---- globals and calls ----

  private Global global(String module, String name) throws WeightFileException {
    Global g = Global.lookup(module, name);
    if (g == null) {
      throw fail("pickle names global '" + SafeText.name(module + "." + name)
          + "', which is not allowed in a weight file (only numpy array, dtype and bytes constructors are)");
    }
    return g;
  }

  private Object reduce(Object callable, Object argsObj) throws IOException {
    if (!(callable instanceof Global g)) {
      throw fail("REDUCE on " + typeName(callable) + ", which is not callable");
    }
    if (!(argsObj instanceof Tuple args)) {
      throw fail("REDUCE arguments must be a tuple, found " + typeName(argsObj));
    }
    switch (g) {
      case RECONSTRUCT -> {
        // _reconstruct(ndarray, (0,), b'b'): an empty array that BUILD fills in
        if (args.size() != 3 || args.get(0) != Global.NDARRAY) {
          throw fail("_reconstruct expects (ndarray, shape, typecode)");
        }
        return made(new NdArray(), 0);
      }
      case DTYPE -> {
        if (args.size() < 1) {
          throw fail("dtype() needs a type code");
        }
        String code = text(args.get(0), "dtype type code");
        try {
          return new DtypeValue(Dtype.parseDescr(code));
        } catch (IllegalArgumentException e) {
          throw fail(e.getMessage());
        }
      }
      case CODECS_ENCODE -> {
        // Python 3 writes bytes for protocol 2 as _codecs.encode(latin-1 text, 'latin1')
        if (args.size() != 2 || !isLatin1Name(args.get(1))) {
          throw fail("_codecs.encode is only allowed as (text, 'latin1')");
        }
        Object text = args.get(0);
        if (text instanceof UnicodeRegion r) {
          return new Region(r.offset(), r.length(), true);
        }
        if (text instanceof String s) {
          byte[] out = new byte[s.length()];
          for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0xff) {
              throw fail("_codecs.encode text is not latin-1");
            }
            out[i] = (byte) c;
          }
          return out;
        }
        throw fail("_codecs.encode needs text, found " + typeName(text));
      }
      case BYTES, BYTEARRAY -> {
        if (args.size() == 0) {
          return new byte[0];
        }
        if (args.size() == 1 && (args.get(0) instanceof byte[] || args.get(0) instanceof Region)) {
          return args.get(0);
        }
        throw fail(g.name().toLowerCase() + "() is only allowed with no argument or a byte string");
      }
      case FROMBUFFER -> {
        // _frombuffer(buffer, dtype, shape, order[, axis_order]): protocol 5's form of an array. numpy 2 writes
        // a transposed view (HWIO over OIHW memory, say) as its memory in C order plus the axes to transpose by.
        if (args.size() < 4 || args.size() > 5 || !(args.get(1) instanceof DtypeValue d)) {
          throw fail("_frombuffer expects (buffer, dtype, shape, order[, axis_order])");
        }
        NdArray a = made(new NdArray(), 0);
        String order = text(args.get(3), "_frombuffer order");
        int[] shape = shape(args.get(2));
        Object axesArg = args.size() == 5 ? args.get(4) : NONE;
        if (!order.equals("C") && !order.equals("F") && !order.equals("K") && !order.equals("A")) {
          throw fail("_frombuffer order '" + order + "' is not C, F, A or K");
        }
        fill(a, shape, d.dtype, "F".equals(order), args.get(0));
        if (axesArg != NONE) {
          int[] axes = shape(axesArg);
          if (!isPermutation(axes, shape.length)) {
            throw fail("_frombuffer axis order " + WeightArray.shapeString(axes) + " is not a permutation of "
                + shape.length + " axes");
          }
          a.floats = Transpose.permute(a.floats, shape, axes);
          a.shape = Transpose.permutedShape(shape, axes);
        }
        return a;
      }
      default -> throw fail("'" + g + "' cannot be called");
    }
  }

  private static boolean isPermutation(int[] axes, int rank) {
    if (axes.length != rank) {
      return false;
    }
    boolean[] seen = new boolean[rank];
    for (int a : axes) {
      if (a >= rank || seen[a]) {
        return false;
      }
      seen[a] = true;
    }
    return true;
  }

  private static boolean isLatin1Name(Object o) {
    return (o instanceof String s) && (s.equals("latin1") || s.equals("latin-1") || s.equals("iso-8859-1"));
  }

  private void build(Object target, Object stateObj) throws IOException {
    if (!(stateObj instanceof Tuple state)) {
      throw fail("BUILD state must be a tuple, found " + typeName(stateObj));
    }
    if (target instanceof DtypeValue d) {
      // (version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata])
      if (state.size() < 2) {
        throw fail("dtype state too short");
      }
      String order = text(state.get(1), "dtype byte order");
      if (order.length() != 1 || "<>|=".indexOf(order.charAt(0)) < 0) {
        throw fail("dtype byte order '" + order + "' is not one of < > | =");
      }
      if (state.size() > 3 && state.get(3) != NONE) {
        throw fail("structured dtypes (with named fields) are not weight arrays");
      }
      d.dtype = d.dtype.withByteOrder(order.charAt(0));
      return;
    }
    if (target instanceof NdArray a) {
      // (version, shape, dtype, is_fortran, rawdata)
      if (a.built()) {
        throw fail("array state set twice");
      }
      if (state.size() != 5 || !(state.get(2) instanceof DtypeValue d) || !(state.get(3) instanceof Boolean f)) {
        throw fail("array state must be (version, shape, dtype, is_fortran, data)");
      }
      fill(a, shape(state.get(1)), d.dtype, f, state.get(4));
      return;
    }
    throw fail("BUILD on " + typeName(target) + " is not allowed");
  }

  private int[] shape(Object o) throws WeightFileException {
    if (!(o instanceof Tuple t)) {
      throw fail("array shape must be a tuple, found " + typeName(o));
    }
    if (t.size() > MAX_RANK) {
      throw fail("array of rank " + t.size() + " (at most " + MAX_RANK + " supported)");
    }
    int[] shape = new int[t.size()];
    for (int i = 0; i < shape.length; i++) {
      if (!(t.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
        throw fail("array dimension " + t.get(i) + " is not a valid size");
      }
      shape[i] = (int) (long) d;
    }
    return shape;
  }

  /** Decodes an array's data into place; the expected byte count is checked before anything is allocated. */
  private void fill(NdArray a, int[] shape, Dtype dtype, boolean fortran, Object data) throws IOException {
    a.shape = shape;
    a.dtype = dtype;
    a.fortran = fortran;
    if (dtype.isObject()) {
      if (!(data instanceof ArrayList<?> items)) {
        throw fail("object array data must be a list, found " + typeName(data));
      }
      long count = WeightArray.elementCount(shape);
      if (count != items.size()) {
        throw fail("object array of shape " + WeightArray.shapeString(shape) + " holds " + items.size() + " items");
      }
      count(items.size());
      a.objects = new ArrayList<>(items);
      return;
    }
    if (!dtype.isFloat()) {
      throw fail("array of dtype " + dtype + " " + WeightArray.shapeString(shape)
          + ": weights must be float16, float32 or float64");
    }
    long count = WeightArray.elementCount(shape);
    if (count < 0) {
      throw fail("array shape " + WeightArray.shapeString(shape) + " is too large");
    }
    long expected = count * dtype.itemSize();
    if (data instanceof byte[] bytes) {
      if (bytes.length != expected) {
        throw fail(sizeMismatch(shape, dtype, expected, bytes.length));
      }
      spend(expected);
      a.floats = new float[(int) count];
      FloatDecoder decoder = new FloatDecoder(a.floats, dtype, shape, fortran);
      decoder.accept(ByteBuffer.wrap(bytes));
      return;
    }
    if (!(data instanceof Region r)) {
      throw fail("array data must be a byte string, found " + typeName(data));
    }
    if (!r.utf8Latin1() && r.length() != expected) {
      throw fail(sizeMismatch(shape, dtype, expected, r.length()));
    }
    // UTF-8 of latin-1 text takes 1 or 2 bytes per byte
    if (r.utf8Latin1() && (expected > r.length() || expected * 2 < r.length())) {
      throw fail(sizeMismatch(shape, dtype, expected, r.length()) + " (UTF-8 encoded)");
    }
    spend(expected);
    a.floats = new float[(int) count];
    FloatDecoder decoder = new FloatDecoder(a.floats, dtype, shape, fortran);
    if (r.utf8Latin1()) {
      streamLatin1(r, decoder);
    } else {
      in.stream(r.offset(), r.length(), (chunk, last) -> decoder.accept(chunk));
    }
    if (!decoder.complete()) {
      throw fail("array data ended after " + decoder.elementsDone() + " of " + count + " values");
    }
  }

  /** Array data is decoded at most once per byte of the pickle, however often the memo hands out a string. */
  private void spend(long bytes) throws WeightFileException {
    decoded += bytes;
    if (decoded > dataBudget) {
      throw fail("arrays hold " + decoded + " bytes of data in all but the pickle is " + dataBudget
          + " bytes: one byte string is used for more than one array (refusing: each array's data is read once)");
    }
  }

  /** Undoes Python 3's protocol-2 bytes encoding (UTF-8 of latin-1 text) on the fly. */
  private void streamLatin1(Region r, FloatDecoder decoder) throws IOException {
    ByteBuffer decoded = ByteBuffer.allocate(1 << 16);
    in.stream(r.offset(), r.length(), (chunk, last) -> {
      while (chunk.hasRemaining()) {
        if (!decoded.hasRemaining()) {
          drain(decoded, decoder, r);
        }
        int b = chunk.get(chunk.position()) & 0xff;
        if (b < 0x80) {
          decoded.put((byte) b);
          chunk.get();
        } else if (b == 0xc2 || b == 0xc3) {
          if (chunk.remaining() < 2) {
            if (last) {
              throw fail("latin-1 text ends inside a character");
            }
            return;
          }
          chunk.get();
          int c = chunk.get() & 0xff;
          if ((c & 0xc0) != 0x80) {
            throw fail("latin-1 text has a malformed UTF-8 sequence");
          }
          decoded.put((byte) (((b & 0x03) << 6) | (c & 0x3f)));
        } else {
          throw fail("encoded bytes are not latin-1 text (UTF-8 lead byte 0x" + Integer.toHexString(b) + ")");
        }
      }
      if (last) {
        drain(decoded, decoder, r);
      }
    });
  }

  private void drain(ByteBuffer decoded, FloatDecoder decoder, Region r) throws WeightFileException {
    decoded.flip();
    if (decoder.complete() && decoded.hasRemaining()) {
      throw fail("array data is longer than its shape needs (region at byte " + r.offset() + ")");
    }
    decoder.accept(decoded);
    decoded.compact();
  }

  private static String sizeMismatch(int[] shape, Dtype dtype, long expected, long found) {
    return "array " + WeightArray.shapeString(shape) + " " + dtype + " needs " + expected
        + " bytes of data, found " + found;
  }

  private String text(Object o, String what) throws WeightFileException {
    if (o instanceof String s) {
      return s;
    }
    if (o instanceof byte[] b && b.length <= 64) {
      return new String(b, StandardCharsets.ISO_8859_1);
    }
    throw fail(what + " must be a string, found " + typeName(o));
  }

  // ---- errors ----

  private WeightFileException fail(String detail) {
    return in.error(opStart, detail);
  }

  /**
   * The dictionary keys whose value is being read, e.g. {@code conv3} or {@code conv3/weights}. From the first dict
   * on the stack, the items after a dict being filled are its key/value pairs (after its MARK for SETITEMS, right
   * after it for SETITEM), up to the next MARK; the current key is the last one, or the one whose value is an
   * empty dict still being filled (a finished dict holds items: it is a value, not descended into).
   */
  String currentLayer() {
    List<String> path = new ArrayList<>();
    int at = -1;
    for (int i = 0; i < stack.size() && at < 0; i++) {
      if (stack.get(i) instanceof LinkedHashMap<?, ?>) {
        at = i;
      }
    }
    while (at >= 0) {
      int start = at + 1;
      int end = nextMark(start + 1);
      at = -1;
      for (int p = start; p < end; p += 2) {
        Object value = p + 1 < end ? stack.get(p + 1) : null;
        boolean last = p + 2 >= end;
        boolean open = value instanceof LinkedHashMap<?, ?> d && (isMark(p + 2) || (d.isEmpty() && !last));
        if (last || open) {
          if (!addKey(path, stack.get(p))) {
            return path.isEmpty() ? null : String.join("/", path);
          }
          at = open ? p + 1 : -1;
          break;
        }
      }
    }
    return path.isEmpty() ? null : String.join("/", path);
  }

  /** The first MARK position at or after {@code from}, or the stack's size. */
  private int nextMark(int from) {
    for (int m = 0; m < markCount; m++) {
      if (marks[m] >= from) {
        return marks[m];
      }
    }
    return stack.size();
  }

  private boolean isMark(int position) {
    for (int m = 0; m < markCount; m++) {
      if (marks[m] == position) {
        return true;
      }
    }
    return false;
  }

  private static boolean addKey(List<String> path, Object key) {
    if (key instanceof String s && s.length() <= 128) {
      path.add(s);
    } else if (key instanceof byte[] b && b.length <= 128) {
      path.add(new String(b, StandardCharsets.ISO_8859_1));
    } else {
      return false;
    }
    return true;
  }

  static String typeName(Object o) {
    if (o == NONE) {
      return "None";
    }
    if (o instanceof Global g) {
      return "global " + g;
    }
    if (o instanceof Region || o instanceof byte[]) {
      return "bytes";
    }
    if (o instanceof UnicodeRegion || o instanceof String) {
      return "str";
    }
    if (o instanceof Tuple) {
      return "tuple";
    }
    if (o instanceof ArrayList<?>) {
      return "list";
    }
    if (o instanceof Map<?, ?>) {
      return "dict";
    }
    if (o instanceof NdArray) {
      return "ndarray";
    }
    if (o instanceof DtypeValue) {
      return "dtype";
    }
    return o == null ? "nothing" : o.getClass().getSimpleName().toLowerCase();
  }

  private static String opName(int op) {
    String name = switch (op) {
      case 'i' -> "INST";
      case 'o' -> "OBJ";
      case 0x81 -> "NEWOBJ";
      case 0x92 -> "NEWOBJ_EX";
      case 'P' -> "PERSID";
      case 'Q' -> "BINPERSID";
      case 0x82, 0x83, 0x84 -> "EXT";
      case 0x97 -> "NEXT_BUFFER";
      case 'I' -> "INT (protocol 0)";
      case 'L' -> "LONG (protocol 0)";
      case 'S' -> "STRING (protocol 0)";
      case 'V' -> "UNICODE (protocol 0)";
      case 'F' -> "FLOAT (protocol 0)";
      case 'p', 'g' -> "PUT/GET (protocol 0)";
      default -> "unknown";
    };
    return String.format("0x%02x (%s)", op, name);
  }
}
