package io.skiff.broker.handler;

import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.wire.message.HeartbeatRequest;
import io.skiff.wire.message.HeartbeatResponse;
import io.skiff.wire.protocol.ApiKeys;
import java.util.concurrent.CompletableFuture;

/** Heartbeat (key 12), versions 0-4: answered by the group coordinator. */
public final class HeartbeatHandler extends GroupApiHandler<HeartbeatRequest> {
    public HeartbeatHandler(GroupCoordinator coordinator) {
        super(ApiKeys.HEARTBEAT, 0, 4, coordinator);
    }

    @Override
    CompletableFuture<HeartbeatResponse> call(RequestContext rc, HeartbeatRequest request) {
        return coordinator.heartbeat(rc, request);
    }
}
