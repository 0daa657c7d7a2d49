package io.skiff.wire.generator;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model of one JSON message schema ({@code common/message/*.json}) and its loader. The model
 * is a plain tree: a message holds fields; struct fields and struct arrays point to a
 * {@link StructSpec} registered by name in the message. A schema that lacks a required key or
 * names an unknown type or struct is rejected with an {@link IllegalArgumentException};
 * {@link SchemaCheck} checks the rest before code is generated. The model is mutable and not
 * thread-safe; the loader is stateless.
 */
public final class Schema {
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
            .build();

    private Schema() {}

    public static final class FieldSpec {
        public String name;
        public FieldType type;
        public Versions versions;
        public Versions nullableVersions;
        public Versions taggedVersions;
        public Integer tag;
        public boolean ignorable;
        public String defaultValue;
        public boolean mapKey;
        /** A field-level override of the message's flexible versions (only "none" is in use). */
        public Versions flexibleVersions;
        /** For a struct or struct array: its definition. */
        public StructSpec struct;

        public String camelName() {
            return Character.toLowerCase(name.charAt(0)) + name.substring(1);
        }

        public boolean isTaggedAnywhere() {
            return tag != null;
        }
    }

    public static final class StructSpec {
        public final String name;
        public final Versions versions;
        public final List<FieldSpec> fields;

        public StructSpec(String name, Versions versions, List<FieldSpec> fields) {
            this.name = name;
            this.versions = versions;
            this.fields = fields;
        }

        public List<FieldSpec> mapKeys() {
            List<FieldSpec> keys = new ArrayList<>();
            for (FieldSpec f : fields) {
                if (f.mapKey) {
                    keys.add(f);
                }
            }
            return keys;
        }
    }

    public static final class MessageSpec {
        public String name;
        public String type;
        public Integer apiKey;
        public Versions validVersions;
        public Versions flexibleVersions;
        public boolean latestVersionUnstable;
        public List<String> listeners = new ArrayList<>();
        public List<FieldSpec> fields;
        /** All structs of this message, nested and common, by class name, in definition order. */
        public final Map<String, StructSpec> structs = new LinkedHashMap<>();
    }

    public static MessageSpec load(Path file) throws IOException {
        return parse(JSON.readTree(file.toFile()));
    }

    /** Reads a schema from its JSON text (comments and trailing commas allowed, as in Kafka's files). */
    public static MessageSpec parse(String json) throws IOException {
        return parse(JSON.readTree(json));
    }

    private static MessageSpec parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("a schema must be a JSON object");
        }
        MessageSpec spec = new MessageSpec();
        spec.name = required(root, "name", "schema");
        spec.type = required(root, "type", spec.name);
        spec.apiKey = root.has("apiKey") ? root.get("apiKey").asInt() : null;
        spec.validVersions = Versions.parse(required(root, "validVersions", spec.name), Versions.NONE);
        spec.flexibleVersions = Versions.parse(text(root, "flexibleVersions"), Versions.NONE);
        spec.latestVersionUnstable = root.has("latestVersionUnstable")
                && root.get("latestVersionUnstable").asBoolean();
        if (root.has("listeners")) {
            for (JsonNode l : root.get("listeners")) {
                spec.listeners.add(l.asText());
            }
        }
        Map<String, JsonNode> common = new LinkedHashMap<>();
        if (root.has("commonStructs")) {
            for (JsonNode cs : root.get("commonStructs")) {
                common.put(required(cs, "name", spec.name + " common struct"), cs);
            }
        }
        spec.fields = fields(root.get("fields"), spec, common);
        for (Map.Entry<String, JsonNode> e : common.entrySet()) {
            if (!spec.structs.containsKey(e.getKey())) {
                JsonNode cs = e.getValue();
                defineStruct(
                        spec, e.getKey(), Versions.parse(text(cs, "versions"), Versions.ALL), cs.get("fields"), common);
            }
        }
        return spec;
    }

    private static List<FieldSpec> fields(JsonNode array, MessageSpec spec, Map<String, JsonNode> common) {
        List<FieldSpec> out = new ArrayList<>();
        if (array == null) {
            return out;
        }
        for (JsonNode node : array) {
            FieldSpec f = new FieldSpec();
            f.name = required(node, "name", spec.name + " field");
            f.type = FieldType.parse(required(node, "type", spec.name + "." + f.name));
            f.nullableVersions = Versions.parse(text(node, "nullableVersions"), Versions.NONE);
            f.taggedVersions = Versions.parse(text(node, "taggedVersions"), Versions.NONE);
            // A tagged field may leave out "versions": it then exists exactly where it is tagged.
            f.versions = Versions.parse(text(node, "versions"), f.taggedVersions);
            f.tag = node.has("tag") ? node.get("tag").asInt() : null;
            f.ignorable = node.has("ignorable") && node.get("ignorable").asBoolean();
            f.defaultValue = text(node, "default");
            f.mapKey = node.has("mapKey") && node.get("mapKey").asBoolean();
            f.flexibleVersions =
                    node.has("flexibleVersions") ? Versions.parse(text(node, "flexibleVersions"), null) : null;
            if (f.tag != null && f.taggedVersions.isEmpty()) {
                throw new IllegalArgumentException(spec.name + "." + f.name + " has a tag but no taggedVersions");
            }
            FieldType structType = f.type.isArray() ? f.type.element : f.type;
            if (structType.isStruct()) {
                String structName = structType.structName;
                if (node.has("fields")) {
                    f.struct = defineStruct(spec, structName, f.versions, node.get("fields"), common);
                } else if (spec.structs.containsKey(structName)) {
                    f.struct = spec.structs.get(structName);
                } else if (common.containsKey(structName)) {
                    JsonNode cs = common.get(structName);
                    f.struct = defineStruct(
                            spec,
                            structName,
                            Versions.parse(text(cs, "versions"), Versions.ALL),
                            cs.get("fields"),
                            common);
                } else {
                    throw new IllegalArgumentException(spec.name + "." + f.name + ": unknown struct " + structName);
                }
            }
            out.add(f);
        }
        return out;
    }

    private static StructSpec defineStruct(
            MessageSpec spec, String name, Versions versions, JsonNode fields, Map<String, JsonNode> common) {
        if (spec.structs.containsKey(name)) {
            throw new IllegalArgumentException(spec.name + ": struct " + name + " is defined twice");
        }
        if (name.equals(spec.name)) {
            throw new IllegalArgumentException(spec.name + ": struct has the message's own name");
        }
        // Reserve the name first so that the order of nested classes follows the schema.
        spec.structs.put(name, null);
        StructSpec struct = new StructSpec(name, versions, fields(fields, spec, common));
        spec.structs.put(name, struct);
        return struct;
    }

    private static String required(JsonNode node, String key, String where) {
        String v = text(node, key);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException(where + ": \"" + key + "\" is missing");
        }
        return v;
    }

    private static String text(JsonNode node, String key) {
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }
}
