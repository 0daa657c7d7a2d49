package io.skiff.broker.security;

/**
 * A SASL exchange that failed, with the message the client is told (SASL_AUTHENTICATION_FAILED).
 * Never holds a password or token. Immutable.
 */
public final class SaslFailure extends Exception {
    private static final long serialVersionUID = 1L;

    public SaslFailure(String clientMessage) {
        super(clientMessage, null, false, false);
    }
}
