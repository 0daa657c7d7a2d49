package io.skiff.broker.handler;

import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.wire.message.OffsetCommitRequest;
import io.skiff.wire.message.OffsetCommitResponse;
import io.skiff.wire.protocol.ApiKeys;
import java.util.concurrent.CompletableFuture;

/** OffsetCommit (key 8), versions 2-10: answered by the group coordinator. */
public final class OffsetCommitHandler extends GroupApiHandler<OffsetCommitRequest> {
    public OffsetCommitHandler(GroupCoordinator coordinator) {
        super(ApiKeys.OFFSET_COMMIT, 2, 10, coordinator);
    }

    @Override
    CompletableFuture<OffsetCommitResponse> call(RequestContext rc, OffsetCommitRequest request) {
        return coordinator.commitOffsets(rc, request);
    }
}
