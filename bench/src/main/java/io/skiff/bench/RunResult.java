package io.skiff.bench;

import org.HdrHistogram.Histogram;

/**
 * The outcome of one run of one workload against one broker. A failed run carries its error and
 * no figures: every figure of a failed run is NaN, never a guess. Mutable while the run fills it
 * in; read-only afterwards.
 */
public final class RunResult {
    public final Workload workload;
    public final String broker;
    public final int round;

    public boolean ok = true;
    public String error;

    /** Records and payload bytes the run moved: acknowledged (produce, e2e) or consumed (consume). */
    public long records;

    public long payloadBytes;
    public long elapsedNanos;

    /** Mixed e2e runs: records and payload bytes the flood producers had acknowledged in the measured window; -1 otherwise. */
    public long floodRecords = -1;

    public long floodBytes;

    /** Send-to-acknowledgement latency in microseconds (produce and e2e runs). */
    public Histogram ackLatencyMicros;
    /** Transactional produce: the commit (EndTxn) round trip of every transaction, after its records were flushed. */
    public Histogram commitLatencyMicros;
    /** Scheduled-send-to-consume latency in microseconds (e2e runs). */
    public Histogram e2eLatencyMicros;

    /**
     * Group runs: milliseconds for the group to form (group-form, and group-consume before it
     * reads) or to settle after a member left (group-leave); NaN otherwise.
     */
    public double settleMs = Double.NaN;
    /** Group runs: the generation the group settled in (how many rebalances it took); -1 otherwise. */
    public int groupGeneration = -1;

    /** Broker-side figures; NaN when not measured (standalone runner, or no /proc). */
    public double brokerCpuSeconds = Double.NaN;

    public long brokerRssMaxBytes = -1;
    /** CPU seconds this JVM (the load generator) used in the measured window: near the elapsed time means the client side was the limit. */
    public double loadGeneratorCpuSeconds = Double.NaN;

    public RunResult(Workload workload, String broker, int round) {
        this.workload = workload;
        this.broker = broker;
        this.round = round;
    }

    public void fail(String message) {
        if (ok) {
            ok = false;
            error = message;
        }
    }

    /** True for runs that move no records (they measure a time): group-form and group-leave. */
    public boolean movesNoRecords() {
        return workload.kind == Workload.Kind.GROUP_FORM || workload.kind == Workload.Kind.GROUP_LEAVE;
    }

    public double recordsPerSecond() {
        return ok && elapsedNanos > 0 && !movesNoRecords() ? records * 1e9 / elapsedNanos : Double.NaN;
    }

    /** Payload megabytes (10^6 bytes) per second. */
    public double megabytesPerSecond() {
        return ok && elapsedNanos > 0 && !movesNoRecords() ? payloadBytes * 1e3 / elapsedNanos : Double.NaN;
    }

    /** Broker CPU seconds per 10^9 payload bytes moved. */
    public double brokerCpuSecondsPerGigabyte() {
        // a mixed run's broker moved the flood's bytes too
        long moved = payloadBytes + Math.max(0, floodBytes);
        return ok && moved > 0 && !Double.isNaN(brokerCpuSeconds) ? brokerCpuSeconds * 1e9 / moved : Double.NaN;
    }

    /** Broker CPU seconds per second of the measured window (1.0 = one core busy). */
    public double brokerCpuShare() {
        return ok && elapsedNanos > 0 ? brokerCpuSeconds * 1e9 / elapsedNanos : Double.NaN;
    }

    /** Load-generator CPU seconds per second of the measured window. */
    public double loadGeneratorCpuShare() {
        return ok && elapsedNanos > 0 ? loadGeneratorCpuSeconds * 1e9 / elapsedNanos : Double.NaN;
    }

    /** The latency that characterises the run: end-to-end for e2e, commit for transactions, send-to-ack otherwise. */
    public Histogram mainLatency() {
        if (e2eLatencyMicros != null) {
            return e2eLatencyMicros;
        }
        return commitLatencyMicros != null ? commitLatencyMicros : ackLatencyMicros;
    }

    /** The kind of {@link #mainLatency()}: "e2e", "commit", "send_to_ack" or "none". */
    public String latencyKind() {
        if (e2eLatencyMicros != null) {
            return "e2e";
        }
        if (commitLatencyMicros != null) {
            return "commit";
        }
        return ackLatencyMicros != null ? "send_to_ack" : "none";
    }

    /** A percentile of the main latency in milliseconds; NaN if failed or not recorded. */
    public double latencyMs(double percentile) {
        Histogram h = mainLatency();
        if (!ok || h == null || h.getTotalCount() == 0) {
            return Double.NaN;
        }
        return (percentile >= 100 ? h.getMaxValue() : h.getValueAtPercentile(percentile)) / 1000.0;
    }

    public Json toJson() {
        Json j = new Json()
                .put("type", "run")
                .put("workload", workload.name)
                .put("broker", broker)
                .put("round", round)
                .put("ok", ok)
                .put("error", error)
                .put("params", workload.parameters())
                .put("records", ok ? records : 0)
                .put("payload_bytes", ok ? payloadBytes : 0)
                .put("elapsed_ms", ok ? elapsedNanos / 1e6 : Double.NaN)
                .put("records_per_s", recordsPerSecond())
                .put("mb_per_s", megabytesPerSecond())
                .put("latency_kind", latencyKind())
                .put("p50_ms", latencyMs(50))
                .put("p99_ms", latencyMs(99))
                .put("p999_ms", latencyMs(99.9))
                .put("max_ms", latencyMs(100))
                .put("settle_ms", ok ? settleMs : Double.NaN)
                .put("group_generation", ok ? groupGeneration : -1);
        if (e2eLatencyMicros != null && ackLatencyMicros != null && ok && ackLatencyMicros.getTotalCount() > 0) {
            j.put("ack_p99_ms", ackLatencyMicros.getValueAtPercentile(99) / 1000.0);
        }
        if (floodRecords >= 0) {
            j.put("flood_records_per_s", ok && elapsedNanos > 0 ? floodRecords * 1e9 / elapsedNanos : Double.NaN);
        }
        j.put("broker_cpu_s", ok ? brokerCpuSeconds : Double.NaN)
                .put("broker_cpu_s_per_gb", brokerCpuSecondsPerGigabyte())
                .put("broker_rss_max_mb", ok && brokerRssMaxBytes >= 0 ? brokerRssMaxBytes / 1048576.0 : Double.NaN)
                .put("broker_cpu_share", brokerCpuShare())
                .put("loadgen_cpu_s", ok ? loadGeneratorCpuSeconds : Double.NaN)
                .put("loadgen_cpu_share", loadGeneratorCpuShare());
        return j;
    }
}
