package io.skiff.broker.coordinator;

import io.skiff.storage.TopicPartition;
import io.skiff.wire.protocol.Errors;
import java.util.concurrent.CompletableFuture;

/**
 * What the produce path asks the transaction coordinator before a transactional batch may open a
 * transaction on a partition (KIP-890 verification): whether the producer's ongoing transaction
 * includes the partition. Implemented by the transaction coordinator's host; the broker's
 * {@code ProduceHandler} calls it from any thread and never waits on the future on an event loop.
 * Implementations must be thread-safe and complete the future exactly once, from any thread.
 */
public interface TransactionVerifier {
    /**
     * Verifies that {@code partition} is in the ongoing transaction of {@code transactionalId}
     * (producer {@code producerId}, epoch {@code producerEpoch}). {@code addPartition} true is the
     * transaction version 2 form (Produce v12+): the partition is added to the transaction if it is
     * not in it yet; false only checks (older clients, which add partitions with AddPartitionsToTxn).
     *
     * @return NONE when the transaction includes the partition (now); otherwise the coordinator's
     *     error as AddPartitionsToTxn would answer it (INVALID_TXN_STATE, PRODUCER_FENCED,
     *     INVALID_PRODUCER_EPOCH, CONCURRENT_TRANSACTIONS, NOT_COORDINATOR, ...)
     */
    CompletableFuture<Errors> verify(
            String transactionalId,
            long producerId,
            short producerEpoch,
            TopicPartition partition,
            boolean addPartition);
}
