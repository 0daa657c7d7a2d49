package io.skiff.coordinator.runtime;

/**
 * The timers of a coordinator: runs a task once a delay has passed. Time itself comes from a
 * {@link io.skiff.wire.util.Clock}; this interface only schedules, so that production uses one
 * timer thread ({@link SystemCoordinatorTimer}) and tests a timer that fires as they move a manual
 * clock.
 *
 * <p>Implementations are thread-safe. Tasks run on a thread of the timer's choosing; a
 * coordinator shard hands them over to its own thread before touching any state.
 */
public interface CoordinatorTimer {

    /**
     * Runs {@code task} once, when at least {@code delayMs} have passed, unless it is cancelled
     * first.
     */
    Cancellable schedule(long delayMs, Runnable task);

    /** A scheduled task. */
    interface Cancellable {
        /** Prevents the task from running if it has not started. Idempotent. */
        void cancel();
    }
}
