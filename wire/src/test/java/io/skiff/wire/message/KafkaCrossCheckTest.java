package io.skiff.wire.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.skiff.wire.generator.FieldType;
import io.skiff.wire.generator.Schema;
import io.skiff.wire.generator.Schema.FieldSpec;
import io.skiff.wire.generator.Schema.MessageSpec;
import io.skiff.wire.protocol.Message;
import io.skiff.wire.protocol.RawTaggedField;
import io.skiff.wire.record.ByteBufRecords;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.protocol.Readable;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The proof that the generated codecs are right: for every schema shipped in kafka-clients and
 * every version it defines, random instances built with kafka-clients' own message classes and
 * serialized by kafka-clients parse in Skiff and re-serialize to identical bytes; and random
 * instances built with Skiff's classes and serialized by Skiff parse in kafka-clients and
 * re-serialize to identical bytes. Random values include nulls, defaults, empty and large
 * arrays, non-ASCII strings, known tagged fields and unknown tagged fields.
 */
class KafkaCrossCheckTest {
    private static final int INSTANCES = Integer.getInteger("skiff.crosscheck.instances", 200);
    private static final long SEED = Long.getLong("skiff.crosscheck.seed", 0x5c1ffL);
    private static final Path SCHEMAS = Paths.get("target/kafka-schemas/common/message");
    private static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "NULL";
        }
    };

    private static final AtomicInteger API_VERSION_PAIRS = new AtomicInteger();
    private static final AtomicInteger OTHER_VERSION_PAIRS = new AtomicInteger();
    private static final AtomicInteger MESSAGES = new AtomicInteger();
    private static final Map<String, Method> SETTERS = new HashMap<>();

    @TestFactory
    Stream<DynamicTest> everySchemaAndVersionRoundTripsWithKafkaClients() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(SCHEMAS)) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThan(150);
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : files) {
            MessageSpec spec = Schema.load(file);
            if (spec.validVersions.isEmpty()) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest(spec.name, () -> crossCheck(spec)));
        }
        return tests.stream();
    }

    @AfterAll
    static void report() {
        System.out.println("cross-check: " + API_VERSION_PAIRS.get() + " (api, version) request/response pairs, "
                + OTHER_VERSION_PAIRS.get() + " header/data (schema, version) pairs, " + MESSAGES.get()
                + " messages round-tripped in both directions");
    }

    private void crossCheck(MessageSpec spec) throws Exception {
        boolean api = spec.type.equals("request") || spec.type.equals("response");
        for (short v = spec.validVersions.lowest; v <= spec.validVersions.highest; v++) {
            Random rnd = new Random(SEED ^ ((long) spec.name.hashCode() << 16) ^ v);
            for (int i = 0; i < INSTANCES; i++) {
                Map<String, Object> value = new Gen(rnd, spec, v).struct(spec.fields, 0);
                kafkaToSkiff(spec, v, value, i);
                skiffToKafka(spec, v, value, i);
                MESSAGES.incrementAndGet();
            }
            (api ? API_VERSION_PAIRS : OTHER_VERSION_PAIRS).incrementAndGet();
        }
    }

    private void kafkaToSkiff(MessageSpec spec, short v, Map<String, Object> value, int i) throws Exception {
        org.apache.kafka.common.protocol.Message k =
                (org.apache.kafka.common.protocol.Message) build(KAFKA, spec, null, value);
        byte[] expected = kafkaWrite(k, v);
        ByteBuf in = Unpooled.wrappedBuffer(expected);
        Message skiff = skiffClass(spec, null)
                .getConstructor(ByteBuf.class, short.class)
                .newInstance(in, v);
        try {
            if (in.isReadable()) {
                fail(spec.name + " v" + v + " #" + i + ": Skiff left " + in.readableBytes() + " bytes unread of "
                        + expected.length + "; value " + value);
            }
            assertThat(skiff.size(v)).as("%s v%d #%d size", spec.name, v, i).isEqualTo(expected.length);
            byte[] actual = skiffWrite(skiff, v);
            if (!Arrays.equals(expected, actual)) {
                fail(spec.name + " v" + v + " #" + i + ": Skiff re-serialized different bytes\n kafka: " + hex(expected)
                        + "\n skiff: " + hex(actual) + "\n value: " + value + "\n parsed: " + skiff);
            }
            Message again = skiffClass(spec, null)
                    .getConstructor(ByteBuf.class, short.class)
                    .newInstance(Unpooled.wrappedBuffer(expected), v);
            try {
                assertThat(again).isEqualTo(skiff);
                assertThat(again.hashCode()).isEqualTo(skiff.hashCode());
            } finally {
                again.release();
            }
        } finally {
            skiff.release();
        }
    }

    private void skiffToKafka(MessageSpec spec, short v, Map<String, Object> value, int i) throws Exception {
        Message skiff = (Message) build(SKIFF, spec, null, value);
        byte[] written;
        try {
            written = skiffWrite(skiff, v);
        } finally {
            skiff.release();
        }
        ByteBufferAccessor in = new ByteBufferAccessor(ByteBuffer.wrap(written));
        org.apache.kafka.common.protocol.Message k;
        try {
            k = (org.apache.kafka.common.protocol.Message) kafkaClass(spec, null)
                    .getConstructor(Readable.class, short.class)
                    .newInstance(in, v);
        } catch (Exception e) {
            throw new AssertionError(
                    spec.name + " v" + v + " #" + i + ": kafka-clients cannot parse Skiff's bytes " + hex(written)
                            + " for " + value,
                    e);
        }
        assertThat(in.remaining())
                .as("%s v%d #%d bytes kafka-clients left unread", spec.name, v, i)
                .isZero();
        byte[] back = kafkaWrite(k, v);
        if (!Arrays.equals(written, back)) {
            fail(spec.name + " v" + v + " #" + i + ": kafka-clients re-serialized Skiff's bytes differently\n skiff: "
                    + hex(written) + "\n kafka: " + hex(back) + "\n value: " + value);
        }
    }

    private static byte[] kafkaWrite(org.apache.kafka.common.protocol.Message k, short v) {
        ByteBuffer b = MessageUtil.toByteBufferAccessor(k, v).buffer();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static byte[] skiffWrite(Message m, short v) {
        int size = m.size(v);
        ByteBuf buf = Unpooled.buffer(size);
        m.write(buf, v);
        assertThat(buf.readableBytes()).as("bytes written vs size()").isEqualTo(size);
        byte[] out = new byte[size];
        buf.readBytes(out);
        return out;
    }

    // ---------------------------------------------------------------------------------------------
    // Random values, driven by the schema

    /** Generates the value of one message as a tree of maps, lists and boxed primitives. */
    private static final class Gen {
        final Random rnd;
        final MessageSpec spec;
        final short version;
        final boolean flexible;

        Gen(Random rnd, MessageSpec spec, short version) {
            this.rnd = rnd;
            this.spec = spec;
            this.version = version;
            this.flexible = spec.flexibleVersions.contains(version);
        }

        Map<String, Object> struct(List<FieldSpec> fields, int depth) {
            Map<String, Object> out = new LinkedHashMap<>();
            boolean allDefaults = rnd.nextInt(10) == 0;
            int maxTag = -1;
            for (FieldSpec f : fields) {
                if (f.tag != null) {
                    maxTag = Math.max(maxTag, f.tag);
                }
                if (!f.versions.contains(version)) {
                    continue; // absent in this version
                }
                // Non-nullable records have no usable default: kafka-clients cannot write them null.
                boolean mustSet = f.type.kind == FieldType.Kind.RECORDS && !f.nullableVersions.contains(version);
                if (!mustSet && (allDefaults || rnd.nextInt(6) == 0)) {
                    continue; // left at its default
                }
                boolean nullable = f.nullableVersions.contains(version);
                out.put(f.name, value(f, f.type, nullable, depth));
            }
            if (flexible && rnd.nextInt(5) == 0) {
                List<Object[]> unknown = new ArrayList<>();
                int tag = maxTag + 1 + rnd.nextInt(3);
                for (int n = rnd.nextInt(3) + 1; n > 0; n--) {
                    unknown.add(new Object[] {tag, bytes(rnd.nextInt(4) == 0 ? 200 : 6)});
                    tag += 1 + rnd.nextInt(5);
                }
                out.put("_unknown", unknown);
            }
            return out;
        }

        Object value(FieldSpec f, FieldType t, boolean nullable, int depth) {
            if (nullable && rnd.nextInt(7) == 0) {
                return NULL;
            }
            switch (t.kind) {
                case BOOL:
                    return rnd.nextBoolean();
                case INT8:
                    return (byte) pick(Byte.MIN_VALUE, Byte.MAX_VALUE);
                case INT16:
                    return (short) pick(Short.MIN_VALUE, Short.MAX_VALUE);
                case UINT16:
                    return (int) pick(0, 65535);
                case INT32:
                    return (int) pick(Integer.MIN_VALUE, Integer.MAX_VALUE);
                case UINT32:
                    return pick(0, 4294967295L);
                case INT64:
                    return pick(Long.MIN_VALUE, Long.MAX_VALUE);
                case FLOAT64:
                    return rnd.nextInt(4) == 0 ? 0.0 : rnd.nextDouble() * 1e6 - 5e5;
                case STRING:
                    return string();
                case BYTES:
                    return bytes(rnd.nextInt(10) == 0 ? 1000 + rnd.nextInt(500) : rnd.nextInt(33));
                case RECORDS:
                    return new RecordBytes(bytes(rnd.nextInt(10) == 0 ? 2000 : rnd.nextInt(65)));
                case UUID:
                    return rnd.nextInt(5) == 0 ? new long[] {0L, 0L} : new long[] {rnd.nextLong(), rnd.nextLong()};
                case STRUCT:
                    return struct(f.struct.fields, depth + 1);
                case ARRAY: {
                    int n;
                    int roll = rnd.nextInt(20);
                    if (roll < 4) {
                        n = 0;
                    } else if (roll == 19 && depth < 2) {
                        n = t.element.isStruct() ? 20 + rnd.nextInt(20) : 100 + rnd.nextInt(200);
                    } else {
                        n = 1 + rnd.nextInt(depth < 2 ? 3 : 2);
                    }
                    List<Object> list = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        list.add(value(f, t.element, false, depth + 1));
                    }
                    return list;
                }
                default:
                    throw new IllegalStateException(t.toString());
            }
        }

        long pick(long min, long max) {
            switch (rnd.nextInt(6)) {
                case 0:
                    return 0;
                case 1:
                    return min;
                case 2:
                    return max;
                case 3:
                    return min < 0 ? -1 : 1;
                default:
                    long span = max - min + 1;
                    return span <= 0 ? rnd.nextLong() : min + Math.floorMod(rnd.nextLong(), span);
            }
        }

        String string() {
            int roll = rnd.nextInt(12);
            int n = roll == 0 ? 0 : roll == 1 ? 500 + rnd.nextInt(1000) : rnd.nextInt(16);
            StringBuilder b = new StringBuilder(n);
            String alphabet = "abcdefghijklmnopqrstuvwxyz-_.0123456789ABCXYZ";
            for (int i = 0; i < n; i++) {
                int r = rnd.nextInt(40);
                if (r == 0) {
                    b.append('\u00e9'); // two UTF-8 bytes
                } else if (r == 1) {
                    b.append('\u4e16'); // three UTF-8 bytes
                } else if (r == 2) {
                    b.appendCodePoint(0x1f600); // a surrogate pair, four UTF-8 bytes
                } else {
                    b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
                }
            }
            return b.toString();
        }

        byte[] bytes(int n) {
            byte[] b = new byte[n];
            rnd.nextBytes(b);
            return b;
        }
    }

    private static final class RecordBytes {
        final byte[] bytes;

        RecordBytes(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public String toString() {
            return "records(" + bytes.length + ")";
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Building objects of either library from a value tree, by reflection

    private interface Side {
        Class<?> structClass(MessageSpec spec, String struct) throws Exception;

        Object uuid(long[] bits);

        Object records(byte[] bytes, Class<?> param);

        Object bytes(byte[] bytes, Class<?> param);

        void addUnknown(Object obj, int tag, byte[] data);
    }

    private static final Side KAFKA = new Side() {
        @Override
        public Class<?> structClass(MessageSpec spec, String struct) throws Exception {
            return kafkaClass(spec, struct);
        }

        @Override
        public Object uuid(long[] bits) {
            return new org.apache.kafka.common.Uuid(bits[0], bits[1]);
        }

        @Override
        public Object records(byte[] bytes, Class<?> param) {
            return MemoryRecords.readableRecords(ByteBuffer.wrap(bytes));
        }

        @Override
        public Object bytes(byte[] bytes, Class<?> param) {
            return param == ByteBuffer.class ? ByteBuffer.wrap(bytes) : bytes;
        }

        @Override
        public void addUnknown(Object obj, int tag, byte[] data) {
            ((org.apache.kafka.common.protocol.Message) obj)
                    .unknownTaggedFields()
                    .add(new org.apache.kafka.common.protocol.types.RawTaggedField(tag, data));
        }
    };

    private static final Side SKIFF = new Side() {
        @Override
        public Class<?> structClass(MessageSpec spec, String struct) throws Exception {
            return skiffClass(spec, struct);
        }

        @Override
        public Object uuid(long[] bits) {
            return new io.skiff.wire.protocol.Uuid(bits[0], bits[1]);
        }

        @Override
        public Object records(byte[] bytes, Class<?> param) {
            return new ByteBufRecords(Unpooled.wrappedBuffer(bytes));
        }

        @Override
        public Object bytes(byte[] bytes, Class<?> param) {
            return bytes;
        }

        @Override
        public void addUnknown(Object obj, int tag, byte[] data) {
            ((Message) obj).unknownTaggedFields().add(new RawTaggedField(tag, data));
        }
    };

    static Class<? extends org.apache.kafka.common.protocol.Message> kafkaClass(MessageSpec spec, String struct)
            throws ClassNotFoundException {
        String top = spec.type.equals("data") ? spec.name : spec.name + "Data";
        String name = "org.apache.kafka.common.message." + top + (struct == null ? "" : "$" + struct);
        return Class.forName(name).asSubclass(org.apache.kafka.common.protocol.Message.class);
    }

    static Class<? extends Message> skiffClass(MessageSpec spec, String struct) throws ClassNotFoundException {
        String name = "io.skiff.wire.message." + spec.name + (struct == null ? "" : "$" + struct);
        return Class.forName(name).asSubclass(Message.class);
    }

    @SuppressWarnings("unchecked")
    private static Object build(Side side, MessageSpec spec, String struct, Map<String, Object> value)
            throws Exception {
        Class<?> cls = side.structClass(spec, struct);
        Object obj = cls.getConstructor().newInstance();
        List<FieldSpec> fields = struct == null ? spec.fields : spec.structs.get(struct).fields;
        for (FieldSpec f : fields) {
            if (!value.containsKey(f.name)) {
                continue;
            }
            Method setter = setter(cls, f.name);
            Class<?> param = setter.getParameterTypes()[0];
            setter.invoke(obj, convert(side, spec, f.type, value.get(f.name), param));
        }
        List<Object[]> unknown = (List<Object[]>) value.get("_unknown");
        if (unknown != null) {
            for (Object[] u : unknown) {
                side.addUnknown(obj, (Integer) u[0], (byte[]) u[1]);
            }
        }
        return obj;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object convert(Side side, MessageSpec spec, FieldType t, Object v, Class<?> param) throws Exception {
        if (v == NULL) {
            return null;
        }
        switch (t.kind) {
            case UUID:
                return side.uuid((long[]) v);
            case RECORDS:
                return side.records(((RecordBytes) v).bytes, param);
            case BYTES:
                return side.bytes((byte[]) v, param);
            case STRUCT:
                return build(side, spec, t.structName, (Map<String, Object>) v);
            case ARRAY: {
                Collection out = param.isInterface()
                        ? new ArrayList<>()
                        : (Collection) param.getConstructor().newInstance();
                for (Object e : (List<Object>) v) {
                    out.add(convert(side, spec, t.element, e, Object.class));
                }
                return out;
            }
            default:
                return v;
        }
    }

    private static synchronized Method setter(Class<?> cls, String field) {
        return SETTERS.computeIfAbsent(cls.getName() + "#" + field, k -> {
            for (Method m : cls.getMethods()) {
                if (m.getName().equalsIgnoreCase("set" + field) && m.getParameterCount() == 1) {
                    return m;
                }
            }
            throw new IllegalStateException("no setter set" + field + " on " + cls.getName());
        });
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < b.length && i < 400; i++) {
            s.append(String.format("%02x", b[i]));
        }
        return b.length > 400 ? s + "... (" + b.length + " bytes)" : s.toString();
    }
}
