package io.skiff.coordinator.runtime;

import io.skiff.wire.record.RecordBatchDescriptor;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The log of one coordinator partition (a partition of {@code __consumer_offsets} or
 * {@code __transaction_state}), as the broker provides it. This is the whole contract between
 * the coordinator and storage.
 *
 * <p>Records are written as data records of one batch, key and value as returned by
 * {@link CoordinatorRecord#keyBytes()} and {@link CoordinatorRecord#valueBytes()} (a null value
 * is a tombstone), no producer id, the current time as timestamp. Transactional records
 * ({@link #appendTransactional}) are written the same way in a transactional batch of their
 * producer, and a transaction ends with a marker ({@link #appendEndTransactionMarker}), as Kafka's
 * coordinators write transactional offset commits and their markers. {@link #replay} hands back
 * everything the partition holds, as Kafka's coordinator loader does: the data records of every
 * batch with that batch's producer id and epoch (those of open or aborted transactions too), and
 * each commit or abort marker; what a transaction's records mean is the state machine's decision.
 *
 * <p>Thread-safety: the append methods are called from the shard's thread, one call at a time,
 * in order; their futures may complete on any thread. {@link #replay} is called on the shard's thread
 * while no append is in flight.
 */
public interface CoordinatorLog {
    /** The producer id of a batch written without a producer (as the record batch header has it). */
    long NO_PRODUCER_ID = RecordBatchDescriptor.NO_PRODUCER_ID;
    /** The producer epoch of a batch written without a producer. */
    short NO_PRODUCER_EPOCH = RecordBatchDescriptor.NO_PRODUCER_EPOCH;

    /**
     * Appends {@code records} (never empty) as one atomic batch. The future completes with the
     * offset of the last record once the batch is durable according to the partition's policy
     * (for a replicated partition: committed, below the high watermark), or fails with a
     * {@link CoordinatorLogException} naming the protocol error (for example
     * NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS, KAFKA_STORAGE_ERROR, RECORD_LIST_TOO_LARGE).
     * Appends complete in the order they were made.
     */
    CompletableFuture<Long> append(List<CoordinatorRecord> records);

    /**
     * Appends {@code records} (never empty) as one transactional batch of {@code producerId} in
     * {@code producerEpoch}, base sequence -1 (no sequence: the coordinator is not an idempotent
     * client), as Kafka's coordinator writes transactional offset commits. Completes and fails as
     * {@link #append}; a batch the partition refuses for its producer (a fenced epoch) fails with
     * that error. Appends of both kinds complete in the order they were made.
     */
    CompletableFuture<Long> appendTransactional(long producerId, short producerEpoch, List<CoordinatorRecord> records);

    /**
     * Appends the marker that ends {@code producerId}'s transaction in this partition: one control
     * batch of that producer and epoch holding a commit ({@code commit}) or abort control record
     * whose value carries {@code coordinatorEpoch} (the transaction coordinator's epoch), as
     * Kafka's {@code EndTransactionMarker}. The future completes with the marker's offset, or
     * fails as {@link #append}.
     */
    CompletableFuture<Long> appendEndTransactionMarker(
            long producerId, short producerEpoch, int coordinatorEpoch, boolean commit);

    /**
     * Hands every committed data record and transaction marker from {@code fromOffset} to the
     * end of the log to {@code visitor}, in offset order, and returns the offset after the last
     * one read: the offset the next appended record gets.
     */
    long replay(long fromOffset, RecordVisitor visitor);
}
