package io.skiff.wire.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.skiff.wire.generator.Schema.FieldSpec;
import io.skiff.wire.generator.Schema.MessageSpec;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class SchemaTest {
    static final String SAMPLE = """
        // A comment, as Kafka's schema files start with a licence comment.
        {
          "apiKey": 90,
          "type": "request",
          "name": "SampleRequest",
          "validVersions": "0-3",
          "flexibleVersions": "2+",
          "fields": [
            { "name": "Name", "type": "string", "versions": "0+", "nullableVersions": "1+" },
            { "name": "TimeoutMs", "type": "int32", "versions": "0+", "default": "60000" },
            { "name": "Items", "type": "[]Item", "versions": "0+", "fields": [
              { "name": "Id", "type": "uuid", "versions": "0+", "mapKey": true },
              { "name": "Extra", "type": "Common", "versions": "1+" }
            ]},
            { "name": "Note", "type": "string", "tag": 0, "taggedVersions": "2+", "nullableVersions": "2+",
              "default": "null", "ignorable": true },
          ],
          "commonStructs": [
            { "name": "Common", "versions": "1+", "fields": [
              { "name": "Flag", "type": "bool", "versions": "1+" }
            ]},
            { "name": "Unused", "versions": "0+", "fields": [
              { "name": "Count", "type": "int64", "versions": "0+" }
            ]}
          ]
        }
        """;

    @Test
    void readsTheMessageHeader() throws IOException {
        MessageSpec spec = Schema.parse(SAMPLE);
        assertThat(spec.name).isEqualTo("SampleRequest");
        assertThat(spec.type).isEqualTo("request");
        assertThat(spec.apiKey).isEqualTo(90);
        assertThat(spec.validVersions.toString()).isEqualTo("0-3");
        assertThat(spec.flexibleVersions.toString()).isEqualTo("2+");
        assertThat(spec.latestVersionUnstable).isFalse();
    }

    @Test
    void flexibleVersionsDefaultToNone() throws IOException {
        MessageSpec spec =
                Schema.parse("{\"type\": \"data\", \"name\": \"D\", \"validVersions\": \"0\", \"fields\": []}");
        assertThat(spec.flexibleVersions.isEmpty()).isTrue();
        assertThat(spec.apiKey).isNull();
    }

    @Test
    void readsFieldVersionsNullableVersionsAndDefaults() throws IOException {
        MessageSpec spec = Schema.parse(SAMPLE);
        FieldSpec name = spec.fields.get(0);
        assertThat(name.type.kind).isEqualTo(FieldType.Kind.STRING);
        assertThat(name.versions.toString()).isEqualTo("0+");
        assertThat(name.nullableVersions.toString()).isEqualTo("1+");
        assertThat(name.tag).isNull();
        FieldSpec timeout = spec.fields.get(1);
        assertThat(timeout.nullableVersions.isEmpty()).isTrue();
        assertThat(timeout.defaultValue).isEqualTo("60000");
    }

    @Test
    void aTaggedFieldWithoutVersionsExistsWhereItIsTagged() throws IOException {
        FieldSpec note = Schema.parse(SAMPLE).fields.get(3);
        assertThat(note.tag).isEqualTo(0);
        assertThat(note.taggedVersions.toString()).isEqualTo("2+");
        assertThat(note.versions.toString()).isEqualTo("2+");
        assertThat(note.ignorable).isTrue();
        assertThat(note.defaultValue).isEqualTo("null");
    }

    @Test
    void registersNestedAndCommonStructsInDefinitionOrder() throws IOException {
        MessageSpec spec = Schema.parse(SAMPLE);
        assertThat(spec.structs.keySet()).containsExactly("Item", "Common", "Unused");
        FieldSpec items = spec.fields.get(2);
        assertThat(items.type.isStructArray()).isTrue();
        assertThat(items.struct).isSameAs(spec.structs.get("Item"));
        assertThat(items.struct.mapKeys()).extracting(f -> f.name).containsExactly("Id");
        FieldSpec extra = items.struct.fields.get(1);
        assertThat(extra.struct).isSameAs(spec.structs.get("Common"));
        assertThat(spec.structs.get("Common").versions.toString()).isEqualTo("1+");
    }

    @Test
    void rejectsMissingRequiredKeys() {
        assertThatThrownBy(() -> Schema.parse("{\"type\": \"data\", \"validVersions\": \"0\"}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"name\" is missing");
        assertThatThrownBy(() -> Schema.parse("{\"name\": \"D\", \"type\": \"data\"}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("D: \"validVersions\" is missing");
        assertThatThrownBy(
                        () -> Schema.parse(
                                "{\"name\": \"D\", \"type\": \"data\", \"validVersions\": \"0\", \"fields\": [{\"name\": \"F\"}]}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("D.F: \"type\" is missing");
        assertThatThrownBy(() -> Schema.parse("[]"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("JSON object");
    }

    @Test
    void rejectsUnknownTypesAndStructs() {
        assertThatThrownBy(() -> Schema.parse(message("{\"name\": \"F\", \"type\": \"int128\", \"versions\": \"0+\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown field type int128");
        assertThatThrownBy(
                        () -> Schema.parse(message("{\"name\": \"F\", \"type\": \"[]Missing\", \"versions\": \"0+\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown struct Missing");
    }

    @Test
    void rejectsATagWithoutTaggedVersions() {
        assertThatThrownBy(() -> Schema.parse(
                        message("{\"name\": \"F\", \"type\": \"int32\", \"versions\": \"0+\", \"tag\": 1}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has a tag but no taggedVersions");
    }

    @Test
    void rejectsAStructDefinedTwice() {
        String struct = "{\"name\": \"%s\", \"type\": \"S\", \"versions\": \"0+\", \"fields\": []}";
        assertThatThrownBy(() -> Schema.parse(message(String.format(struct, "A") + ", " + String.format(struct, "B"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("struct S is defined twice");
    }

    @Test
    void rejectsMalformedJson() {
        assertThatThrownBy(() -> Schema.parse("{\"name\": ")).isInstanceOf(IOException.class);
    }

    static String message(String fields) {
        return "{\"name\": \"M\", \"type\": \"data\", \"validVersions\": \"0-1\", \"flexibleVersions\": \"1+\","
                + " \"fields\": [" + fields + "]}";
    }
}
