package io.skiff.wire.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCounted;
import io.skiff.wire.protocol.ApiMessage;
import io.skiff.wire.protocol.Message;
import io.skiff.wire.protocol.ThrottledResponse;
import io.skiff.wire.protocol.UnsupportedVersionException;
import io.skiff.wire.protocol.Uuid;
import io.skiff.wire.protocol.Wire;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.lang.reflect.Constructor;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator's output for small synthetic schemas compiles against the wire runtime and
 * round-trips; the byte layout of a tiny message is compared with the protocol's encoding
 * worked out by hand. (Lives in the wire module because the generated code needs the runtime
 * classes, which the generator module cannot depend on.)
 */
class GeneratedCodeTest {
    static final String PACKAGE = "io.skiff.wire.gentest";

    static final String TINY = """
        { "type": "data", "name": "Tiny", "validVersions": "0-1", "flexibleVersions": "1+",
          "fields": [
            { "name": "Id", "type": "int32", "versions": "0+" },
            { "name": "Name", "type": "string", "versions": "0+" }
          ] }
        """;

    static final String SAMPLE = """
        { "type": "data", "name": "Sample", "validVersions": "0-2", "flexibleVersions": "1+",
          "fields": [
            { "name": "Id", "type": "int64", "versions": "0+" },
            { "name": "Name", "type": "string", "versions": "0+", "nullableVersions": "1+" },
            { "name": "Items", "type": "[]Item", "versions": "0+", "fields": [
              { "name": "Key", "type": "string", "versions": "0+", "mapKey": true },
              { "name": "Value", "type": "int32", "versions": "0+" },
              { "name": "Note", "type": "string", "versions": "1+", "tag": 0, "taggedVersions": "1+",
                "nullableVersions": "1+", "default": "null" }
            ]},
            { "name": "Payload", "type": "bytes", "versions": "1+", "nullableVersions": "1+" },
            { "name": "TopicId", "type": "uuid", "versions": "2+" },
            { "name": "Hint", "type": "string", "versions": "1+", "tag": 0, "taggedVersions": "1+",
              "nullableVersions": "1+", "default": "null", "ignorable": true },
            { "name": "Limit", "type": "int32", "versions": "2+", "tag": 1, "taggedVersions": "2+", "default": "-1" }
          ] }
        """;

    static final String RESPONSE = """
        { "apiKey": 90, "type": "response", "name": "SampleResponse", "validVersions": "0-1", "flexibleVersions": "1+",
          "fields": [
            { "name": "ThrottleTimeMs", "type": "int32", "versions": "0+" },
            { "name": "ErrorCode", "type": "int16", "versions": "0+" }
          ] }
        """;

    static ClassLoader loader;

