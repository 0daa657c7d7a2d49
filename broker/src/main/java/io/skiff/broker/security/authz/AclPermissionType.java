package io.skiff.broker.security.authz;

/** Whether an ACL allows or denies, with Apache Kafka's codes; {@link #ANY} only filters. */
public enum AclPermissionType {
    UNKNOWN(0),
    ANY(1),
    DENY(2),
    ALLOW(3);

    /** The protocol code. */
    public final byte code;

    AclPermissionType(int code) {
        this.code = (byte) code;
    }

    /** The type of {@code code}, {@link #UNKNOWN} for a code Kafka does not define. */
    public static AclPermissionType forCode(byte code) {
        for (AclPermissionType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return UNKNOWN;
    }
}
