package io.skiff.broker.handler;

import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.network.Session;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.broker.security.authz.ResourceType;
import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.ApiMessage;
import java.util.concurrent.CompletableFuture;

/**
 * Base of the group API handlers: each passes its request to the group coordinator and answers
 * with what the coordinator returns. The coordinator shapes the answer for the request's version
 * and never fails the future; a failure here is a bug and closes the connection. Authorization is
 * each API's {@link #authorizedCall}: the checks Apache Kafka makes before its coordinator sees the
 * request, and the refused parts merged into the coordinator's answer.
 */
abstract class GroupApiHandler<Q extends ApiMessage> extends ApiHandler<Q> {
    final GroupCoordinator coordinator;
    final Authorizer authorizer;

    GroupApiHandler(ApiKeys api, int minVersion, int maxVersion, GroupCoordinator coordinator, Authorizer authorizer) {
        super(api, minVersion, maxVersion);
        this.coordinator = coordinator;
        this.authorizer = authorizer;
    }

    /** Whether the request's session may perform {@code operation} on the group. */
    final boolean group(Session session, AclOperation operation, String groupId) {
        return authorizer.authorize(session, operation, ResourceType.GROUP, groupId == null ? "" : groupId);
    }

    /** Whether the request's session may perform {@code operation} on the topic. */
    final boolean topic(Session session, AclOperation operation, String topic) {
        return authorizer.authorize(session, operation, ResourceType.TOPIC, topic == null ? "" : topic);
    }

    // Two RequestContext types meet in this class (the broker's and the coordinator's): one is qualified.
    // CHECKSTYLE.OFF: InlineQualifiedName
    abstract CompletableFuture<? extends ApiMessage> call(io.skiff.coordinator.group.RequestContext rc, Q request);

    /**
     * The request as authorized: Kafka's checks of this API (a refusal answered without the
     * coordinator, or the coordinator's answer to the authorized part with the refused part merged
     * in). Without checks of its own an API goes to the coordinator as it is.
     */
    CompletableFuture<? extends ApiMessage> authorizedCall(
            Session session, io.skiff.coordinator.group.RequestContext rc, Q request) {
        return call(rc, request);
    }

    @Override
    public final void handle(RequestContext context, Q request) {
        io.skiff.coordinator.group.RequestContext rc = new io.skiff.coordinator.group.RequestContext(
                context.apiVersion,
                context.clientId,
                context.clientAddress == null
                        ? ""
                        : "/" + context.clientAddress.getAddress().getHostAddress());
        // CHECKSTYLE.ON: InlineQualifiedName
        authorizedCall(context.session(), rc, request).whenComplete((response, failure) -> {
            if (failure != null) {
                context.closeConnection();
            } else {
                context.respond(response);
            }
        });
    }
}
