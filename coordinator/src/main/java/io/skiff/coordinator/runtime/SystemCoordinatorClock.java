package io.skiff.coordinator.runtime;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The production clock: wall-clock milliseconds and one daemon timer thread. Timer tasks only
 * hand work over to coordinator shards, so one thread serves all of them. Thread-safe.
 */
public final class SystemCoordinatorClock implements CoordinatorClock, AutoCloseable {
    private final ScheduledThreadPoolExecutor timer;

    public SystemCoordinatorClock() {
        timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "skiff-coordinator-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
    }

    @Override
    public long milliseconds() {
        return System.currentTimeMillis();
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
