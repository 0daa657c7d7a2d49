package io.skiff.broker.security.authz;

import io.skiff.broker.network.KafkaPrincipal;

/**
 * The broker without an authorizer: every action is allowed, and the authorized operations are
 * every operation of the resource type (as Apache Kafka reports them without an authorizer).
 * Stateless and thread-safe.
 */
final class AllowAll implements Authorizer {
    /** Operation bits of the cluster without an authorizer, as Skiff has always reported them. */
    static final int CLUSTER_OPERATIONS = SupportedOperations.bits(ResourceType.CLUSTER) | (1 << 13) | (1 << 14);

    @Override
    public boolean enabled() {
        return false;
    }

    @Override
    public boolean authorize(
            KafkaPrincipal principal, String host, AclOperation operation, ResourceType type, String name) {
        return true;
    }

    @Override
    public boolean authorizeByResourceType(
            KafkaPrincipal principal, String host, AclOperation operation, ResourceType type) {
        return true;
    }

    @Override
    public int authorizedOperations(KafkaPrincipal principal, String host, ResourceType type, String name) {
        return type == ResourceType.CLUSTER ? CLUSTER_OPERATIONS : SupportedOperations.bits(type);
    }

    @Override
    public String toString() {
        return "no authorizer";
    }
}
