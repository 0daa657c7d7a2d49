package io.skiff.broker.security.authz;

/**
 * The operations an ACL grants or denies, with Apache Kafka's codes (the {@code operation} byte of
 * the ACL APIs and the bit positions of the {@code *_authorized_operations} fields). {@link #ANY}
 * only filters; {@link #UNKNOWN} is what an unknown code reads as.
 */
public enum AclOperation {
    UNKNOWN(0),
    ANY(1),
    ALL(2),
    READ(3),
    WRITE(4),
    CREATE(5),
    DELETE(6),
    ALTER(7),
    DESCRIBE(8),
    CLUSTER_ACTION(9),
    DESCRIBE_CONFIGS(10),
    ALTER_CONFIGS(11),
    IDEMPOTENT_WRITE(12),
    CREATE_TOKENS(13),
    DESCRIBE_TOKENS(14),
    TWO_PHASE_COMMIT(15);

    private static final AclOperation[] BY_CODE = new AclOperation[16];

    static {
        for (AclOperation op : values()) {
            BY_CODE[op.code] = op;
        }
    }

    /** The protocol code. */
    public final byte code;

    AclOperation(int code) {
        this.code = (byte) code;
    }

    /** The operation of {@code code}, {@link #UNKNOWN} for a code Kafka does not define. */
    public static AclOperation forCode(byte code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : UNKNOWN;
    }

    /** The name Kafka's tools print and parse ({@code Read}, {@code DescribeConfigs}, ...). */
    public static AclOperation fromName(String name) {
        String n = name.replace("_", "");
        for (AclOperation op : values()) {
            if (op.name().replace("_", "").equalsIgnoreCase(n)) {
                return op;
            }
        }
        return UNKNOWN;
    }
}
