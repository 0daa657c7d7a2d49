package io.skiff.wire.generator;

import io.skiff.wire.generator.Schema.FieldSpec;
import io.skiff.wire.generator.Schema.MessageSpec;
import io.skiff.wire.generator.Schema.StructSpec;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks a loaded schema must pass before code is generated from it: those that would
 * otherwise produce classes that do not compile (two fields of one name, two fields on one tag)
 * or that encode wrongly (a nullable primitive, a tag outside the flexible versions). Each
 * failure is an {@link IllegalArgumentException} naming the message and field. Stateless.
 */
final class SchemaCheck {
    /** The schema name of the field that {@code ThrottledResponse} exposes. */
    static final String THROTTLE_FIELD = "ThrottleTimeMs";

    private SchemaCheck() {}

    /** Checks every field of the message and of its structs. */
    static void check(MessageSpec msg) {
        checkFields(msg, msg.name, msg.fields);
        for (StructSpec s : msg.structs.values()) {
            checkFields(msg, s.name, s.fields);
        }
    }

    private static void checkFields(MessageSpec msg, String owner, List<FieldSpec> fields) {
        Set<String> names = new HashSet<>();
        Map<Integer, String> tags = new HashMap<>();
        for (FieldSpec f : fields) {
            String where = owner + "." + f.name;
            if (!names.add(f.camelName())) {
                throw new IllegalArgumentException(where + ": two fields of the same name");
            }
            if (f.versions.isEmpty()) {
                throw new IllegalArgumentException(where + ": the field exists in no version");
            }
            if (!f.nullableVersions.isEmpty() && !f.type.canBeNullable()) {
                throw new IllegalArgumentException(where + ": type " + f.type + " cannot be nullable");
            }
            if (f.tag != null) {
                checkTag(msg, f, where);
                String other = tags.put(f.tag, f.name);
                if (other != null) {
                    throw new IllegalArgumentException(where + ": tag " + f.tag + " is also used by " + other);
                }
            }
        }
    }

    private static void checkTag(MessageSpec msg, FieldSpec f, String where) {
        if (f.tag < 0) {
            throw new IllegalArgumentException(where + ": negative tag " + f.tag);
        }
        if (f.taggedVersions.highest < f.versions.highest || f.taggedVersions.lowest < f.versions.lowest) {
            throw new IllegalArgumentException(where + ": taggedVersions must be a tail of versions");
        }
        Versions flexibleTagged = f.taggedVersions.intersect(msg.flexibleVersions);
        if (flexibleTagged.isEmpty()
                || flexibleTagged.lowest != f.taggedVersions.lowest
                || flexibleTagged.highest != f.taggedVersions.highest) {
            throw new IllegalArgumentException(where + ": tagged in a non-flexible version");
        }
    }

    /**
     * The top-level {@code ThrottleTimeMs} field of an API response, checked so that setting it is
     * safe at every version: an untagged int32 that is present in every valid version or ignorable
     * where it is absent. Null for every other message, which then does not implement
     * {@code ThrottledResponse}.
     */
    static FieldSpec throttleField(MessageSpec msg) {
        if (msg.apiKey == null || !"response".equals(msg.type)) {
            return null;
        }
        for (FieldSpec f : msg.fields) {
            if (!f.name.equals(THROTTLE_FIELD)) {
                continue;
            }
            String where = msg.name + "." + f.name;
            if (f.type.kind != FieldType.Kind.INT32) {
                throw new IllegalArgumentException(where + ": must be int32, not " + f.type);
            }
            if (f.tag != null) {
                throw new IllegalArgumentException(where + ": must not be a tagged field");
            }
            if (!f.ignorable
                    && (f.versions.lowest > msg.validVersions.lowest
                            || f.versions.highest < msg.validVersions.highest)) {
                throw new IllegalArgumentException(where + ": must be ignorable in the versions that lack it");
            }
            return f;
        }
        return null;
    }
}
