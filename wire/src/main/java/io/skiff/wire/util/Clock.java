package io.skiff.wire.util;

/**
 * The time Skiff's logic reads: wall-clock milliseconds and a monotonic nanosecond counter.
 * Every module takes it as an injected parameter so that tests advance a manual clock instead of
 * sleeping; production code passes {@link #SYSTEM}. Timers are not part of a clock: a component
 * that schedules work has its own timer interface.
 *
 * <p>Implementations are thread-safe.
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
