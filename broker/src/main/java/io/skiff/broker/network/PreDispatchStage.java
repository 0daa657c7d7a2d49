package io.skiff.broker.network;

import io.skiff.wire.message.ApiVersionsRequest;
import io.skiff.wire.message.FetchRequest;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.ApiMessage;
import io.skiff.wire.protocol.ThrottledResponse;
import java.util.function.LongSupplier;

/**
 * The one place between request decoding and the {@link ApiDispatcher} where every request is
 * checked and counted, and where its response is finished before it is written:
 *
 * <ol>
 *   <li>{@link #admitHeader}: once the header is read, records the client id on the
 *       {@link Session} and applies the authentication gate ({@link AuthState#admits}); a
 *       request that does not pass closes the connection.</li>
 *   <li>{@link #beforeDispatch}: once the body is read, records the client software of an
 *       ApiVersions v3+ request.</li>
 *   <li>{@link #beforeWrite}: asks the {@link QuotaHook} for the throttle time of the request
 *       (KIP-219: decided once the answer is ready, recorded after a produce's append), puts a
 *       non-zero one into a {@link ThrottledResponse} and tells the connection how long to stay
 *       muted. Fetches are checked earlier ({@link #throttleFetch}), as they are answered empty
 *       when over quota. While the hook says no quota is set, nothing of this runs.</li>
 *   <li>{@link #completed} and {@link #refused}: per-API {@link RequestMetrics}, latency from the
 *       receive time stored on the {@link RequestContext} to the write of the response, and the
 *       {@link RequestObserver} (Kafka's request metrics, when metrics are on).</li>
 * </ol>
 *
 * One instance per broker, shared by all connections; it holds no per-request state and
 * allocates nothing per request. Thread-safe when its quota hook is.
 */
public final class PreDispatchStage {
    private final QuotaHook quota;
    private final RequestMetrics metrics;
    private final LongSupplier nanoClock;
    private final RequestObserver observer;

    /** @param nanoClock the clock of receive times and latencies ({@code System::nanoTime} outside tests) */
    public PreDispatchStage(QuotaHook quota, RequestMetrics metrics, LongSupplier nanoClock) {
        this(quota, metrics, nanoClock, RequestObserver.NONE);
    }

    /** As {@link #PreDispatchStage(QuotaHook, RequestMetrics, LongSupplier)}, telling {@code observer} of each request. */
    public PreDispatchStage(QuotaHook quota, RequestMetrics metrics, LongSupplier nanoClock, RequestObserver observer) {
        this.quota = quota;
        this.metrics = metrics;
        this.nanoClock = nanoClock;
        this.observer = observer;
    }

    public RequestMetrics metrics() {
        return metrics;
    }

    long nanoTime() {
        return nanoClock.getAsLong();
    }

    /**
     * Called once the request header is read: remembers the client id and answers whether a
     * request of {@code api} may go further on this session. When it answers false the caller
     * closes the connection (and counts the request as {@link #refused}).
     */
    boolean admitHeader(Session session, ApiKeys api, String clientId) {
        session.clientId(clientId);
        return session.authState().admits(api);
    }

    /**
     * Called once the request is parsed, just before its handler runs. {@code body} is null for
     * the ApiVersions answer to a version this broker does not know.
     */
    void beforeDispatch(RequestContext rc, ApiMessage body) {
        Session session = rc.session();
        if (rc.api == ApiKeys.API_VERSIONS && rc.apiVersion >= 3 && body != null) {
            ApiVersionsRequest r = (ApiVersionsRequest) body;
            session.clientSoftware(r.clientSoftwareName(), r.clientSoftwareVersion());
        } else if (rc.api == ApiKeys.FETCH && body != null) {
            FetchRequest f = (FetchRequest) body;
            int replicaId = rc.apiVersion >= 15 ? f.replicaState().replicaId() : f.replicaId();
            rc.fromFollower(replicaId >= 0);
        }
        rc.dispatched(nanoClock.getAsLong());
    }

    /** Whether handler time must be measured (request-time quotas are set). */
    boolean measuresHandlerTime() {
        return quota.enabled() && quota.measuresRequestTime();
    }

    /**
     * Called on the event loop just before {@code response} is encoded, or with null when a
     * request is completed without an answer (produce with acks=0). Answers how long the
     * connection must be muted after the answer, in ms (0 for not at all).
     */
    int beforeWrite(RequestContext rc, ApiMessage response) {
        int throttleMs = rc.throttleTimeMs();
        if (quota.enabled() && !rc.quotaRecorded()) {
            int ms = quota.throttleOnResponse(
                    rc.session(),
                    rc.clientId,
                    rc.api,
                    rc.requestBytes(),
                    response != null,
                    rc.handlerNanos(),
                    nanoClock.getAsLong() / 1_000_000L);
            throttleMs = Math.max(throttleMs, ms);
            rc.throttleTimeMs(throttleMs);
        }
        if (throttleMs > 0 && response instanceof ThrottledResponse) {
            ThrottledResponse t = (ThrottledResponse) response;
            if (t.throttleTimeMs() < throttleMs) {
                t.setThrottleTimeMs(throttleMs);
            }
        }
        return throttleMs;
    }

    /** See {@link RequestContext#fetchQuotaMaxBytes()}. */
    int fetchMaxBytes(RequestContext rc) {
        return quota.enabled() ? quota.fetchMaxBytes(rc.session(), rc.clientId) : Integer.MAX_VALUE;
    }

    /** See {@link RequestContext#throttleFetch(int)}. */
    int throttleFetch(RequestContext rc, int responseBytes) {
        if (!quota.enabled()) {
            return 0;
        }
        int ms = quota.throttleFetch(
                rc.session(), rc.clientId, responseBytes, rc.handlerNanos(), nanoClock.getAsLong() / 1_000_000L);
        rc.quotaRecorded(Math.max(0, ms));
        return Math.max(0, ms);
    }

    /**
     * Called when a request that reached its handler leaves the connection's queue: after its
     * response was written ({@code responseBytes} of frame), or without one.
     */
    void completed(RequestContext rc, int responseBytes, boolean failed) {
        long now = nanoClock.getAsLong();
        metrics.record(rc.api, rc.requestBytes(), responseBytes, now - rc.receivedNanos, failed);
        observer.completed(rc, null, rc.throttleTimeMs(), failed, now, now);
    }

    /**
     * As {@link #completed(RequestContext, int, boolean)} for a request whose {@code response}
     * (borrowed) was handed to the writer at {@code sendStartNanos}.
     */
    void completed(RequestContext rc, ApiMessage response, int responseBytes, boolean failed, long sendStartNanos) {
        long now = nanoClock.getAsLong();
        metrics.record(rc.api, rc.requestBytes(), responseBytes, now - rc.receivedNanos, failed);
        observer.completed(rc, response, rc.throttleTimeMs(), failed, sendStartNanos, now);
    }

    /** Called for a request of a known API that is refused before a handler sees it. */
    void refused(ApiKeys api, int requestBytes) {
        metrics.recordRefused(api, requestBytes);
    }
}
