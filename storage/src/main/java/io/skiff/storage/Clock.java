package io.skiff.storage;

/**
 * The time the storage layer reads; injected so that tests advance a manual clock instead of
 * sleeping. Implementations are thread-safe.
 */
public interface Clock {
    /** Wall-clock time in milliseconds since the epoch. */
    long milliseconds();

    /** A monotonic time in nanoseconds, for durations only. */
    long nanoseconds();

    /** The system clock. */
    Clock SYSTEM = new Clock() {
        @Override
        public long milliseconds() {
            return System.currentTimeMillis();
        }

        @Override
        public long nanoseconds() {
            return System.nanoTime();
        }
    };
}
