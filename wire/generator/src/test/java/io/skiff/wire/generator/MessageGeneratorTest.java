package io.skiff.wire.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** What the generator writes for small schemas, and which schemas it refuses. */
class MessageGeneratorTest {
    static String api(String type, String name, String validVersions, String fields) {
        return "{\"apiKey\": 90, \"type\": \"" + type + "\", \"name\": \"" + name + "\", \"validVersions\": \""
                + validVersions + "\", \"flexibleVersions\": \"1+\", \"fields\": [" + fields + "]}";
    }

    static String generate(String json) throws IOException {
        return new MessageGenerator(Schema.parse(json), "io.skiff.test").generate();
    }

    static final String THROTTLE = "{\"name\": \"ThrottleTimeMs\", \"type\": \"int32\", \"versions\": \"0+\"}";
    static final String ERROR = "{\"name\": \"ErrorCode\", \"type\": \"int16\", \"versions\": \"0+\"}";

    @Test
    void aResponseWithThrottleTimeMsImplementsThrottledResponse() throws IOException {
        String code = generate(api("response", "SampleResponse", "0-2", THROTTLE + ", " + ERROR));
        assertThat(code)
                .contains("import io.skiff.wire.protocol.ThrottledResponse;")
                .contains("public final class SampleResponse implements ApiMessage, ThrottledResponse {")
                .contains("@Override\n    public int throttleTimeMs() {")
                .contains("@Override\n    public SampleResponse setThrottleTimeMs(int v) {");
    }

    @Test
    void aResponseWithoutTheFieldIsOnlyAnApiMessage() throws IOException {
        String code = generate(api("response", "SampleResponse", "0-2", ERROR));
        assertThat(code)
                .doesNotContain("ThrottledResponse")
                .contains("public final class SampleResponse implements ApiMessage {");
    }

    @Test
    void aRequestWithTheFieldIsNotAThrottledResponse() throws IOException {
        String code = generate(api("request", "SampleRequest", "0-2", THROTTLE));
        assertThat(code)
                .doesNotContain("ThrottledResponse")
                .contains("public final class SampleRequest implements ApiMessage {");
    }

    @Test
    void aThrottleFieldInANestedStructDoesNotCount() throws IOException {
        String code = generate(api(
                "response",
                "SampleResponse",
                "0-2",
                "{\"name\": \"Results\", \"type\": \"[]Result\", \"versions\": \"0+\", \"fields\": [" + THROTTLE
                        + "]}"));
        assertThat(code).doesNotContain("ThrottledResponse");
    }

    @Test
    void anIgnorableThrottleFieldMayStartAfterTheFirstVersion() throws IOException {
        String code = generate(api(
                "response",
                "SampleResponse",
                "0-2",
                "{\"name\": \"ThrottleTimeMs\", \"type\": \"int32\", \"versions\": \"1+\", \"ignorable\": true}"));
        assertThat(code).contains("implements ApiMessage, ThrottledResponse");
    }

