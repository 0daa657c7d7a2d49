package io.skiff.coordinator.runtime;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The production timer: one daemon timer thread. Timer tasks only hand work over to coordinator
 * shards, so one thread serves all of them. Thread-safe.
 */
public final class SystemCoordinatorTimer implements CoordinatorTimer, AutoCloseable {
    private final ScheduledThreadPoolExecutor timer;

    public SystemCoordinatorTimer() {
        timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "skiff-coordinator-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
    }

    @Override
    public Cancellable schedule(long delayMs, Runnable task) {
        ScheduledFuture<?> f = timer.schedule(task, Math.max(0L, delayMs), TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
