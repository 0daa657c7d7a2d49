package io.skiff.broker.network;

import io.skiff.wire.protocol.ApiKeys;

/**
 * The seam where client quotas plug into the request path (KIP-219). The pre-dispatch stage asks
 * it, when a request's answer is about to be written, how long the client must be throttled; a
 * non-zero answer goes into the response's {@code throttle_time_ms} (keeping a larger value the
 * handler set itself) and the connection is then muted (no reads) for that long. Fetch asks
 * earlier, through {@link RequestContext#fetchQuotaMaxBytes()} and
 * {@link RequestContext#throttleFetch(int)}, because a fetch over quota is answered empty. The
 * implementation (byte-rate and request-time windows per user and client id) lives in the quota
 * package and is given to the server in place of {@link NeverThrottle}.
 *
 * <p>Called on event loops (and, for fetches, on whatever thread completes them) for every
 * request: implementations must be thread-safe and must not block. {@link #enabled()} is read for
 * every request and must be cheap (a volatile read); while it answers false no other method is
 * called, so that throttling costs nothing when no quota is set.
 */
public interface QuotaHook {
    /** Whether any client quota is set at all. */
    boolean enabled();

    /** Whether request-time ({@code request_percentage}) quotas are set, so handler time must be measured. */
    boolean measuresRequestTime();

    /**
     * Records a request whose answer is about to be written (or, for a produce with acks=0, that
     * has none) and answers the throttle time in ms, 0 for none: a produce counts its
     * {@code requestBytes} against the producer byte rate, and every request with an answer its
     * {@code handlerNanos} against the request-time quota.
     */
    int throttleOnResponse(
            Session session,
            String clientId,
            ApiKeys api,
            int requestBytes,
            boolean hasResponse,
            long handlerNanos,
            long nowMs);

    /** The most a fetch of this client may return: what its consumer byte rate allows in one quota window. */
    int fetchMaxBytes(Session session, String clientId);

    /**
     * Records a fetch answer of {@code responseBytes} (and the handler time so far) and answers
     * the throttle time in ms; when positive the bytes are taken back again and the fetch must be
     * answered without records.
     */
    int throttleFetch(Session session, String clientId, int responseBytes, long handlerNanos, long nowMs);
}
