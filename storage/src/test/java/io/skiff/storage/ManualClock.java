package io.skiff.storage;

import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when a test says so. Thread-safe. */
final class ManualClock implements Clock {
    private final AtomicLong ms;

    ManualClock(long startMs) {
        ms = new AtomicLong(startMs);
    }

    @Override
    public long milliseconds() {
        return ms.get();
    }

    @Override
    public long nanoseconds() {
        return ms.get() * 1_000_000L;
    }

    void advance(long deltaMs) {
        ms.addAndGet(deltaMs);
    }
}
