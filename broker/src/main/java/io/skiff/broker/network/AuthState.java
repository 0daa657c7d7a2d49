package io.skiff.broker.network;

import io.skiff.wire.protocol.ApiKeys;

/**
 * Where a connection stands in authentication. The pre-dispatch stage asks {@link #admits} for
 * every request; {@link Session#transitionTo} moves between states along the transitions that
 * {@link #canTransitionTo} allows and refuses the others.
 *
 * <pre>
 * UNAUTHENTICATED --exchange succeeds--> AUTHENTICATED
 * UNAUTHENTICATED --exchange fails-----> FAILED
 * </pre>
 */
public enum AuthState {
    /**
     * A listener whose protocol uses SASL, before an exchange has succeeded (where SASL_PLAINTEXT
     * and SASL_SSL sessions start). Admits ApiVersions, SaslHandshake and SaslAuthenticate; any
     * other request closes the connection, as Apache Kafka does. Goes to {@link #AUTHENTICATED}
     * when an exchange succeeds and to {@link #FAILED} when one fails.
     */
    UNAUTHENTICATED,
    /**
     * The principal is known and every API is admitted (authorization, where configured, decides
     * per request). PLAINTEXT and SSL sessions start here. No transition leaves it.
     */
    AUTHENTICATED,
    /** An exchange failed: nothing is admitted and the connection is closed. No transition leaves it. */
    FAILED;

    /** Whether a request of {@code api} may pass the gate in this state. */
    public boolean admits(ApiKeys api) {
        switch (this) {
            case AUTHENTICATED:
                return true;
            case UNAUTHENTICATED:
                return api == ApiKeys.API_VERSIONS || api == ApiKeys.SASL_HANDSHAKE || api == ApiKeys.SASL_AUTHENTICATE;
            default:
                return false;
        }
    }

    /** Whether this state may be followed by {@code next}. */
    public boolean canTransitionTo(AuthState next) {
        return this == UNAUTHENTICATED && (next == AUTHENTICATED || next == FAILED);
    }
}
