package io.skiff.broker.handler;

import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.wire.message.JoinGroupRequest;
import io.skiff.wire.message.JoinGroupResponse;
import io.skiff.wire.protocol.ApiKeys;
import java.util.concurrent.CompletableFuture;

/** JoinGroup (key 11), versions 0-9: answered by the group coordinator. */
public final class JoinGroupHandler extends GroupApiHandler<JoinGroupRequest> {
    public JoinGroupHandler(GroupCoordinator coordinator) {
        super(ApiKeys.JOIN_GROUP, 0, 9, coordinator);
    }

    @Override
    CompletableFuture<JoinGroupResponse> call(RequestContext rc, JoinGroupRequest request) {
        return coordinator.joinGroup(rc, request);
    }
}
