package io.skiff.broker.handler;

import io.skiff.broker.network.Session;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.wire.message.JoinGroupRequest;
import io.skiff.wire.message.JoinGroupResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.concurrent.CompletableFuture;

/** JoinGroup (key 11), versions 0-9: answered by the group coordinator; needs READ on the group (GROUP_AUTHORIZATION_FAILED). */
public final class JoinGroupHandler extends GroupApiHandler<JoinGroupRequest> {
    public JoinGroupHandler(GroupCoordinator coordinator, Authorizer authorizer) {
        super(ApiKeys.JOIN_GROUP, 0, 9, coordinator, authorizer);
    }

    @Override
    CompletableFuture<JoinGroupResponse> call(RequestContext rc, JoinGroupRequest request) {
        return coordinator.joinGroup(rc, request);
    }

    @Override
    CompletableFuture<JoinGroupResponse> authorizedCall(Session session, RequestContext rc, JoinGroupRequest request) {
        if (!group(session, AclOperation.READ, request.groupId())) {
            return CompletableFuture.completedFuture(
                    new JoinGroupResponse().setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code));
        }
        return call(rc, request);
    }
}
