package io.skiff.broker.security.authz;

import java.util.List;

/**
 * The operations that mean something for each resource type (Apache Kafka 4.3.1's
 * {@code AclEntry.supportedOperations}): what the {@code *_authorized_operations} fields report
 * on. Stateless.
 */
final class SupportedOperations {
    private static final List<AclOperation> TOPIC = List.of(
            AclOperation.READ,
            AclOperation.WRITE,
            AclOperation.CREATE,
            AclOperation.DESCRIBE,
            AclOperation.DELETE,
            AclOperation.ALTER,
            AclOperation.DESCRIBE_CONFIGS,
            AclOperation.ALTER_CONFIGS);
    private static final List<AclOperation> GROUP = List.of(
            AclOperation.READ,
            AclOperation.DESCRIBE,
            AclOperation.DELETE,
            AclOperation.DESCRIBE_CONFIGS,
            AclOperation.ALTER_CONFIGS);
    private static final List<AclOperation> CLUSTER = List.of(
            AclOperation.CREATE,
            AclOperation.CLUSTER_ACTION,
            AclOperation.DESCRIBE_CONFIGS,
            AclOperation.ALTER_CONFIGS,
            AclOperation.IDEMPOTENT_WRITE,
            AclOperation.ALTER,
            AclOperation.DESCRIBE);
    private static final List<AclOperation> TRANSACTIONAL_ID =
            List.of(AclOperation.DESCRIBE, AclOperation.WRITE, AclOperation.TWO_PHASE_COMMIT);
    private static final List<AclOperation> DELEGATION_TOKEN = List.of(AclOperation.DESCRIBE);
    private static final List<AclOperation> USER = List.of(AclOperation.CREATE_TOKENS, AclOperation.DESCRIBE_TOKENS);

    private SupportedOperations() {}

    static List<AclOperation> of(ResourceType type) {
        switch (type) {
            case TOPIC:
                return TOPIC;
            case GROUP:
                return GROUP;
            case CLUSTER:
                return CLUSTER;
            case TRANSACTIONAL_ID:
                return TRANSACTIONAL_ID;
            case DELEGATION_TOKEN:
                return DELEGATION_TOKEN;
            case USER:
                return USER;
            default:
                throw new IllegalArgumentException("not a concrete resource type: " + type);
        }
    }

    static int bits(ResourceType type) {
        int bits = 0;
        for (AclOperation op : of(type)) {
            bits |= 1 << op.code;
        }
        return bits;
    }
}
