package io.skiff.broker.security.authz;

/**
 * The kinds of resource an ACL protects, with Apache Kafka's codes. {@link #ANY} only filters.
 * The cluster has one resource, named {@link #CLUSTER_NAME}.
 */
public enum ResourceType {
    UNKNOWN(0),
    ANY(1),
    TOPIC(2),
    GROUP(3),
    CLUSTER(4),
    TRANSACTIONAL_ID(5),
    DELEGATION_TOKEN(6),
    USER(7);

    /** The name of the one cluster resource. */
    public static final String CLUSTER_NAME = "kafka-cluster";

    private static final ResourceType[] BY_CODE = values();

    /** The protocol code. */
    public final byte code;

    ResourceType(int code) {
        this.code = (byte) code;
    }

    /** The type of {@code code}, {@link #UNKNOWN} for a code Kafka does not define. */
    public static ResourceType forCode(byte code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : UNKNOWN;
    }
}
