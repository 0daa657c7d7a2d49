package io.skiff.broker.security.authz;

/**
 * How an ACL's resource name matches, with Apache Kafka's codes: {@link #LITERAL} (the name, or
 * {@code *} for every name) and {@link #PREFIXED} (every name starting with it) are stored;
 * {@link #ANY} and {@link #MATCH} only filter.
 */
public enum PatternType {
    UNKNOWN(0),
    ANY(1),
    MATCH(2),
    LITERAL(3),
    PREFIXED(4);

    /** The protocol code. */
    public final byte code;

    PatternType(int code) {
        this.code = (byte) code;
    }

    /** The type of {@code code}, {@link #UNKNOWN} for a code Kafka does not define. */
    public static PatternType forCode(byte code) {
        for (PatternType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return UNKNOWN;
    }
}
