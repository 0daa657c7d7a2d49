package io.skiff.broker.security.authz;

import io.skiff.broker.network.KafkaPrincipal;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.network.Session;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * What handlers ask before they act: may this principal, from this host, perform this operation
 * on this resource (always a literal name)? Every handler takes one and checks exactly what Apache
 * Kafka 4.3.1 checks for its API. {@link #ALLOW_ALL} is the broker without
 * {@code authorizer.class.name}: everything is allowed and the ACL APIs answer SECURITY_DISABLED,
 * so nothing changes for clients. {@link AclAuthorizer} is Kafka's StandardAuthorizer.
 * Implementations are thread-safe and answer without blocking.
 */
public interface Authorizer {
    /** No authorizer configured: every action is allowed. */
    Authorizer ALLOW_ALL = new AllowAll();

    /** Whether an authorizer is configured (the ACL APIs work; otherwise they answer SECURITY_DISABLED). */
    boolean enabled();

    /** Whether {@code principal} at {@code host} may perform {@code operation} on the named resource. */
    boolean authorize(KafkaPrincipal principal, String host, AclOperation operation, ResourceType type, String name);

    /**
     * Whether {@code principal} at {@code host} may perform {@code operation} on at least one
     * resource of {@code type} (Kafka's {@code authorizeByResourceType}: an allow that no deny
     * covers, or what a resource without ACLs gets).
     */
    boolean authorizeByResourceType(KafkaPrincipal principal, String host, AclOperation operation, ResourceType type);

    /**
     * The operations of {@code type} allowed on the named resource, as the bit field of the
     * {@code *_authorized_operations} fields (bit {@code 1 << code} per {@link AclOperation}).
     */
    int authorizedOperations(KafkaPrincipal principal, String host, ResourceType type, String name);

    /** {@link #authorize(KafkaPrincipal, String, AclOperation, ResourceType, String)} for the request's session. */
    default boolean authorize(RequestContext context, AclOperation operation, ResourceType type, String name) {
        Session s = context.session();
        return authorize(s.principal(), host(s), operation, type, name);
    }

    /** {@link #authorize(KafkaPrincipal, String, AclOperation, ResourceType, String)} for a session. */
    default boolean authorize(Session session, AclOperation operation, ResourceType type, String name) {
        return authorize(session.principal(), host(session), operation, type, name);
    }

    /** {@link #authorizedOperations(KafkaPrincipal, String, ResourceType, String)} for a session. */
    default int authorizedOperations(Session session, ResourceType type, String name) {
        return authorizedOperations(session.principal(), host(session), type, name);
    }

    /** Whether the request's session may perform {@code operation} on the cluster. */
    default boolean authorizeCluster(RequestContext context, AclOperation operation) {
        return authorize(context, operation, ResourceType.CLUSTER, ResourceType.CLUSTER_NAME);
    }

    /** {@link #authorizeByResourceType(KafkaPrincipal, String, AclOperation, ResourceType)} for the request's session. */
    default boolean authorizeByResourceType(RequestContext context, AclOperation operation, ResourceType type) {
        Session s = context.session();
        return authorizeByResourceType(s.principal(), host(s), operation, type);
    }

    /** {@link #authorizedOperations(KafkaPrincipal, String, ResourceType, String)} for the request's session. */
    default int authorizedOperations(RequestContext context, ResourceType type, String name) {
        Session s = context.session();
        return authorizedOperations(s.principal(), host(s), type, name);
    }

    /** The host ACLs match for a session: its client's IP address, "" where the transport has none. */
    static String host(Session session) {
        InetSocketAddress remote = session.remoteAddress();
        InetAddress address = remote == null ? null : remote.getAddress();
        return address == null ? "" : address.getHostAddress();
    }
}
