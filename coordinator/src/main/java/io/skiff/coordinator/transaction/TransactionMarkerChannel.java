package io.skiff.coordinator.transaction;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * Where the transaction coordinator sends the commit or abort markers of a decided transaction:
 * the broker writes them as control batches to the data partitions (and to the
 * {@code __consumer_offsets} partitions, where they settle transactional offsets). The port through
 * which the coordinator reaches the partitions, so that it does not depend on storage.
 *
 * <p>Implementations are thread-safe and must not block the caller.
 */
public interface TransactionMarkerChannel {

    /**
     * Writes a marker of {@code producerId} in {@code producerEpoch} to every partition of
     * {@code partitions}. {@code coordinatorEpoch} is the leader epoch of the coordinator's
     * {@code __transaction_state} partition, which fences markers of a coordinator that lost its
     * partition. The future completes once every marker is written or its partition no longer
     * exists, and fails otherwise; the coordinator then retries with a backoff, and the transaction
     * stays in PrepareCommit or PrepareAbort until a call succeeds.
     */
    CompletableFuture<Void> writeMarkers(
            long producerId,
            short producerEpoch,
            int coordinatorEpoch,
            boolean commit,
            Collection<TxnTopicPartition> partitions);
}