    @BeforeAll
    static void generateAndCompile(@TempDir Path dir) throws Exception {
        Path schemas = Files.createDirectories(dir.resolve("schemas"));
        Files.writeString(schemas.resolve("Tiny.json"), TINY);
        Files.writeString(schemas.resolve("Sample.json"), SAMPLE);
        Files.writeString(schemas.resolve("SampleResponse.json"), RESPONSE);
        Path sources = dir.resolve("sources");
        Main.main(new String[] {schemas.toString(), sources.toString(), PACKAGE});
        assertThat(sources.resolve("io/skiff/wire/protocol/ApiKeys.java"))
                .as("no requests, no ApiKeys")
                .doesNotExist();

        List<String> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(sources)) {
            s.filter(p -> p.toString().endsWith(".java")).forEach(p -> files.add(p.toString()));
        }
        assertThat(files).hasSize(3);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        String classpath = String.join(
                File.pathSeparator, location(Wire.class), location(ByteBuf.class), location(ReferenceCounted.class));
        List<String> args = new ArrayList<>(
                List.of("-d", classes.toString(), "-cp", classpath, "-Xlint:none", "-encoding", "UTF-8"));
        args.addAll(files);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac).as("a JDK compiler").isNotNull();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int rc = javac.run(null, errors, errors, args.toArray(new String[0]));
        assertThat(rc).as("javac: %s", errors.toString(StandardCharsets.UTF_8)).isZero();
        loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, GeneratedCodeTest.class.getClassLoader());
    }

    private static String location(Class<?> c) throws URISyntaxException {
        return new File(c.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
    }

    static Message newMessage(String name) throws ReflectiveOperationException {
        return (Message) loader.loadClass(PACKAGE + "." + name).getConstructor().newInstance();
    }

    static Object newStruct(String outer, String name) throws ReflectiveOperationException {
        return loader.loadClass(PACKAGE + "." + outer + "$" + name)
                .getConstructor()
                .newInstance();
    }

    static void set(Object target, String setter, Class<?> type, Object value) throws ReflectiveOperationException {
        target.getClass().getMethod(setter, type).invoke(target, value);
    }

    static Object get(Object target, String getter) throws ReflectiveOperationException {
        return target.getClass().getMethod(getter).invoke(target);
    }

    static byte[] bytes(Message m, short version) {
        ByteBuf buf = Unpooled.buffer();
        try {
            m.write(buf, version);
            assertThat(buf.readableBytes()).as("size(%d)", version).isEqualTo(m.size(version));
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    static Message readBack(String name, byte[] bytes, short version) throws ReflectiveOperationException {
        Class<?> c = loader.loadClass(PACKAGE + "." + name);
        Constructor<?> reader = c.getConstructor(ByteBuf.class, short.class);
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            Message m = (Message) reader.newInstance(buf, version);
            assertThat(buf.readableBytes())
                    .as("bytes left after reading v%d", version)
                    .isZero();
            return m;
        } finally {
            buf.release();
        }
    }

    @Test
    void tinyMessageHasTheProtocolsByteLayout() throws Exception {
        Message tiny = newMessage("Tiny");
        set(tiny, "setId", int.class, 7);
        set(tiny, "setName", String.class, "ab");
        // v0: int32, then int16 length and the bytes.
        assertThat(ByteBufUtil.hexDump(bytes(tiny, (short) 0))).isEqualTo("00000007" + "0002" + "6162");
        // v1 (flexible): int32, unsigned varint length + 1, the bytes, no tagged fields.
        assertThat(ByteBufUtil.hexDump(bytes(tiny, (short) 1))).isEqualTo("00000007" + "03" + "6162" + "00");
    }

    @Test
    void everyVersionRoundTripsTheFieldsItHas() throws Exception {
        for (short v = 0; v <= 2; v++) {
            Message sample = sample(v);
            byte[] written = bytes(sample, v);
            Message back = readBack("Sample", written, v);
            assertThat(back).as("v%d", v).isEqualTo(sample);
            assertThat(bytes(back, v)).as("v%d rewritten", v).isEqualTo(written);
        }
    }

    private static Message sample(short v) throws ReflectiveOperationException {
        Message sample = newMessage("Sample");
        set(sample, "setId", long.class, 1L << 40);
        set(sample, "setName", String.class, v >= 1 ? null : "name");
        Object item = newStruct("Sample", "Item");
        set(item, "setKey", String.class, "k");
        set(item, "setValue", int.class, 42);
        if (v >= 1) {
            set(item, "setNote", String.class, "tagged in a struct");
            set(sample, "setPayload", byte[].class, new byte[] {1, 2, 3});
            set(sample, "setHint", String.class, "tagged");
        }
        if (v >= 2) {
            set(sample, "setTopicId", Uuid.class, new Uuid(5, 6));
            set(sample, "setLimit", int.class, 9);
        }
        set(sample, "setItems", List.class, new ArrayList<>(List.of(item)));
        return sample;
    }

    @Test
    void defaultTaggedFieldsAreLeftOut() throws Exception {
        Message sample = newMessage("Sample");
        // Id, Name "", Items [], Payload "", then the tagged-field count: no tagged field is written.
        assertThat(ByteBufUtil.hexDump(bytes(sample, (short) 2)))
                .isEqualTo("0000000000000000" + "01" + "01" + "01" + "00000000000000000000000000000000" + "00");
        assertThat(get(sample, "limit")).isEqualTo(-1);
    }

    @Test
    void unknownTaggedFieldsAreKeptAndWrittenBack() throws Exception {
        Message sample = sample((short) 2);
        set(sample, "setHint", String.class, null);
        set(sample, "setLimit", int.class, -1);
        byte[] known = bytes(sample, (short) 2);
        assertThat(known[known.length - 1]).as("no top-level tagged field").isZero();
        // Replace the empty tagged-field section by one field the schema does not know: tag 5, 2 bytes.
        byte[] withUnknown = new byte[known.length + 4];
        System.arraycopy(known, 0, withUnknown, 0, known.length - 1);
        byte[] section = {1, 5, 2, (byte) 0xAB, (byte) 0xCD};
        System.arraycopy(section, 0, withUnknown, known.length - 1, section.length);

        Message back = readBack("Sample", withUnknown, (short) 2);
        assertThat(back.unknownTaggedFields()).hasSize(1);
        assertThat(back.unknownTaggedFields().get(0).tag()).isEqualTo(5);
        assertThat(back.unknownTaggedFields().get(0).data()).containsExactly(0xAB, 0xCD);
        assertThat(bytes(back, (short) 2)).isEqualTo(withUnknown);
    }

    @Test
    void aNonDefaultFieldAtAVersionWithoutItIsRefused() throws Exception {
        Message sample = newMessage("Sample");
        set(sample, "setTopicId", Uuid.class, new Uuid(1, 2));
        ByteBuf buf = Unpooled.buffer();
        try {
            assertThatThrownBy(() -> sample.write(buf, (short) 1))
                    .isInstanceOf(UnsupportedVersionException.class)
                    .hasMessageContaining("topicId");
        } finally {
            buf.release();
        }
        // An ignorable field is silently left out instead.
        Message ignorable = newMessage("Sample");
        set(ignorable, "setHint", String.class, "dropped");
        assertThat(readBack("Sample", bytes(ignorable, (short) 0), (short) 0)).isEqualTo(newMessage("Sample"));
    }

    @Test
    void aGeneratedResponseWithThrottleTimeIsAThrottledResponse() throws Exception {
        Message response = newMessage("SampleResponse");
        assertThat(response).isInstanceOf(ApiMessage.class).isInstanceOf(ThrottledResponse.class);
        ThrottledResponse throttled = (ThrottledResponse) response;
        assertThat(throttled.setThrottleTimeMs(250)).isSameAs(response);
        Message back = readBack("SampleResponse", bytes(response, (short) 1), (short) 1);
        assertThat(((ThrottledResponse) back).throttleTimeMs()).isEqualTo(250);
        assertThat(newMessage("Sample")).isNotInstanceOf(ApiMessage.class).isNotInstanceOf(ThrottledResponse.class);
    }

    @Test
    void findLooksUpStructsByTheirMapKey() throws Exception {
        Message sample = sample((short) 0);
        Class<?> item = loader.loadClass(PACKAGE + ".Sample$Item");
        Object found = item.getMethod("find", List.class, String.class).invoke(null, get(sample, "items"), "k");
        assertThat(found).isNotNull();
        assertThat(get(found, "value")).isEqualTo(42);
        assertThat(item.getMethod("find", List.class, String.class).invoke(null, get(sample, "items"), "x"))
                .isNull();
    }
}
