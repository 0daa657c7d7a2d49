package io.skiff.coordinator.runtime;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The log of one coordinator partition (a partition of {@code __consumer_offsets}), as the broker
 * provides it. This is the whole contract between the coordinator and storage.
 *
 * <p>Records are written as data records of one batch, key and value as returned by
 * {@link CoordinatorRecord#keyBytes()} and {@link CoordinatorRecord#valueBytes()} (a null value
 * is a tombstone), no producer id, the current time as timestamp. Transaction markers and
 * aborted data are never handed to {@link #replay}.
 *
 * <p>Thread-safety: {@link #append} is called from the shard's thread, one call at a time, in
 * order; its future may complete on any thread. {@link #replay} is called on the shard's thread
 * while no append is in flight.
 */
public interface CoordinatorLog {

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
     * Reads every committed data record from {@code fromOffset} to the end of the log, in offset
     * order, and returns the offset after the last one read.
     */
    long replay(long fromOffset, RecordVisitor visitor);
}
