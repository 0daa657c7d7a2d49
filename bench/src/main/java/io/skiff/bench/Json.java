package io.skiff.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A flat JSON object written on one line, fields in insertion order. Not thread-safe. */
public final class Json {
    private final Map<String, String> fields = new LinkedHashMap<>();

    public Json put(String key, String value) {
        fields.put(key, value == null ? "null" : quote(value));
        return this;
    }

    public Json put(String key, long value) {
        fields.put(key, Long.toString(value));
        return this;
    }

    public Json put(String key, boolean value) {
        fields.put(key, Boolean.toString(value));
        return this;
    }

    /** NaN (a figure that was not measured) is written as null. */
    public Json put(String key, double value) {
        fields.put(
                key,
                Double.isNaN(value) || Double.isInfinite(value) ? "null" : String.format(Locale.ROOT, "%.4f", value));
        return this;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, String> e : fields.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append(quote(e.getKey())).append(':').append(e.getValue());
        }
        return sb.append('}').toString();
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"').toString();
    }
}
