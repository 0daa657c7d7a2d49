package io.skiff.broker.network;

import io.skiff.wire.protocol.ApiMessage;

/**
 * Told of every request that reached its handler once it leaves its connection's queue, with
 * the times of its stages (all on the pre-dispatch stage's nanosecond clock): received
 * ({@link RequestContext#receivedNanos}), dispatched to the handler
 * ({@link RequestContext#dispatchedNanos()}), completed by the handler
 * ({@link RequestContext#completedNanos()}), handed to the response writer ({@code sendStartNanos})
 * and written ({@code nowNanos}). The exporter of Kafka's request metrics implements it; the
 * network layer knows nothing of meters.
 *
 * <p>Called on the connection's event loop, once per request, before the response is released.
 * Implementations must be thread-safe (every event loop calls) and must not allocate or block:
 * this is the request path.
 */
public interface RequestObserver {
    /** Observes nothing. */
    RequestObserver NONE = (rc, response, throttleMs, failed, sendStartNanos, nowNanos) -> {};

    /**
     * @param response   the response written (borrowed; valid only during the call), or null when
     *                   there was none (acks=0, a closed connection)
     * @param throttleMs the throttle time the answer carried (0 when not throttled)
     * @param failed     whether the request ended in closing the connection
     */
    void completed(
            RequestContext rc, ApiMessage response, int throttleMs, boolean failed, long sendStartNanos, long nowNanos);
}
