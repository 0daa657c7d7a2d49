package io.skiff.broker.metrics;

import java.util.function.LongSupplier;

/**
 * The rates Kafka's Yammer meters show over JMX ({@code MeanRate}, {@code OneMinuteRate},
 * {@code FiveMinuteRate}, {@code FifteenMinuteRate}, events per second), computed from a count:
 * exponentially weighted moving averages updated by {@link #tick} every
 * {@link #TICK_SECONDS} seconds, as Yammer's are, off the request path.
 *
 * <p>Thread-safe: one thread ticks (the JMX reporter's), any thread reads.
 */
final class MeterRates {
    static final int TICK_SECONDS = 5;

    private static final double M1_ALPHA = 1 - Math.exp(-TICK_SECONDS / 60.0);
    private static final double M5_ALPHA = 1 - Math.exp(-TICK_SECONDS / 60.0 / 5);
    private static final double M15_ALPHA = 1 - Math.exp(-TICK_SECONDS / 60.0 / 15);

    private final LongSupplier count;
    private final long startNanos;
    private long lastCount;
    private boolean initialized;
    private volatile double m1;
    private volatile double m5;
    private volatile double m15;

    MeterRates(LongSupplier count, long nowNanos) {
        this.count = count;
        this.startNanos = nowNanos;
        this.lastCount = count.getAsLong();
    }

    /** Called every {@link #TICK_SECONDS} seconds by one thread. */
    void tick() {
        long now = count.getAsLong();
        double instant = (double) (now - lastCount) / TICK_SECONDS;
        lastCount = now;
        if (!initialized) {
            m1 = instant;
            m5 = instant;
            m15 = instant;
            initialized = true;
            return;
        }
        m1 += M1_ALPHA * (instant - m1);
        m5 += M5_ALPHA * (instant - m5);
        m15 += M15_ALPHA * (instant - m15);
    }

    long count() {
        return count.getAsLong();
    }

    double meanRate(long nowNanos) {
        double seconds = (nowNanos - startNanos) / 1e9;
        return seconds <= 0 ? 0 : count.getAsLong() / seconds;
    }

    double oneMinuteRate() {
        return m1;
    }

    double fiveMinuteRate() {
        return m5;
    }

    double fifteenMinuteRate() {
        return m15;
    }
}
