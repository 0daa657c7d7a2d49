package io.skiff.broker.network;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

/**
 * Waits for the TLS handshake of one connection: on success it gives an SSL session its principal
 * from the client certificate (SASL_SSL sessions get theirs from SASL) and leaves the pipeline; a
 * failed handshake (garbage or plaintext on a TLS port, a bad certificate, the handshake timeout)
 * closes this connection only, counted once per kind by the {@link ConnectionLog}. One instance per
 * connection, on its event loop.
 */
final class TlsHandshakeHandler extends ChannelInboundHandlerAdapter {
    private final TransportSecurity security;
    private final Session session;
    private final ConnectionLog log;

    TlsHandshakeHandler(TransportSecurity security, Session session, ConnectionLog log) {
        this.security = security;
        this.session = session;
        this.log = log;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!(evt instanceof SslHandshakeCompletionEvent)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        SslHandshakeCompletionEvent done = (SslHandshakeCompletionEvent) evt;
        if (!done.isSuccess()) {
            log.closing(ctx.channel(), "tls-handshake-failed", "TLS handshake failed", done.cause());
            ctx.close();
            return;
        }
        if (!session.securityProtocol().usesSasl) {
            SslHandler ssl = ctx.pipeline().get(SslHandler.class);
            try {
                session.tlsPrincipal(
                        security.principal(session.listenerName(), ssl.engine().getSession()));
            } catch (IllegalArgumentException e) {
                log.closing(
                        ctx.channel(), "tls-principal", "cannot map the client certificate: " + e.getMessage(), null);
                ctx.close();
                return;
            }
        }
        ctx.pipeline().remove(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.fireExceptionCaught(cause);
    }
}
