package io.skiff.broker.handler;

import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.wire.message.SyncGroupRequest;
import io.skiff.wire.message.SyncGroupResponse;
import io.skiff.wire.protocol.ApiKeys;
import java.util.concurrent.CompletableFuture;

/** SyncGroup (key 14), versions 0-5: answered by the group coordinator. */
public final class SyncGroupHandler extends GroupApiHandler<SyncGroupRequest> {
    public SyncGroupHandler(GroupCoordinator coordinator) {
        super(ApiKeys.SYNC_GROUP, 0, 5, coordinator);
    }

    @Override
    CompletableFuture<SyncGroupResponse> call(RequestContext rc, SyncGroupRequest request) {
        return coordinator.syncGroup(rc, request);
    }
}
