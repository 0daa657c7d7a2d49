package io.skiff.storage;

/**
 * Told of every flush pass of a partition log that fsynced something: how long the fsyncs took
 * and how many {@link PartitionLog#awaitDurable} waiters the pass completed (the size of that
 * group commit). Set on the {@link LogManager} ({@link LogManager#flushObserver}); called on the
 * flusher thread (or a closing log's), so implementations must be thread-safe and quick.
 */
@FunctionalInterface
public interface FlushObserver {
    /** Observes nothing. */
    FlushObserver NONE = (fsyncNanos, waiters, full) -> {};

    /**
     * @param fsyncNanos how long the pass's fsyncs took
     * @param waiters    waiters the pass completed (0 for a flush nobody waited for)
     * @param full       whether indexes were flushed too (flush policy, roll, close)
     */
    void flushed(long fsyncNanos, int waiters, boolean full);
}
