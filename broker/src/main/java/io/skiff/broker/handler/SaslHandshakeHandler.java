package io.skiff.broker.handler;

import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.AuthState;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.network.Session;
import io.skiff.broker.security.ListenerSecurities;
import io.skiff.broker.security.SaslExchange;
import io.skiff.broker.security.SaslMechanisms;
import io.skiff.wire.message.SaslHandshakeRequest;
import io.skiff.wire.message.SaslHandshakeResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;

/**
 * SaslHandshake (key 17), version 1 (the client then sends its tokens in SaslAuthenticate; version
 * 0's raw tokens are not served, and kafka-clients and librdkafka use version 1). On a SASL listener
 * before authentication it picks the mechanism: one the listener offers starts the exchange, any
 * other gets UNSUPPORTED_SASL_MECHANISM with the offered list and the connection closes, as Kafka
 * does; a second handshake during an exchange closes the connection. Elsewhere (a listener without
 * SASL, an authenticated session) it is ILLEGAL_SASL_STATE. Stateless; the exchange lives on the
 * {@link Session}.
 */
public final class SaslHandshakeHandler extends ApiHandler<SaslHandshakeRequest> {
    private final ListenerSecurities security;

    public SaslHandshakeHandler(ListenerSecurities security) {
        super(ApiKeys.SASL_HANDSHAKE, 1, 1);
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
        context.respond(response.setErrorCode(Errors.NONE.code));
    }
}
