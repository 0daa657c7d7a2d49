package io.skiff.broker.security;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.config.ConfigException;
import io.skiff.broker.config.EndPoint;
import io.skiff.broker.config.SecurityConfigs;
import io.skiff.broker.network.KafkaPrincipal;
import io.skiff.broker.network.SecurityProtocol;
import io.skiff.broker.network.TransportSecurity;
import java.security.Principal;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The security of every listener of this broker, built and checked once at start-up from the
 * configuration: for TLS listeners the server {@link SslContext} (replaceable at run time by
 * {@link #reloadTls}: connections accepted afterwards use the new key and certificates, open ones
 * keep theirs) and the {@code ssl.principal.mapping.rules}; for SASL listeners the
 * {@link SaslMechanisms} offered. A listener whose settings are incomplete stops start-up with a
 * {@link ConfigException}. Thread-safe.
 */
public final class ListenerSecurities implements TransportSecurity {
    private static final Logger LOG = LoggerFactory.getLogger(ListenerSecurities.class);
    /** A client hello that never finishes closes the connection after this long. */
    static final long HANDSHAKE_TIMEOUT_MS = 10_000L;

    private final Map<String, Tls> tls = new HashMap<>();
    private final Map<String, SaslMechanisms> sasl = new HashMap<>();

    private ListenerSecurities() {}

    /**
     * The security of {@code config}'s listeners; SCRAM mechanisms check credentials in
     * {@code scram}.
     *
     * @throws ConfigException when a listener's TLS or SASL settings cannot be used
     */
    public static ListenerSecurities of(BrokerConfig config, ScramCredentials scram) {
        ListenerSecurities out = new ListenerSecurities();
        for (EndPoint e : config.listeners()) {
            SecurityProtocol protocol = SecurityProtocol.forName(e.securityProtocol);
            if (protocol.usesTls) {
                SslPrincipalMapper mapper;
                String rules = config.listenerString(e.listenerName, SecurityConfigs.SSL_PRINCIPAL_MAPPING_RULES);
                try {
                    mapper = SslPrincipalMapper.parse(rules);
                } catch (IllegalArgumentException ex) {
                    throw new ConfigException(SecurityConfigs.SSL_PRINCIPAL_MAPPING_RULES, rules, ex.getMessage());
                }
                Tls t = new Tls(mapper);
                t.context.set(SslContextFactory.serverContext(config, e.listenerName));
                out.tls.put(e.listenerName, t);
                SslContextFactory.logProvider(e.listenerName);
            }
            if (protocol.usesSasl) {
                out.sasl.put(e.listenerName, SaslMechanisms.of(config, e.listenerName, scram));
            }
        }
        return out;
    }

    /** The SASL mechanisms of a SASL listener, or null for a listener without SASL. */
    public SaslMechanisms sasl(String listenerName) {
        return sasl.get(listenerName);
    }

    /**
     * Rebuilds the TLS context of {@code listenerName} from {@code config} (new key store or trust
     * store files): connections accepted from now on use it. On failure the old context stays.
     *
     * @throws ConfigException when the new material cannot be used
     */
    public void reloadTls(BrokerConfig config, String listenerName) {
        Tls t = tls.get(listenerName);
        if (t == null) {
            throw new IllegalArgumentException("listener " + listenerName + " has no TLS");
        }
        t.context.set(SslContextFactory.serverContext(config, listenerName));
        LOG.info("Reloaded the TLS key and certificates of listener {}", listenerName);
    }

    @Override
    public SslHandler newSslHandler(String listenerName, ByteBufAllocator alloc) {
        Tls t = tls.get(listenerName);
        if (t == null) {
            throw new IllegalStateException("listener " + listenerName + " has no TLS configuration");
        }
        SslHandler h = t.context.get().newHandler(alloc);
        h.setHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MS);
        return h;
    }

    @Override
    public KafkaPrincipal principal(String listenerName, SSLSession session) {
        Principal peer;
        try {
            peer = session.getPeerPrincipal();
        } catch (SSLPeerUnverifiedException noCertificate) {
            return KafkaPrincipal.ANONYMOUS;
        }
        if (peer == null) {
            return KafkaPrincipal.ANONYMOUS;
        }
        return KafkaPrincipal.user(tls.get(listenerName).mapper.name(peer.getName()));
    }

    private static final class Tls {
        final AtomicReference<SslContext> context = new AtomicReference<>();
        final SslPrincipalMapper mapper;

        Tls(SslPrincipalMapper mapper) {
            this.mapper = mapper;
        }
    }
}
