package io.skiff.broker.network;

/**
 * The rest of a SASL exchange whose SaslHandshake was version 0: the client sends its tokens as
 * bare size-prefixed frames, with no request header, and gets the broker's answers the same way,
 * until the exchange completes; then Kafka requests follow. Set on the {@link Session} by the
 * handshake handler; called on the connection's event loop.
 */
public interface RawSaslTokens {
    /**
     * Evaluates one token: the answer to send back (possibly empty), or null when the exchange
     * failed and the connection is to be closed. Implementations move the session's
     * authentication state and clear {@link Session#rawSaslTokens(RawSaslTokens)} when done.
     */
    byte[] evaluate(byte[] token);
}
