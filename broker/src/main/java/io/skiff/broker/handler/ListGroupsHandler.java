package io.skiff.broker.handler;

import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.wire.message.ListGroupsRequest;
import io.skiff.wire.message.ListGroupsResponse;
import io.skiff.wire.protocol.ApiKeys;
import java.util.concurrent.CompletableFuture;

/** ListGroups (key 16), versions 0-5: answered by the group coordinator. */
public final class ListGroupsHandler extends GroupApiHandler<ListGroupsRequest> {
    public ListGroupsHandler(GroupCoordinator coordinator) {
        super(ApiKeys.LIST_GROUPS, 0, 5, coordinator);
    }

    @Override
    CompletableFuture<ListGroupsResponse> call(RequestContext rc, ListGroupsRequest request) {
        return coordinator.listGroups(rc, request);
    }
}
