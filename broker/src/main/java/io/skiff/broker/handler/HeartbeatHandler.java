package io.skiff.broker.handler;

import io.skiff.broker.network.Session;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.wire.message.HeartbeatRequest;
import io.skiff.wire.message.HeartbeatResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.concurrent.CompletableFuture;

/** Heartbeat (key 12), versions 0-4: answered by the group coordinator; needs READ on the group (GROUP_AUTHORIZATION_FAILED). */
public final class HeartbeatHandler extends GroupApiHandler<HeartbeatRequest> {
    public HeartbeatHandler(GroupCoordinator coordinator, Authorizer authorizer) {
        super(ApiKeys.HEARTBEAT, 0, 4, coordinator, authorizer);
    }

    @Override
    CompletableFuture<HeartbeatResponse> call(RequestContext rc, HeartbeatRequest request) {
        return coordinator.heartbeat(rc, request);
    }

    @Override
    CompletableFuture<HeartbeatResponse> authorizedCall(Session session, RequestContext rc, HeartbeatRequest request) {
        if (!group(session, AclOperation.READ, request.groupId())) {
            return CompletableFuture.completedFuture(
                    new HeartbeatResponse().setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code));
        }
        return call(rc, request);
    }
}
