package io.skiff.coordinator.runtime;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * What an operation running on a coordinator shard may do besides reading state: append records,
 * plain or transactional, and transaction markers (each is replayed at once, so the rest of the
 * operation sees its effect; they are written in the order they were appended), complete parked
 * requests once everything written so far is durable, and manage timers. Valid only on the
 * shard's thread, during the operation it was given to.
 */
public interface OperationContext {

    /** The shard clock's time when the operation started. */
    long nowMs();

    /**
     * Appends a record: it is replayed into the state now and written to the log with the other
     * records of this operation, as one batch, when the operation returns.
     */
    void append(CoordinatorRecord record);

    /**
     * Appends a record of {@code producerId}'s open transaction: it is replayed now with that
     * producer and epoch (as a load replays the records of a transactional batch), and written
     * with this operation's other transactional records of the same producer as one transactional
     * batch when the operation returns. Its effect is settled by the transaction's marker.
     */
    void appendTransactional(long producerId, short producerEpoch, CoordinatorRecord record);

    /**
     * Ends {@code producerId}'s transaction in this partition: the marker is replayed now (through
     * {@link CoordinatorStateMachine#replayEndTransactionMarker}) and written after the records
     * this operation appended before it, as a control batch of its own.
     */
    void appendEndTransactionMarker(long producerId, short producerEpoch, int coordinatorEpoch, boolean commit);

    /**
     * Completes {@code future} with {@code value} once every record appended so far (by this or
     * an earlier operation) is durable; fails it if that write fails.
     */
    <T> void completeWhenDurable(CompletableFuture<T> future, T value);

    /**
     * Schedules {@code operation} to run on the shard after {@code delayMs}, replacing any timer
     * with the same key.
     */
    void schedule(String key, long delayMs, Consumer<OperationContext> operation);

    /** Like {@link #schedule} but keeps an existing timer with the same key. */
    void scheduleIfAbsent(String key, long delayMs, Consumer<OperationContext> operation);

    /** Cancels the timer with this key, if any. */
    void cancel(String key);

    /** Whether a timer with this key is pending. */
    boolean isScheduled(String key);
}
