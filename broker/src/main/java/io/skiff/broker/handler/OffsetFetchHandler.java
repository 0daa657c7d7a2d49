package io.skiff.broker.handler;

import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.wire.message.OffsetFetchRequest;
import io.skiff.wire.message.OffsetFetchResponse;
import io.skiff.wire.protocol.ApiKeys;
import java.util.concurrent.CompletableFuture;

/** OffsetFetch (key 9), versions 1-10: answered by the group coordinator. */
public final class OffsetFetchHandler extends GroupApiHandler<OffsetFetchRequest> {
    public OffsetFetchHandler(GroupCoordinator coordinator) {
        super(ApiKeys.OFFSET_FETCH, 1, 10, coordinator);
    }

    @Override
    CompletableFuture<OffsetFetchResponse> call(RequestContext rc, OffsetFetchRequest request) {
        return coordinator.fetchOffsets(rc, request);
    }
}
