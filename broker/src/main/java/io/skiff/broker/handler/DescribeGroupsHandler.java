package io.skiff.broker.handler;

import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.wire.message.DescribeGroupsRequest;
import io.skiff.wire.message.DescribeGroupsResponse;
import io.skiff.wire.protocol.ApiKeys;
import java.util.concurrent.CompletableFuture;

/** DescribeGroups (key 15), versions 0-6: answered by the group coordinator. */
public final class DescribeGroupsHandler extends GroupApiHandler<DescribeGroupsRequest> {
    public DescribeGroupsHandler(GroupCoordinator coordinator) {
        super(ApiKeys.DESCRIBE_GROUPS, 0, 6, coordinator);
    }

    @Override
    CompletableFuture<DescribeGroupsResponse> call(RequestContext rc, DescribeGroupsRequest request) {
        return coordinator.describeGroups(rc, request);
    }
}
