package io.skiff.coordinator.runtime;

/**
 * The time source of a coordinator, and timers on that time. Coordinator logic reads time only
 * through this interface so that tests can drive it with a {@link ManualClock}.
 *
 * <p>Implementations are thread-safe. Timer tasks run on a thread of the clock's choosing; a
 * coordinator shard hands them over to its own thread before touching any state.
 */
public interface CoordinatorClock {

    /** The current time in milliseconds since the epoch. */
    long milliseconds();

    /**
     * Runs {@code task} once, when {@link #milliseconds()} has advanced by at least
     * {@code delayMs}, unless it is cancelled first.
     */
    Cancellable schedule(long delayMs, Runnable task);

    /** A scheduled task. */
    interface Cancellable {
        /** Prevents the task from running if it has not started. Idempotent. */
        void cancel();
    }
}
