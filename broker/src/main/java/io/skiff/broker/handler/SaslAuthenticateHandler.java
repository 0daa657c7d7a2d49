package io.skiff.broker.handler;

import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.AuthState;
import io.skiff.broker.network.KafkaPrincipal;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.network.Session;
import io.skiff.broker.security.ListenerSecurities;
import io.skiff.broker.security.SaslExchange;
import io.skiff.broker.security.SaslFailure;
import io.skiff.broker.security.SaslMechanisms;
import io.skiff.wire.message.SaslAuthenticateRequest;
import io.skiff.wire.message.SaslAuthenticateResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SaslAuthenticate (key 36), versions 0-2: one token of the exchange its connection's SaslHandshake
 * started. A challenge goes back in {@code auth_bytes}; a finished exchange authenticates the
 * session as {@code User:<name>} (version 1+ is told the session lifetime,
 * {@code connections.max.reauth.ms}, 0 when unlimited); a failed one answers
 * SASL_AUTHENTICATION_FAILED with the mechanism's message and closes the connection after
 * {@code connection.failed.authentication.delay.ms}. A token before any handshake, or larger than
 * {@code sasl.server.max.receive.size}, closes the connection; on a listener without SASL, or once
 * authenticated, it is ILLEGAL_SASL_STATE, as Kafka answers. Passwords and tokens are never logged.
 * Stateless.
 */
public final class SaslAuthenticateHandler extends ApiHandler<SaslAuthenticateRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(SaslAuthenticateHandler.class);

    private final ListenerSecurities security;
    private final long sessionLifetimeMs;
    private final int failureDelayMs;

    /**
     * @param sessionLifetimeMs {@code connections.max.reauth.ms} (0: sessions do not expire)
     * @param failureDelayMs    {@code connection.failed.authentication.delay.ms}
     */
    public SaslAuthenticateHandler(ListenerSecurities security, long sessionLifetimeMs, int failureDelayMs) {
        super(ApiKeys.SASL_AUTHENTICATE, 0, 2);
        this.security = security;
        this.sessionLifetimeMs = sessionLifetimeMs;
        this.failureDelayMs = failureDelayMs;
    }

    @Override
    public void handle(RequestContext context, SaslAuthenticateRequest request) {
        Session session = context.session();
        SaslMechanisms mechanisms = security.sasl(context.listenerName);
        if (mechanisms == null || session.authState() != AuthState.UNAUTHENTICATED) {
            context.respond(new SaslAuthenticateResponse()
                    .setErrorCode(Errors.ILLEGAL_SASL_STATE.code)
                    .setErrorMessage(
                            "Unexpected SaslAuthenticate request with authentication state " + session.authState())
                    .setAuthBytes(new byte[0]));
            return;
        }
        Object state = session.saslExchange();
        byte[] token = request.authBytes();
        if (!(state instanceof SaslExchange) || token == null || token.length > mechanisms.maxReceiveBytes()) {
            context.closeConnection();
            return;
        }
        SaslExchange exchange = (SaslExchange) state;
        byte[] challenge;
        try {
            challenge = exchange.evaluate(token);
        } catch (SaslFailure e) {
            failed(context, exchange, e);
            context.respondAndClose(
                    new SaslAuthenticateResponse()
                            .setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code)
                            .setErrorMessage(e.getMessage())
                            .setAuthBytes(new byte[0]),
                    failureDelayMs);
            return;
        }
        SaslAuthenticateResponse response =
                new SaslAuthenticateResponse().setErrorCode(Errors.NONE.code).setAuthBytes(challenge);
        if (exchange.isComplete()) {
            session.authenticated(KafkaPrincipal.user(exchange.authorizationId()));
            response.setSessionLifetimeMs(sessionLifetimeMs);
        }
        context.respond(response);
    }

    /** Marks the session failed and logs why (never the token or the password). */
    static void failed(RequestContext context, SaslExchange exchange, SaslFailure failure) {
        context.session().authenticationFailed();
        LOG.info(
                "Failed authentication with {} on {} ({}: {})",
                context.clientAddress,
                context.listenerName,
                exchange.mechanism(),
                failure.getMessage());
    }
}
