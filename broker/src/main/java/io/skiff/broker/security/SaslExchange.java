package io.skiff.broker.security;

/**
 * The server side of one SASL authentication exchange of one connection: tokens from the client in,
 * challenges out, until it is complete and names the authenticated user. A failure is a
 * {@link SaslFailure} whose message may be sent to the client (it never holds a password or token).
 * Not thread-safe: one connection's requests use it in turn.
 */
public interface SaslExchange {
    /** The mechanism's SASL name ({@code PLAIN}, {@code SCRAM-SHA-256}, ...). */
    String mechanism();

    /** Takes the client's next token and returns the server's answer (empty when there is none). */
    byte[] evaluate(byte[] response) throws SaslFailure;

    /** Whether the exchange has succeeded. */
    boolean isComplete();

    /** The authenticated user name, once complete. */
    String authorizationId();

    /** When the credential itself expires (an OAuth token), in ms since the epoch; {@link Long#MAX_VALUE} otherwise. */
    default long credentialExpiresAtMs() {
        return Long.MAX_VALUE;
    }
}
