package io.skiff.broker.handler;

import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.wire.message.LeaveGroupRequest;
import io.skiff.wire.message.LeaveGroupResponse;
import io.skiff.wire.protocol.ApiKeys;
import java.util.concurrent.CompletableFuture;

/** LeaveGroup (key 13), versions 0-5: answered by the group coordinator. */
public final class LeaveGroupHandler extends GroupApiHandler<LeaveGroupRequest> {
    public LeaveGroupHandler(GroupCoordinator coordinator) {
        super(ApiKeys.LEAVE_GROUP, 0, 5, coordinator);
    }

    @Override
    CompletableFuture<LeaveGroupResponse> call(RequestContext rc, LeaveGroupRequest request) {
        return coordinator.leaveGroup(rc, request);
    }
}
