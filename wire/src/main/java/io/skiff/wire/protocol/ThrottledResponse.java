package io.skiff.wire.protocol;

/**
 * A response body that carries {@code throttle_time_ms}: how long the broker asks the client to
 * wait before its next request because a quota was exceeded. The generator makes every response
 * class whose schema has a top-level {@code ThrottleTimeMs} field implement it, and no other
 * class, so that the broker's request path can set the throttle time on any response without
 * knowing its API. Instances are generated messages: mutable and not thread-safe.
 */
public interface ThrottledResponse extends ApiMessage {
    /** The throttle time in milliseconds; 0 when the client is not throttled. */
    int throttleTimeMs();

    /**
     * Sets the throttle time in milliseconds. At versions whose schema lacks the field the value is
     * not written (in every Kafka schema the field is ignorable there).
     */
    ThrottledResponse setThrottleTimeMs(int throttleTimeMs);
}
