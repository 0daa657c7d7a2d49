package io.skiff.broker.handler;

import io.skiff.broker.network.Session;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.wire.message.LeaveGroupRequest;
import io.skiff.wire.message.LeaveGroupResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.concurrent.CompletableFuture;

/** LeaveGroup (key 13), versions 0-5: answered by the group coordinator; needs READ on the group (GROUP_AUTHORIZATION_FAILED). */
public final class LeaveGroupHandler extends GroupApiHandler<LeaveGroupRequest> {
    public LeaveGroupHandler(GroupCoordinator coordinator, Authorizer authorizer) {
        super(ApiKeys.LEAVE_GROUP, 0, 5, coordinator, authorizer);
    }

    @Override
    CompletableFuture<LeaveGroupResponse> call(RequestContext rc, LeaveGroupRequest request) {
        return coordinator.leaveGroup(rc, request);
    }

    @Override
    CompletableFuture<LeaveGroupResponse> authorizedCall(
            Session session, RequestContext rc, LeaveGroupRequest request) {
        if (!group(session, AclOperation.READ, request.groupId())) {
            return CompletableFuture.completedFuture(
                    new LeaveGroupResponse().setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code));
        }
        return call(rc, request);
    }
}
