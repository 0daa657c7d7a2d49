package io.skiff.broker.security.authz;

import io.skiff.broker.metadata.MetadataRecord;
import io.skiff.wire.protocol.Uuid;
import java.util.Objects;

/**
 * One ACL as Apache Kafka's {@code AclBinding} has it: a resource pattern (type, name, pattern
 * type) and an entry (principal {@code Type:name} or {@code User:*}, host or {@code *}, operation,
 * allow or deny). Stored in the metadata log as {@link MetadataRecord.AclCreated}. Immutable.
 */
public record AclBinding(
        ResourceType resourceType,
        String resourceName,
        PatternType patternType,
        String principal,
        String host,
        AclOperation operation,
        AclPermissionType permissionType) {
    /** The name of a literal pattern that matches every resource of its type. */
    public static final String WILDCARD_RESOURCE = "*";
    /** The host of an entry that matches every host. */
    public static final String WILDCARD_HOST = "*";
    /** The principal of an entry that matches every user. */
    public static final String WILDCARD_PRINCIPAL = "User:*";

    public AclBinding {
        Objects.requireNonNull(resourceType, "resourceType");
        Objects.requireNonNull(resourceName, "resourceName");
        Objects.requireNonNull(patternType, "patternType");
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(permissionType, "permissionType");
    }

    /** The binding a metadata record stores. */
    public static AclBinding of(MetadataRecord.AclCreated r) {
        return new AclBinding(
                ResourceType.forCode(r.resourceType()),
                r.resourceName(),
                PatternType.forCode(r.patternType()),
                r.principal(),
                r.host(),
                AclOperation.forCode(r.operation()),
                AclPermissionType.forCode(r.permissionType()));
    }

    /** The metadata record that stores this binding under {@code id}. */
    public MetadataRecord.AclCreated toRecord(Uuid id) {
        return new MetadataRecord.AclCreated(
                id,
                resourceType.code,
                resourceName,
                patternType.code,
                principal,
                host,
                operation.code,
                permissionType.code);
    }

    @Override
    public String toString() {
        return "(pattern=" + resourceType + ":" + patternType + ":" + resourceName + ", principal=" + principal
                + ", host=" + host + ", operation=" + operation + ", permissionType=" + permissionType + ")";
    }
}
