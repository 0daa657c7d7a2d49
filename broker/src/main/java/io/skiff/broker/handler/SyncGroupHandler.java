package io.skiff.broker.handler;

import io.skiff.broker.network.Session;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.wire.message.SyncGroupRequest;
import io.skiff.wire.message.SyncGroupResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.concurrent.CompletableFuture;

/** SyncGroup (key 14), versions 0-5: answered by the group coordinator; needs READ on the group (GROUP_AUTHORIZATION_FAILED). */
public final class SyncGroupHandler extends GroupApiHandler<SyncGroupRequest> {
    public SyncGroupHandler(GroupCoordinator coordinator, Authorizer authorizer) {
        super(ApiKeys.SYNC_GROUP, 0, 5, coordinator, authorizer);
    }

    @Override
    CompletableFuture<SyncGroupResponse> call(RequestContext rc, SyncGroupRequest request) {
        return coordinator.syncGroup(rc, request);
    }

    @Override
    CompletableFuture<SyncGroupResponse> authorizedCall(Session session, RequestContext rc, SyncGroupRequest request) {
        if (!group(session, AclOperation.READ, request.groupId())) {
            return CompletableFuture.completedFuture(
                    new SyncGroupResponse().setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code));
        }
        return call(rc, request);
    }
}
