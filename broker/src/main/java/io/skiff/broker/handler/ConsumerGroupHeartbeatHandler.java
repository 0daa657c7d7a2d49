package io.skiff.broker.handler;

import io.skiff.broker.network.Session;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.wire.message.ConsumerGroupHeartbeatRequest;
import io.skiff.wire.message.ConsumerGroupHeartbeatResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.concurrent.CompletableFuture;

/** ConsumerGroupHeartbeat (key 68), versions 0-1: answered by the group coordinator; needs READ on the group (GROUP_AUTHORIZATION_FAILED). */
public final class ConsumerGroupHeartbeatHandler extends GroupApiHandler<ConsumerGroupHeartbeatRequest> {
    public ConsumerGroupHeartbeatHandler(GroupCoordinator coordinator, Authorizer authorizer) {
        super(ApiKeys.CONSUMER_GROUP_HEARTBEAT, 0, 1, coordinator, authorizer);
    }

    @Override
    CompletableFuture<ConsumerGroupHeartbeatResponse> call(RequestContext rc, ConsumerGroupHeartbeatRequest request) {
        return coordinator.consumerGroupHeartbeat(rc, request);
    }

    @Override
    CompletableFuture<ConsumerGroupHeartbeatResponse> authorizedCall(
            Session session, RequestContext rc, ConsumerGroupHeartbeatRequest request) {
        if (!group(session, AclOperation.READ, request.groupId())) {
            return CompletableFuture.completedFuture(
                    new ConsumerGroupHeartbeatResponse().setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code));
        }
        return call(rc, request);
    }
}
