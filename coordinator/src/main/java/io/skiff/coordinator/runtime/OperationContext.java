package io.skiff.coordinator.runtime;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * What an operation running on a coordinator shard may do besides reading state: append records
 * (each is replayed at once, so the rest of the operation sees its effect), complete parked
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
