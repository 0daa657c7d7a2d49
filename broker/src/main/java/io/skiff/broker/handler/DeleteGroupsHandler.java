package io.skiff.broker.handler;

import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.wire.message.DeleteGroupsRequest;
import io.skiff.wire.message.DeleteGroupsResponse;
import io.skiff.wire.protocol.ApiKeys;
import java.util.concurrent.CompletableFuture;

/** DeleteGroups (key 42), versions 0-2: answered by the group coordinator. */
public final class DeleteGroupsHandler extends GroupApiHandler<DeleteGroupsRequest> {
    public DeleteGroupsHandler(GroupCoordinator coordinator) {
        super(ApiKeys.DELETE_GROUPS, 0, 2, coordinator);
    }

    @Override
    CompletableFuture<DeleteGroupsResponse> call(RequestContext rc, DeleteGroupsRequest request) {
        return coordinator.deleteGroups(rc, request);
    }
}
