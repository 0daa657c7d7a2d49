package io.skiff.broker.metrics;

import io.skiff.broker.network.RequestContext;
import io.skiff.broker.network.RequestObserver;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.ApiMessage;
import io.skiff.wire.protocol.ErrorCodeSink;
import io.skiff.wire.protocol.Errors;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Kafka's request metrics ({@code kafka.network:type=RequestMetrics,...,request=<api>}), fed by
 * the network layer for every request that reached its handler:
 *
 * <ul>
 *   <li>{@code RequestsPerSec} with {@code version}: requests;</li>
 *   <li>{@code ErrorsPerSec} with {@code error}: every error code of each response, {@code NONE}
 *       included, top level and nested (topics, partitions, ...), as Kafka's
 *       {@code errorCounts()} counts them ({@link ApiMessage#countErrors}); requests that end in a
 *       closed connection carry none;</li>
 *   <li>histograms in milliseconds: {@code TotalTimeMs} (frame received to response written),
 *       {@code RequestQueueTimeMs} (received to the handler's call: decoding and the pre-dispatch
 *       stage; Skiff has no request queue), {@code LocalTimeMs} (the handler's call to its answer,
 *       including waits for acks, fsync or a long poll that Kafka counts as {@code RemoteTimeMs}),
 *       {@code ResponseQueueTimeMs} (answer to the write: earlier answers of the connection and
 *       the hop to its event loop), {@code ResponseSendTimeMs} (encoding the answer and handing it
 *       to the connection), {@code ThrottleTimeMs} (the throttle time the answer carried).</li>
 * </ul>
 *
 * A Fetch is recorded under {@code Fetch} and under {@code FetchConsumer} or
 * {@code FetchFollower}, as Kafka does (errors only under {@code Fetch}).
 *
 * <p>Each API's meters are created at its first request; after that recording indexes arrays
 * and adds to counters, allocating nothing. Thread-safe.
 */
final class RequestMeters implements RequestObserver {
    private static final int VERSIONS = 64;
    private static final int FETCH_CONSUMER = maxApiId() + 1;
    private static final int FETCH_FOLLOWER = maxApiId() + 2;

    private final KafkaMetricsRegistry registry;
    private final AtomicReferenceArray<Stats> stats = new AtomicReferenceArray<>(maxApiId() + 3);

    RequestMeters(KafkaMetricsRegistry registry) {
        this.registry = registry;
    }

    private static int maxApiId() {
        int max = 0;
        for (ApiKeys api : ApiKeys.values()) {
            max = Math.max(max, api.id);
        }
        return max;
    }

    @Override
    public void completed(
            RequestContext rc,
            ApiMessage response,
            int throttleMs,
            boolean failed,
            long sendStartNanos,
            long nowNanos) {
        ApiKeys api = rc.api;
        Stats s = stats(api.id, api.title);
        s.record(rc, throttleMs, sendStartNanos, nowNanos);
        if (api == ApiKeys.FETCH) {
            Stats f =
                    rc.fromFollower() ? stats(FETCH_FOLLOWER, "FetchFollower") : stats(FETCH_CONSUMER, "FetchConsumer");
            f.record(rc, throttleMs, sendStartNanos, nowNanos);
        }
        if (response != null) {
            response.countErrors(rc.responseVersion(), s);
        }
    }

    private Stats stats(int slot, String request) {
        Stats s = stats.get(slot);
        if (s == null) {
            s = new Stats(registry, request);
            if (!stats.compareAndSet(slot, null, s)) {
                s = stats.get(slot);
            }
        }
        return s;
    }

    /** The meters of one request name. */
    private static final class Stats implements ErrorCodeSink {
        private final KafkaMetricsRegistry registry;
        private final String request;
        private final AtomicReferenceArray<Meter> byVersion = new AtomicReferenceArray<>(VERSIONS);
        private final AtomicReferenceArray<Meter> byError = new AtomicReferenceArray<>(maxErrorCode() + 2);
        private final Histogram total;
        private final Histogram requestQueue;
        private final Histogram local;
        private final Histogram responseQueue;
        private final Histogram responseSend;
        private final Histogram throttle;

        Stats(KafkaMetricsRegistry registry, String request) {
            this.registry = registry;
            this.request = request;
            total = latency(registry, "TotalTimeMs", request);
            requestQueue = latency(registry, "RequestQueueTimeMs", request);
            local = latency(registry, "LocalTimeMs", request);
            responseQueue = latency(registry, "ResponseQueueTimeMs", request);
            responseSend = latency(registry, "ResponseSendTimeMs", request);
            throttle = latency(registry, "ThrottleTimeMs", request);
        }

        private static Histogram latency(KafkaMetricsRegistry registry, String name, String request) {
            return registry.histogram(
                    MetricName.kafka(
                            MetricName.Kind.HISTOGRAM, "kafka.network", "RequestMetrics", name, "request", request),
                    Histogram.LATENCY_NANOS,
                    1e-6);
        }

        private static int maxErrorCode() {
            int max = 0;
            for (Errors e : Errors.values()) {
                max = Math.max(max, e.code);
            }
            return max;
        }

        void record(RequestContext rc, int throttleMs, long sendStartNanos, long nowNanos) {
            versionMeter(rc.apiVersion).mark();
            long received = rc.receivedNanos;
            long dispatched = rc.dispatchedNanos() == 0 ? received : rc.dispatchedNanos();
            long completed = rc.completedNanos() == 0 ? sendStartNanos : rc.completedNanos();
            total.record(nowNanos - received);
            requestQueue.record(dispatched - received);
            local.record(completed - dispatched);
            responseQueue.record(sendStartNanos - completed);
            responseSend.record(nowNanos - sendStartNanos);
            throttle.record(throttleMs * 1_000_000L);
        }

        private Meter versionMeter(short version) {
            int slot = version >= 0 && version < VERSIONS - 1 ? version : VERSIONS - 1;
            Meter m = byVersion.get(slot);
            if (m == null) {
                String label = slot == VERSIONS - 1 ? "other" : Integer.toString(version);
                m = registry.meter(
                        MetricName.kafka(
                                MetricName.Kind.METER,
                                "kafka.network",
                                "RequestMetrics",
                                "RequestsPerSec",
                                "request",
                                request,
                                "version",
                                label),
                        "requests");
                byVersion.set(slot, m);
            }
            return m;
        }

        @Override
        public void error(short code) {
            Errors error = Errors.forCode(code);
            int slot = error.code + 1;
            Meter m = byError.get(slot);
            if (m == null) {
                m = registry.meter(
                        MetricName.kafka(
                                MetricName.Kind.METER,
                                "kafka.network",
                                "RequestMetrics",
                                "ErrorsPerSec",
                                "request",
                                request,
                                "error",
                                error.name()),
                        "requests");
                byError.set(slot, m);
            }
            m.mark();
        }
    }
}
