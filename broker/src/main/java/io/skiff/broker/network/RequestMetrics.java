package io.skiff.broker.network;

import io.skiff.wire.protocol.ApiKeys;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-API request counters of one broker: requests, failed requests, request and response bytes,
 * and latency from the moment a request frame was received to the moment its response was
 * written to the connection. Recording indexes fixed arrays by API key and allocates nothing;
 * {@link #snapshot} is the read side for exporters.
 *
 * <p>Bytes are frame sizes after the 4-byte size prefix (the header and body), as Apache Kafka
 * counts request sizes. A request counts as failed when it ends in closing the connection rather
 * than in an answer: refused by the authentication gate, an unsupported version, a body that does
 * not parse, a handler that closes the connection or throws, or a response that cannot be encoded.
 * Requests refused before they reach a handler have no latency. Thread-safe.
 */
public final class RequestMetrics {
    private final LongAdder[] requests;
    private final LongAdder[] failed;
    private final LongAdder[] requestBytes;
    private final LongAdder[] responseBytes;
    private final LongAdder[] latencyNanos;
    private final LongAdder[] timed;
    private final LongAccumulator[] maxLatencyNanos;

    public RequestMetrics() {
        int size = 0;
        for (ApiKeys api : ApiKeys.values()) {
            size = Math.max(size, api.id + 1);
        }
        requests = adders(size);
        failed = adders(size);
        requestBytes = adders(size);
        responseBytes = adders(size);
        latencyNanos = adders(size);
        timed = adders(size);
        maxLatencyNanos = new LongAccumulator[size];
        for (int i = 0; i < size; i++) {
            maxLatencyNanos[i] = new LongAccumulator(Math::max, 0);
        }
    }

    private static LongAdder[] adders(int size) {
        LongAdder[] a = new LongAdder[size];
        for (int i = 0; i < size; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    /** A request that reached its handler and left the connection's queue, answered or not. */
    void record(ApiKeys api, int requestSize, int responseSize, long latency, boolean requestFailed) {
        int i = api.id;
        requests[i].increment();
        requestBytes[i].add(requestSize);
        responseBytes[i].add(responseSize);
        latencyNanos[i].add(latency);
        timed[i].increment();
        maxLatencyNanos[i].accumulate(latency);
        if (requestFailed) {
            failed[i].increment();
        }
    }

    /** A request refused before it reached a handler; the connection is closed. */
    void recordRefused(ApiKeys api, int requestSize) {
        int i = api.id;
        requests[i].increment();
        failed[i].increment();
        requestBytes[i].add(requestSize);
    }

    /** The counters of {@code api} since start. Allocates the snapshot; not for the request path. */
    public Snapshot snapshot(ApiKeys api) {
        int i = api.id;
        return new Snapshot(
                api,
                requests[i].sum(),
                failed[i].sum(),
                requestBytes[i].sum(),
                responseBytes[i].sum(),
                timed[i].sum(),
                latencyNanos[i].sum(),
                maxLatencyNanos[i].get());
    }

    /**
     * The counters of one API at one moment. Each counter is read separately, so a snapshot
     * taken while requests complete may be off by those requests between counters.
     *
     * @param requests          requests received (refused ones included)
     * @param failed            requests that ended in closing the connection
     * @param requestBytes      sum of request frame sizes
     * @param responseBytes     sum of response frame sizes written
     * @param timedRequests     requests with a latency (those that reached a handler)
     * @param totalLatencyNanos sum of their latencies
     * @param maxLatencyNanos   the largest of their latencies
     */
    public record Snapshot(
            ApiKeys api,
            long requests,
            long failed,
            long requestBytes,
            long responseBytes,
            long timedRequests,
            long totalLatencyNanos,
            long maxLatencyNanos) {
        /** Mean latency in nanoseconds, 0 when nothing was timed. */
        public double meanLatencyNanos() {
            return timedRequests == 0 ? 0 : (double) totalLatencyNanos / timedRequests;
        }
    }
}
