package io.skiff.broker.handler;

import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.wire.message.ConsumerGroupHeartbeatRequest;
import io.skiff.wire.message.ConsumerGroupHeartbeatResponse;
import io.skiff.wire.protocol.ApiKeys;
import java.util.concurrent.CompletableFuture;

/** ConsumerGroupHeartbeat (key 68), versions 0-1: answered by the group coordinator. */
public final class ConsumerGroupHeartbeatHandler extends GroupApiHandler<ConsumerGroupHeartbeatRequest> {
    public ConsumerGroupHeartbeatHandler(GroupCoordinator coordinator) {
        super(ApiKeys.CONSUMER_GROUP_HEARTBEAT, 0, 1, coordinator);
    }

    @Override
    CompletableFuture<ConsumerGroupHeartbeatResponse> call(RequestContext rc, ConsumerGroupHeartbeatRequest request) {
        return coordinator.consumerGroupHeartbeat(rc, request);
    }
}