    @Test
    void rejectsAThrottleFieldThatIsNotInt32() {
        assertThatThrownBy(() -> generate(api(
                        "response",
                        "SampleResponse",
                        "0-2",
                        "{\"name\": \"ThrottleTimeMs\", \"type\": \"int64\", \"versions\": \"0+\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be int32");
    }

    @Test
    void rejectsAThrottleFieldThatIsNeitherInEveryVersionNorIgnorable() {
        assertThatThrownBy(() -> generate(api(
                        "response",
                        "SampleResponse",
                        "0-2",
                        "{\"name\": \"ThrottleTimeMs\", \"type\": \"int32\", \"versions\": \"1+\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be ignorable");
    }

    @Test
    void rejectsATaggedThrottleField() {
        assertThatThrownBy(() -> generate(api(
                        "response",
                        "SampleResponse",
                        "0-2",
                        "{\"name\": \"ThrottleTimeMs\", \"type\": \"int32\", \"tag\": 0, \"taggedVersions\": \"1+\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be a tagged field");
    }

    @Test
    void rejectsANullablePrimitive() {
        assertThatThrownBy(() -> generate(SchemaTest.message(
                        "{\"name\": \"F\", \"type\": \"int32\", \"versions\": \"0+\", \"nullableVersions\": \"0+\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("M.F: type int32 cannot be nullable");
    }

    @Test
    void rejectsATagInANonFlexibleVersion() {
        assertThatThrownBy(() -> generate(SchemaTest.message(
                        "{\"name\": \"F\", \"type\": \"int32\", \"tag\": 0, \"taggedVersions\": \"0+\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tagged in a non-flexible version");
        // A message without any flexible version cannot have tagged fields at all.
        assertThatThrownBy(
                        () -> generate("{\"name\": \"M\", \"type\": \"data\", \"validVersions\": \"0-1\", \"fields\": ["
                                + "{\"name\": \"F\", \"type\": \"int32\", \"tag\": 0, \"taggedVersions\": \"1+\"}]}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tagged in a non-flexible version");
    }

    @Test
    void rejectsTaggedVersionsThatAreNotATailOfVersions() {
        assertThatThrownBy(
                        () -> generate(
                                SchemaTest.message(
                                        "{\"name\": \"F\", \"type\": \"int32\", \"versions\": \"0-1\", \"tag\": 0, \"taggedVersions\": \"1\"},"
                                                + "{\"name\": \"G\", \"type\": \"int32\", \"versions\": \"1+\", \"tag\": 1, \"taggedVersions\": \"1-1\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("M.G: taggedVersions must be a tail");
    }

    @Test
    void rejectsTwoFieldsOnOneTag() {
        assertThatThrownBy(() -> generate(SchemaTest.message(
                        "{\"name\": \"F\", \"type\": \"int32\", \"tag\": 3, \"taggedVersions\": \"1+\"},"
                                + "{\"name\": \"G\", \"type\": \"int32\", \"tag\": 3, \"taggedVersions\": \"1+\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("M.G: tag 3 is also used by F");
    }

    @Test
    void rejectsTwoFieldsOfOneName() {
        assertThatThrownBy(() ->
                        generate(SchemaTest.message("{\"name\": \"F\", \"type\": \"int32\", \"versions\": \"0+\"},"
                                + "{\"name\": \"F\", \"type\": \"string\", \"versions\": \"1+\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("M.F: two fields of the same name");
    }

    @Test
    void checksFieldsOfNestedStructsToo() {
        assertThatThrownBy(
                        () -> generate(
                                SchemaTest.message(
                                        "{\"name\": \"Items\", \"type\": \"[]Item\", \"versions\": \"0+\", \"fields\": ["
                                                + "{\"name\": \"F\", \"type\": \"bool\", \"versions\": \"0+\", \"nullableVersions\": \"1+\"}]}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Item.F: type bool cannot be nullable");
    }

    @Test
    void rejectsANullDefaultOnANonNullableField() {
        assertThatThrownBy(() -> generate(SchemaTest.message(
                        "{\"name\": \"F\", \"type\": \"string\", \"versions\": \"0+\", \"default\": \"null\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("default null on a non-nullable field");
    }

    @Test
    void rejectsAnIntegerDefaultOutOfRange() {
        assertThatThrownBy(() -> generate(SchemaTest.message(
                        "{\"name\": \"F\", \"type\": \"int8\", \"versions\": \"0+\", \"default\": \"300\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("out of range");
    }

    @Test
    void versionDependentFieldsAreGuardedByTheirVersions() throws IOException {
        String code = generate(SchemaTest.message("{\"name\": \"Old\", \"type\": \"int32\", \"versions\": \"0\"},"
                + "{\"name\": \"Added\", \"type\": \"string\", \"versions\": \"1+\", \"nullableVersions\": \"1+\"}"));
        assertThat(code)
                .contains("if (version <= 0) {\n            this.old = buf.readInt();")
                .contains("if (version >= 1) {\n            this.added = ");
    }
}
