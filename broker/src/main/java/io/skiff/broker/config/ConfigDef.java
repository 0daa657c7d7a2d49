package io.skiff.broker.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A set of configuration keys with their type, default and validation, and the parsing of
 * string values into typed ones. Definitions are built once; parsing is thread-safe.
 */
public final class ConfigDef {
    public enum Type {
        BOOLEAN,
        INT,
        SHORT,
        LONG,
        DOUBLE,
        STRING,
        LIST,
        PASSWORD,
        CLASS
    }

    /** Checks a parsed value; throws {@link ConfigException} when it is not acceptable. */
    @FunctionalInterface
    public interface Validator {
        void ensureValid(String key, Object value);
    }

    /** One configuration key. Immutable. */
    public static final class Key {
        public final String name;
        public final Type type;
        /** The default as Kafka documents it (a string), or null when there is none. */
        public final String defaultText;

        public final Object defaultValue;
        public final Validator validator;
        public final String doc;

        Key(String name, Type type, String defaultText, Validator validator, String doc) {
            this.name = name;
            this.type = type;
            this.defaultText = defaultText;
            this.validator = validator;
            this.doc = doc;
            this.defaultValue = defaultText == null ? null : parseValue(name, type, defaultText);
            if (this.defaultValue != null && validator != null) {
                validator.ensureValid(name, this.defaultValue);
            }
        }
    }

    private final Map<String, Key> keys = new LinkedHashMap<>();

    public ConfigDef define(String name, Type type, String defaultText, Validator validator, String doc) {
        if (keys.put(name, new Key(name, type, defaultText, validator, doc)) != null) {
            throw new IllegalArgumentException("configuration " + name + " is defined twice");
        }
        return this;
    }

    public ConfigDef define(String name, Type type, String defaultText, String doc) {
        return define(name, type, defaultText, null, doc);
    }

    public Key key(String name) {
        return keys.get(name);
    }

    public Collection<Key> keys() {
        return Collections.unmodifiableCollection(keys.values());
    }

    /**
     * Parses and validates {@code text} as the value of {@code key}. The exception of a
     * {@link Type#PASSWORD} key does not show the value.
     */
    public Object parse(String key, String text) {
        Key k = keys.get(key);
        if (k == null) {
            throw new ConfigException("Unknown configuration " + key);
        }
        try {
            Object value = text == null ? null : parseValue(key, k.type, text);
            if (value != null && k.validator != null) {
                k.validator.ensureValid(key, value);
            }
            return value;
        } catch (ConfigException e) {
            if (k.type == Type.PASSWORD) {
                throw new ConfigException(key, null, e.reason(), true);
            }
            throw e;
        }
    }

    static Object parseValue(String key, Type type, String text) {
        String trimmed = type == Type.PASSWORD || type == Type.STRING ? text : text.trim();
        try {
            switch (type) {
                case BOOLEAN:
                    if (trimmed.equalsIgnoreCase("true")) {
                        return Boolean.TRUE;
                    }
                    if (trimmed.equalsIgnoreCase("false")) {
                        return Boolean.FALSE;
                    }
                    throw new ConfigException(key, text, "Expected value to be either true or false");
                case INT:
                    return Integer.parseInt(trimmed);
                case SHORT:
                    return Short.parseShort(trimmed);
                case LONG:
                    return Long.parseLong(trimmed);
                case DOUBLE:
                    return Double.parseDouble(trimmed);
                case STRING:
                case PASSWORD:
                case CLASS:
                    return trimmed.trim();
                case LIST: {
                    List<String> out = new ArrayList<>();
                    if (trimmed.isEmpty()) {
                        return out;
                    }
                    for (String part : trimmed.split(",")) {
                        out.add(part.trim());
                    }
                    return out;
                }
                default:
                    throw new IllegalStateException();
            }
        } catch (NumberFormatException e) {
            throw new ConfigException(key, text, "Not a number of type " + type.name());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // validators

    public static Validator atLeast(long min) {
        return (key, value) -> {
            if (((Number) value).longValue() < min) {
                throw new ConfigException(key, value, "Value must be at least " + min);
            }
        };
    }

    public static Validator between(long min, long max) {
        return (key, value) -> {
            long v = ((Number) value).longValue();
            if (v < min || v > max) {
                throw new ConfigException(key, value, "Value must be no less than " + min + " and no more than " + max);
            }
        };
    }

    public static Validator oneOf(String... allowed) {
        return (key, value) -> {
            List<?> values = value instanceof List ? (List<?>) value : List.of(value);
            for (Object v : values) {
                boolean ok = false;
                for (String a : allowed) {
                    if (a.equalsIgnoreCase(v.toString())) {
                        ok = true;
                        break;
                    }
                }
                if (!ok) {
                    throw new ConfigException(key, value, "String must be one of: " + String.join(", ", allowed));
                }
            }
        };
    }

    public static Validator nonEmptyList() {
        return (key, value) -> {
            if (((List<?>) value).isEmpty()) {
                throw new ConfigException(key, value, "Empty list");
            }
        };
    }
}
