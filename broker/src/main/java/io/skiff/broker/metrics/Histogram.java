package io.skiff.broker.metrics;

import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongBinaryOperator;

/**
 * A distribution with fixed bucket bounds (Kafka's Yammer histograms and timers, exported as a
 * classic Prometheus histogram). Values are recorded as longs in their natural unit (nanoseconds,
 * counts) and exposed scaled ({@link #scale}: nanoseconds shown in milliseconds, as Kafka's
 * {@code ...TimeMs} meters are). Recording finds the bucket by binary search over a pre-sized
 * array and adds to {@link LongAdder}s: no allocation, no lock.
 *
 * <p>The JMX view's {@code Min}, {@code Max}, {@code StdDev} and percentiles are estimated from
 * the buckets (linear within a bucket; the exact maximum is kept), since the buckets are all
 * there is; {@code Count} and {@code Mean} are exact. Thread-safe; a reader may see a recording
 * in some counters and not yet in others.
 */
public final class Histogram {
    /** Request latencies in milliseconds, as nanoseconds: 0.05 ms to 60 s. */
    static final long[] LATENCY_NANOS =
            nanos(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000);
    /** Sizes (waiters per group commit, ...): powers of two up to 4096. */
    static final long[] SIZES = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096};

    private static final LongBinaryOperator MAX = Math::max;

    private final long[] bounds;
    private final double scale;
    /** One more than the bounds: the last is +Inf. */
    private final LongAdder[] buckets;

    private final LongAdder count = new LongAdder();
    private final LongAdder sum = new LongAdder();
    private final LongAccumulator max = new LongAccumulator(MAX, Long.MIN_VALUE);

    /**
     * @param bounds upper bounds (inclusive), ascending, in the recorded unit
     * @param scale  exposed value per recorded unit (1e-6 shows nanoseconds as milliseconds)
     */
    Histogram(long[] bounds, double scale) {
        this.bounds = bounds.clone();
        this.scale = scale;
        this.buckets = new LongAdder[bounds.length + 1];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    private static long[] nanos(double... millis) {
        long[] out = new long[millis.length];
        for (int i = 0; i < millis.length; i++) {
            out[i] = Math.round(millis[i] * 1_000_000d);
        }
        return out;
    }

    /** Records one value (negative values count as 0). */
    public void record(long value) {
        long v = Math.max(0, value);
        int lo = 0;
        int hi = bounds.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (v <= bounds[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        buckets[lo].increment();
        count.increment();
        sum.add(v);
        max.accumulate(v);
    }

    public long count() {
        return count.sum();
    }

    /** The sum of the values, scaled. */
    public double sum() {
        return sum.sum() * scale;
    }

    /** The mean, scaled (0 when empty). */
    public double mean() {
        long n = count.sum();
        return n == 0 ? 0 : sum.sum() * scale / n;
    }

    /** The largest value, scaled (0 when empty). */
    public double max() {
        long m = max.get();
        return m == Long.MIN_VALUE ? 0 : m * scale;
    }

    /** The upper bounds, scaled, without the +Inf one. */
    double[] upperBounds() {
        double[] out = new double[bounds.length];
        for (int i = 0; i < bounds.length; i++) {
            out[i] = bounds[i] * scale;
        }
        return out;
    }

    /** The count of each bucket (not cumulative), the +Inf bucket last. */
    long[] bucketCounts() {
        long[] out = new long[buckets.length];
        for (int i = 0; i < buckets.length; i++) {
            out[i] = buckets[i].sum();
        }
        return out;
    }

    /** The value below which {@code quantile} of the values lie, scaled; estimated from the buckets. */
    public double percentile(double quantile) {
        long[] counts = bucketCounts();
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return 0;
        }
        double rank = quantile * total;
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0 && seen + counts[i] >= rank) {
                double lower = i == 0 ? 0 : bounds[i - 1] * scale;
                double upper = i < bounds.length ? bounds[i] * scale : max();
                double within = (rank - seen) / counts[i];
                return Math.min(lower + (upper - lower) * within, max());
            }
            seen += counts[i];
        }
        return max();
    }

    /** The smallest value, scaled, estimated as the lower bound of the first bucket that holds one. */
    public double min() {
        long[] counts = bucketCounts();
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                return i == 0 ? 0 : bounds[i - 1] * scale;
            }
        }
        return 0;
    }

    /** The standard deviation, scaled, estimated with each value at its bucket's middle. */
    public double stdDev() {
        long[] counts = bucketCounts();
        long n = 0;
        for (long c : counts) {
            n += c;
        }
        if (n < 2) {
            return 0;
        }
        double mean = mean();
        double squares = 0;
        for (int i = 0; i < counts.length; i++) {
            double lower = i == 0 ? 0 : bounds[i - 1] * scale;
            double upper = i < bounds.length ? bounds[i] * scale : Math.max(lower, max());
            double mid = (lower + upper) / 2;
            squares += counts[i] * (mid - mean) * (mid - mean);
        }
        return Math.sqrt(squares / (n - 1));
    }
}
