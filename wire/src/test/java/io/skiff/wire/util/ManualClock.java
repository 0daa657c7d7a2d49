package io.skiff.wire.util;

/**
 * A {@link Clock} that moves only when a test says so: {@link #advance(long)} moves both its
 * milliseconds and its nanoseconds forward by the same amount. It runs nothing by itself; a
 * test timer built on it (for example the coordinator's) moves it while running due tasks.
 * Thread-safe.
 */
public final class ManualClock implements Clock {
    private long nowMs;
    private long nowNs;

    /** A clock at 0 ms. */
    public ManualClock() {
        this(0L);
    }

    /** A clock at {@code startMs}; its nanoseconds start at {@code startMs * 1_000_000}. */
    public ManualClock(long startMs) {
        this.nowMs = startMs;
        this.nowNs = startMs * 1_000_000L;
    }

    @Override
    public synchronized long milliseconds() {
        return nowMs;
    }

    @Override
    public synchronized long nanoseconds() {
        return nowNs;
    }

    /** Moves time forward by {@code deltaMs}; time never goes backwards. */
    public synchronized void advance(long deltaMs) {
        if (deltaMs < 0) {
            throw new IllegalArgumentException("time cannot go backwards: " + deltaMs);
        }
        nowMs += deltaMs;
        nowNs += deltaMs * 1_000_000L;
    }
}
