package io.skiff.broker.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * A count of events since start (Kafka's Yammer {@code Meter}: {@code Count}; its rates are
 * computed from the count by the JMX side, {@link MeterRates}). Marking is a {@link LongAdder}
 * add: allocation-free and cheap under contention. Thread-safe.
 */
public final class Meter {
    private final LongAdder count = new LongAdder();

    public void mark() {
        count.increment();
    }

    public void mark(long n) {
        count.add(n);
    }

    public long count() {
        return count.sum();
    }
}
