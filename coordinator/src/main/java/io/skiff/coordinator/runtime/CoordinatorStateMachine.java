package io.skiff.coordinator.runtime;

import io.skiff.wire.protocol.Errors;

/**
 * The state of one coordinator shard. Durable state changes only in {@link #replay} and
 * {@link #replayEndTransactionMarker}, which are used both while loading the partition and, at
 * run time, for every record an operation appends. Called on the shard's thread only.
 */
public interface CoordinatorStateMachine {

    /**
     * Applies one record: a value replaces the key's state, a tombstone deletes it.
     *
     * @param offset        the record's offset in the partition (while an operation runs: the
     *                      offset the record will get when its batch is written)
     * @param producerId    the producer of the record's batch, or -1 for a batch without one
     *                      (records appended by operations have none)
     * @param producerEpoch that producer's epoch, or -1
     */
    void replay(long offset, long producerId, short producerEpoch, CoordinatorRecord record);

    /**
     * Applies a transaction marker at {@code offset}: the records {@code producerId} wrote in
     * its open transaction (in {@code producerEpoch}) are committed ({@code commit}) or aborted.
     */
    void replayEndTransactionMarker(long offset, long producerId, short producerEpoch, boolean commit);

    /** Called once the partition is loaded: re-arms the timers the state needs. */
    void onLoaded(OperationContext context);

    /**
     * Called when the shard stops (resignation, shutdown, or a reload after a failed append):
     * requests parked in soft state are completed with {@code error}.
     */
    void onUnloaded(Errors error);
}
