package io.skiff.broker.handler;

import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.wire.message.OffsetDeleteRequest;
import io.skiff.wire.message.OffsetDeleteResponse;
import io.skiff.wire.protocol.ApiKeys;
import java.util.concurrent.CompletableFuture;

/** OffsetDelete (key 47), versions 0-0: answered by the group coordinator. */
public final class OffsetDeleteHandler extends GroupApiHandler<OffsetDeleteRequest> {
    public OffsetDeleteHandler(GroupCoordinator coordinator) {
        super(ApiKeys.OFFSET_DELETE, 0, 0, coordinator);
    }

    @Override
    CompletableFuture<OffsetDeleteResponse> call(RequestContext rc, OffsetDeleteRequest request) {
        return coordinator.deleteOffsets(rc, request);
    }
}
