package io.skiff.broker.security.authz;

/**
 * A filter over {@link AclBinding}s as the DescribeAcls and DeleteAcls APIs send it, with Apache
 * Kafka's matching: {@code ANY} types and null names, principals and hosts match everything; a
 * {@link PatternType#MATCH} filter with a name matches the literal ACL of that name, the literal
 * wildcard {@code *} and every prefixed ACL that is a prefix of the name. Immutable.
 */
public record AclBindingFilter(
        ResourceType resourceType,
        String resourceName,
        PatternType patternType,
        String principal,
        String host,
        AclOperation operation,
        AclPermissionType permissionType) {

    /** Whether any field is of an unknown code (such a filter is refused). */
    public boolean isUnknown() {
        return resourceType == ResourceType.UNKNOWN
                || patternType == PatternType.UNKNOWN
                || operation == AclOperation.UNKNOWN
                || permissionType == AclPermissionType.UNKNOWN;
    }

    /** Whether {@code b} passes this filter. */
    public boolean matches(AclBinding b) {
        return patternMatches(b) && entryMatches(b);
    }

    private boolean patternMatches(AclBinding b) {
        if (resourceType != ResourceType.ANY && resourceType != b.resourceType()) {
            return false;
        }
        if (patternType != PatternType.ANY && patternType != PatternType.MATCH && patternType != b.patternType()) {
            return false;
        }
        if (resourceName == null) {
            return true;
        }
        if (patternType == PatternType.ANY || patternType == b.patternType()) {
            return resourceName.equals(b.resourceName());
        }
        if (b.patternType() == PatternType.LITERAL) {
            return resourceName.equals(b.resourceName()) || AclBinding.WILDCARD_RESOURCE.equals(b.resourceName());
        }
        return b.patternType() == PatternType.PREFIXED && resourceName.startsWith(b.resourceName());
    }

    private boolean entryMatches(AclBinding b) {
        return (principal == null || principal.equals(b.principal()))
                && (host == null || host.equals(b.host()))
                && (operation == AclOperation.ANY || operation == b.operation())
                && (permissionType == AclPermissionType.ANY || permissionType == b.permissionType());
    }
}
