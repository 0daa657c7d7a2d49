package io.skiff.broker.quota;

/**
 * The rate a {@code controller_mutation_rate} quota is measured with, as Apache Kafka measures it
 * (KIP-599): a bucket of permits that refills at the quota's rate per second up to a burst of
 * {@code rate * quota.window.num * quota.window.size.seconds}, starts full, and is drawn down by
 * every mutation (a partition created or deleted). A recording may take it below zero; the quota
 * is exhausted while it is below zero, for {@code -tokens / rate} seconds.
 *
 * <p>Thread-safe (synchronized: one bucket is shared by the connections of one quota entity).
 */
final class TokenBucket {
    private final double windowSeconds;
    private double tokens = Double.NaN;
    private long lastMs;

    /** @param windowSeconds {@code controller.quota.window.num * controller.quota.window.size.seconds} */
    TokenBucket(double windowSeconds) {
        this.windowSeconds = windowSeconds;
    }

    /** The permits left at {@code nowMs} under a quota of {@code rate} per second (negative: exhausted). */
    synchronized double tokens(double rate, long nowMs) {
        double burst = rate * windowSeconds;
        if (Double.isNaN(tokens)) {
            tokens = burst;
        } else if (nowMs > lastMs) {
            tokens = Math.min(burst, tokens + rate * (nowMs - lastMs) / 1000.0);
        }
        lastMs = Math.max(lastMs, nowMs);
        return tokens;
    }

    /** Takes {@code permits} at {@code nowMs} and answers the permits left. */
    synchronized double record(double permits, double rate, long nowMs) {
        tokens(rate, nowMs);
        tokens -= permits;
        return tokens;
    }

    /** How long a client must wait before the bucket is back at zero: {@code -tokens / rate}, in ms. */
    static int throttleMs(double tokens, double rate) {
        if (tokens >= 0 || rate <= 0) {
            return 0;
        }
        double ms = Math.ceil(-tokens / rate * 1000.0);
        return ms >= Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) ms;
    }
}
