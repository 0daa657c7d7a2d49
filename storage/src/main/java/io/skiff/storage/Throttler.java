package io.skiff.storage;

import io.skiff.wire.util.Clock;

/**
 * Keeps the cleaner's I/O under log.cleaner.io.max.bytes.per.second, as Kafka's Throttler does:
 * bytes are counted, and every check interval (300 ms) the observed rate is compared with the
 * limit; when above it, the caller sleeps for as long as it takes for the rate to fall back to the
 * limit. An infinite (or huge) limit never sleeps. Used by one cleaner thread; not thread-safe.
 * Time comes from the injected clock; the sleep goes through a {@link Sleeper} so that tests can
 * see it without waiting.
 */
final class Throttler {
    /** Sleeps for a while (the thread's interrupt ends it). */
    interface Sleeper {
        void sleep(long ms) throws InterruptedException;
    }

    static final long CHECK_INTERVAL_MS = 300L;

    private final double bytesPerSecond;
    private final Clock clock;
    private final Sleeper sleeper;
    private long periodStartMs;
    private double observedSoFar;
    private long sleptMs;

    Throttler(double bytesPerSecond, Clock clock, Sleeper sleeper) {
        this.bytesPerSecond = bytesPerSecond;
        this.clock = clock;
        this.sleeper = sleeper;
        this.periodStartMs = clock.milliseconds();
    }

    /** Counts {@code bytes} of I/O and sleeps when the rate since the last check is above the limit. */
    void maybeThrottle(long bytes) {
        if (bytesPerSecond >= Double.MAX_VALUE / 2 || bytesPerSecond <= 0) {
            return;
        }
        observedSoFar += bytes;
        long now = clock.milliseconds();
        long elapsedMs = now - periodStartMs;
        if (elapsedMs < CHECK_INTERVAL_MS && observedSoFar < bytesPerSecond) {
            return;
        }
        double rate = elapsedMs <= 0 ? Double.MAX_VALUE : observedSoFar * 1000.0 / elapsedMs;
        if (rate > bytesPerSecond) {
            long sleepMs = (long) (observedSoFar * 1000.0 / bytesPerSecond) - elapsedMs;
            if (sleepMs > 0) {
                try {
                    sleeper.sleep(sleepMs);
                    sleptMs += sleepMs;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        periodStartMs = clock.milliseconds();
        observedSoFar = 0;
    }

    /** Total time slept so far. */
    long sleptMs() {
        return sleptMs;
    }
}
