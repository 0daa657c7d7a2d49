package io.skiff.broker.handler;

import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.ApiMessage;
import java.util.concurrent.CompletableFuture;

/**
 * Base of the group API handlers: each passes its request to the group coordinator and answers
 * with what the coordinator returns. The coordinator shapes the answer for the request's version
 * and never fails the future; a failure here is a bug and closes the connection.
 */
abstract class GroupApiHandler<Q extends ApiMessage> extends ApiHandler<Q> {
    final GroupCoordinator coordinator;

    GroupApiHandler(ApiKeys api, int minVersion, int maxVersion, GroupCoordinator coordinator) {
        super(api, minVersion, maxVersion);
        this.coordinator = coordinator;
    }

    // Two RequestContext types meet in this class (the broker's and the coordinator's): one is qualified.
    // CHECKSTYLE.OFF: InlineQualifiedName
    abstract CompletableFuture<? extends ApiMessage> call(io.skiff.coordinator.group.RequestContext rc, Q request);

    @Override
    public final void handle(RequestContext context, Q request) {
        io.skiff.coordinator.group.RequestContext rc = new io.skiff.coordinator.group.RequestContext(
                context.apiVersion,
                context.clientId,
                context.clientAddress == null
                        ? ""
                        : "/" + context.clientAddress.getAddress().getHostAddress());
        // CHECKSTYLE.ON: InlineQualifiedName
        call(rc, request).whenComplete((response, failure) -> {
            if (failure != null) {
                context.closeConnection();
            } else {
                context.respond(response);
            }
        });
    }
}
