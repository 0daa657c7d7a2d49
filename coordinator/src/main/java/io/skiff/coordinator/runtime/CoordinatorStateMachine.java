package io.skiff.coordinator.runtime;

import io.skiff.wire.protocol.Errors;

/**
 * The state of one coordinator shard. Durable state changes only in {@link #replay}, which is
 * used both while loading the partition and, at run time, for every record an operation appends.
 * Called on the shard's thread only.
 */
public interface CoordinatorStateMachine {

    /** Applies one record: a value replaces the key's state, a tombstone deletes it. */
    void replay(CoordinatorRecord record);

    /** Called once the partition is loaded: re-arms the timers the state needs. */
    void onLoaded(OperationContext context);

    /**
     * Called when the shard stops (resignation, shutdown, or a reload after a failed append):
     * requests parked in soft state are completed with {@code error}.
     */
    void onUnloaded(Errors error);
}
