package io.skiff.broker.handler;

import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.wire.message.ConsumerGroupDescribeRequest;
import io.skiff.wire.message.ConsumerGroupDescribeResponse;
import io.skiff.wire.protocol.ApiKeys;
import java.util.concurrent.CompletableFuture;

/** ConsumerGroupDescribe (key 69), versions 0-1: answered by the group coordinator. */
public final class ConsumerGroupDescribeHandler extends GroupApiHandler<ConsumerGroupDescribeRequest> {
    public ConsumerGroupDescribeHandler(GroupCoordinator coordinator) {
        super(ApiKeys.CONSUMER_GROUP_DESCRIBE, 0, 1, coordinator);
    }

    @Override
    CompletableFuture<ConsumerGroupDescribeResponse> call(RequestContext rc, ConsumerGroupDescribeRequest request) {
        return coordinator.consumerGroupDescribe(rc, request);
    }
}
