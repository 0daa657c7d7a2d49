package io.skiff.broker.network;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import javax.net.ssl.SSLSession;

/**
 * What the network layer asks of the broker's security for each listener: the TLS handler of a new
 * connection on a TLS listener, and the principal a finished TLS handshake stands for (the client
 * certificate's name through {@code ssl.principal.mapping.rules}). Implemented by the broker's
 * security package; {@link #NONE} serves PLAINTEXT only. Implementations are thread-safe.
 */
public interface TransportSecurity {
    /** No TLS anywhere: every listener must be PLAINTEXT or SASL_PLAINTEXT. */
    TransportSecurity NONE = new TransportSecurity() {
        @Override
        public SslHandler newSslHandler(String listenerName, ByteBufAllocator alloc) {
            throw new IllegalStateException("listener " + listenerName + " has no TLS configuration");
        }

        @Override
        public KafkaPrincipal principal(String listenerName, SSLSession session) {
            return KafkaPrincipal.ANONYMOUS;
        }
    };

    /** A new server-side TLS handler for a connection accepted on {@code listenerName} (a TLS listener). */
    SslHandler newSslHandler(String listenerName, ByteBufAllocator alloc);

    /**
     * The principal of a connection whose TLS handshake on {@code listenerName} has succeeded:
     * {@link KafkaPrincipal#ANONYMOUS} without a client certificate.
     *
     * @throws IllegalArgumentException when the certificate's name cannot be mapped to a principal
     */
    KafkaPrincipal principal(String listenerName, SSLSession session);
}
