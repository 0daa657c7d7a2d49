package io.skiff.broker.handler;

import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.AuthState;
import io.skiff.broker.network.KafkaPrincipal;
import io.skiff.broker.network.RawSaslTokens;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.network.Session;
import io.skiff.broker.security.ListenerSecurities;
import io.skiff.broker.security.SaslExchange;
import io.skiff.broker.security.SaslFailure;
import io.skiff.broker.security.SaslMechanisms;
import io.skiff.wire.message.SaslHandshakeRequest;
import io.skiff.wire.message.SaslHandshakeResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;

/**
 * SaslHandshake (key 17), versions 0-1. After version 1 the client sends its tokens in
 * SaslAuthenticate; after version 0 it sends them as bare frames, which {@link RawSaslTokens} on
 * the session answers until the exchange ends (librdkafka needs version 0 listed in ApiVersions
 * before it uses SASL at all, though it then uses version 1). On a SASL listener
 * before authentication it picks the mechanism: one the listener offers starts the exchange, any
 * other gets UNSUPPORTED_SASL_MECHANISM with the offered list and the connection closes, as Kafka
 * does; a second handshake during an exchange closes the connection. Elsewhere (a listener without
 * SASL, an authenticated session) it is ILLEGAL_SASL_STATE. Stateless; the exchange lives on the
 * {@link Session}.
 */
public final class SaslHandshakeHandler extends ApiHandler<SaslHandshakeRequest> {
    private final ListenerSecurities security;

    public SaslHandshakeHandler(ListenerSecurities security) {
        super(ApiKeys.SASL_HANDSHAKE, 0, 1);
        this.security = security;
    }

    @Override
    public void handle(RequestContext context, SaslHandshakeRequest request) {
        Session session = context.session();
        SaslMechanisms mechanisms = security.sasl(context.listenerName);
        if (mechanisms == null || session.authState() != AuthState.UNAUTHENTICATED) {
            context.respond(new SaslHandshakeResponse()
                    .setErrorCode(Errors.ILLEGAL_SASL_STATE.code)
                    .setMechanisms(new ArrayList<>()));
            return;
        }
        if (session.saslExchange() != null) {
            context.closeConnection(); // Kafka: an unexpected handshake during authentication
            return;
        }
        SaslExchange exchange = mechanisms.start(request.mechanism());
        SaslHandshakeResponse response =
                new SaslHandshakeResponse().setMechanisms(new ArrayList<>(mechanisms.enabled()));
        if (exchange == null) {
            context.respondAndClose(response.setErrorCode(Errors.UNSUPPORTED_SASL_MECHANISM.code), 0);
            return;
        }
        session.saslExchange(exchange);
        if (context.apiVersion == 0) {
            session.rawSaslTokens(token -> bareToken(context, session, mechanisms, exchange, token));
        }
        context.respond(response.setErrorCode(Errors.NONE.code));
    }

    /** One bare token of a version 0 exchange; null (close the connection) when it fails or is too large. */
    private static byte[] bareToken(
            RequestContext context, Session session, SaslMechanisms mechanisms, SaslExchange exchange, byte[] token) {
        if (token.length > mechanisms.maxReceiveBytes()) {
            session.rawSaslTokens(null);
            session.authenticationFailed();
            return null;
        }
        try {
            byte[] challenge = exchange.evaluate(token);
            if (exchange.isComplete()) {
                session.rawSaslTokens(null);
                session.authenticated(KafkaPrincipal.user(exchange.authorizationId()));
            }
            return challenge == null ? new byte[0] : challenge;
        } catch (SaslFailure e) {
            session.rawSaslTokens(null);
            SaslAuthenticateHandler.failed(context, exchange, e);
            return null;
        }
    }
}
