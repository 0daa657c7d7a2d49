package io.skiff.broker.handler;

import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.wire.message.TxnOffsetCommitRequest;
import io.skiff.wire.message.TxnOffsetCommitResponse;
import io.skiff.wire.protocol.ApiKeys;
import java.util.concurrent.CompletableFuture;

/**
 * TxnOffsetCommit (key 28), versions 0-5: answered by the group coordinator, which keeps the
 * offsets pending in the producer's transaction until the transaction's marker is written to the
 * group's {@code __consumer_offsets} partition.
 */
public final class TxnOffsetCommitHandler extends GroupApiHandler<TxnOffsetCommitRequest> {
    public TxnOffsetCommitHandler(GroupCoordinator coordinator) {
        super(ApiKeys.TXN_OFFSET_COMMIT, 0, 5, coordinator);
    }

    @Override
    CompletableFuture<TxnOffsetCommitResponse> call(RequestContext rc, TxnOffsetCommitRequest request) {
        return coordinator.commitTransactionalOffsets(rc, request);
    }
}
