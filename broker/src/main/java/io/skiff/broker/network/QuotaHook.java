package io.skiff.broker.network;

import io.skiff.wire.protocol.ApiKeys;

/**
 * The seam where client quotas plug into the request path. The pre-dispatch stage asks it once
 * for every request that passed the authentication gate, before the request reaches its
 * handler; a non-zero answer is written into the response's {@code throttle_time_ms} (on every
 * response that has the field, keeping a larger value the handler set itself). The quota
 * implementation (byte-rate and request-time windows per user and client id, channel muting)
 * lives elsewhere and is given to the server in place of {@link NeverThrottle}, the single-node
 * default that never throttles.
 *
 * <p>Called on the connection's event loop for every request: implementations must be
 * thread-safe, must not block and should not allocate.
 */
public interface QuotaHook {
    /**
     * How long the client should be throttled after this request, in milliseconds; 0 for not at all.
     *
     * @param session      the connection (principal, client id, listener)
     * @param api          the request's API
     * @param requestBytes the size of the request frame after its 4-byte size prefix
     * @param nowNanos     the time the request was received, on the stage's nanosecond clock
     */
    int throttleTimeMs(Session session, ApiKeys api, int requestBytes, long nowNanos);
}
