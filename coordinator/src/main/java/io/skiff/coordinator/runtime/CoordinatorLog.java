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
 * is a tombstone), no producer id, the current time as timestamp. {@link #replay} hands back
 * everything the partition holds, as Kafka's coordinator loader does: the data records of every
 * batch with that batch's producer id and epoch (those of open or aborted transactions too), and
 * each commit or abort marker; what a transaction's records mean is the state machine's decision.
 *
 * <p>Thread-safety: {@link #append} is called from the shard's thread, one call at a time, in
 * order; its future may complete on any thread. {@link #replay} is called on the shard's thread
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
     * Hands every committed data record and transaction marker from {@code fromOffset} to the
     * end of the log to {@code visitor}, in offset order, and returns the offset after the last
     * one read: the offset the next appended record gets.
     */
    long replay(long fromOffset, RecordVisitor visitor);
}
