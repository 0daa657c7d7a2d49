package io.skiff.broker.network;

/**
 * A rate measured as Apache Kafka 4.3.1's quota sensors measure it: values are summed into
 * windows of {@code windowMs} each, up to {@code samples + 1} of them; a window whose last value
 * is {@code samples * windowMs} old no longer counts; the rate is the sum of the windows divided
 * by the time since the oldest one began, counted as at least {@code samples - 1} whole windows
 * (so a fresh sensor does not see a huge rate from its first value). {@link #recordAndThrottleMs} records a value and answers how long the client
 * must wait for the rate to come back to a bound, Kafka's {@code (rate - bound) / bound * window}.
 *
 * <p>Thread-safe (synchronized: one instance is shared by the connections of one quota entity).
 * Allocates nothing after construction.
 */
public final class SampledRate {
    private final int samples;
    private final long windowMs;
    private final long[] startMs;
    private final long[] lastRecordMsOf;
    private final double[] values;
    /** How many windows are in use (they are created as needed, up to {@code samples + 1}). */
    private int used;

    private int current;
    private volatile long lastRecordMs;

    /**
     * @param samples  quota.window.num (at least 1)
     * @param windowMs quota.window.size.seconds in milliseconds (at least 1)
     */
    public SampledRate(int samples, long windowMs) {
        if (samples < 1 || windowMs < 1) {
            throw new IllegalArgumentException("samples " + samples + " and window " + windowMs + " must be positive");
        }
        this.samples = samples;
        this.windowMs = windowMs;
        this.startMs = new long[samples + 1];
        this.lastRecordMsOf = new long[samples + 1];
        this.values = new double[samples + 1];
    }

    /** Adds {@code value} (negative to take back what was recorded) at {@code nowMs}. */
    public synchronized void record(double value, long nowMs) {
        if (used == 0) {
            reset(0, nowMs);
            used = 1;
            current = 0;
        }
        if (nowMs - startMs[current] >= windowMs) {
            current = (current + 1) % (samples + 1);
            if (current >= used) {
                used = current + 1;
            }
            reset(current, nowMs);
        }
        values[current] += value;
        lastRecordMsOf[current] = nowMs;
        lastRecordMs = nowMs;
    }

    /** The rate per second at {@code nowMs}. */
    public synchronized double ratePerSecond(long nowMs) {
        purge(nowMs);
        double total = 0;
        for (int i = 0; i < used; i++) {
            total += values[i];
        }
        return total / (windowSizeMs(nowMs) / 1000.0);
    }

    /**
     * Records {@code value} and answers how long (ms) the client must wait to be back within
     * {@code bound} per second: 0 when the rate is within it; never more than {@code maxMs}.
     */
    public synchronized long recordAndThrottleMs(double value, long nowMs, double bound, long maxMs) {
        record(value, nowMs);
        double rate = ratePerSecond(nowMs);
        if (rate <= bound) {
            return 0;
        }
        long ms = Math.round((rate - bound) / bound * windowSizeMs(nowMs));
        return Math.min(ms, maxMs);
    }

    /** The time the rate is computed over at {@code nowMs}: at least {@code samples - 1} windows, at least 1 ms. */
    synchronized long windowSizeMs(long nowMs) {
        purge(nowMs);
        long oldest = nowMs;
        for (int i = 0; i < used; i++) {
            oldest = Math.min(oldest, startMs[i]);
        }
        long elapsed = nowMs - oldest;
        long fullWindows = elapsed / windowMs;
        int minFullWindows = samples - 1;
        if (fullWindows < minFullWindows) {
            elapsed += (minFullWindows - fullWindows) * windowMs;
        }
        return Math.max(elapsed, 1);
    }

    /** When a value was last recorded (0 if never), for expiring idle sensors. */
    public long lastRecordMs() {
        return lastRecordMs;
    }

    private void purge(long nowMs) {
        long expireAgeMs = samples * windowMs;
        for (int i = 0; i < used; i++) {
            if (nowMs - lastRecordMsOf[i] >= expireAgeMs) {
                reset(i, nowMs);
            }
        }
    }

    private void reset(int i, long nowMs) {
        startMs[i] = nowMs;
        lastRecordMsOf[i] = nowMs;
        values[i] = 0;
    }
}
