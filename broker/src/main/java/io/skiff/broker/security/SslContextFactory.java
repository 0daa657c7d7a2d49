package io.skiff.broker.security;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.config.ConfigException;
import io.skiff.broker.config.SecurityConfigs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the server {@link SslContext} of one TLS listener from Kafka's {@code ssl.*} keys (each
 * overridable per listener): key store as JKS, PKCS12 or PEM (a file holding key and chain, or
 * {@code ssl.keystore.key} and {@code ssl.keystore.certificate.chain} inline), trust store the same
 * way ({@code ssl.truststore.certificates} inline), {@code ssl.client.auth}, protocols and cipher
 * suites. OpenSSL (netty-tcnative's BoringSSL) where it loads, the JDK's engine otherwise.
 * Missing or unreadable material is a {@link ConfigException} naming the key, never a secret.
 * Stateless.
 */
public final class SslContextFactory {
    private static final Logger LOG = LoggerFactory.getLogger(SslContextFactory.class);

    private SslContextFactory() {}

    /** The engine this JVM uses for TLS: OpenSSL where netty-tcnative loads, the JDK's otherwise. */
    public static SslProvider provider() {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /** A word for the log: "OpenSSL (BoringSSL ...)" or "the JDK's engine (reason OpenSSL is not used)". */
    public static String providerDescription() {
        if (OpenSsl.isAvailable()) {
            return "OpenSSL (" + OpenSsl.versionString() + ")";
        }
        Throwable cause = OpenSsl.unavailabilityCause();
        return "the JDK's engine (OpenSSL unavailable: " + (cause == null ? "unknown" : cause.getMessage()) + ")";
    }

    /**
     * The server context of {@code listenerName}.
     *
     * @throws ConfigException when a required key is missing or its material cannot be used
     */
    public static SslContext serverContext(BrokerConfig config, String listenerName) {
        String keyStoreType = upper(config.listenerString(listenerName, SecurityConfigs.SSL_KEYSTORE_TYPE));
        SslContextBuilder b = keyStoreType.equals("PEM")
                ? pemKeyStore(config, listenerName)
                : SslContextBuilder.forServer(keyManagers(config, listenerName, keyStoreType));
        trustStore(config, listenerName, b);
        b.sslProvider(provider());
        b.clientAuth(clientAuth(config.listenerString(listenerName, SecurityConfigs.SSL_CLIENT_AUTH)));
        List<String> protocols = config.listenerList(listenerName, SecurityConfigs.SSL_ENABLED_PROTOCOLS);
        if (!protocols.isEmpty()) {
            b.protocols(protocols);
        }
        List<String> ciphers = config.listenerList(listenerName, SecurityConfigs.SSL_CIPHER_SUITES);
        if (!ciphers.isEmpty()) {
            b.ciphers(ciphers);
        }
        try {
            return b.build();
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(
                    key(listenerName, SecurityConfigs.SSL_KEYSTORE_LOCATION),
                    config.listenerString(listenerName, SecurityConfigs.SSL_KEYSTORE_LOCATION),
                    "cannot build the TLS context of listener " + listenerName + ": " + e.getMessage());
        }
    }

    static ClientAuth clientAuth(String value) {
        switch (value == null ? "none" : value.toLowerCase(Locale.ROOT)) {
            case "required":
                return ClientAuth.REQUIRE;
            case "requested":
                return ClientAuth.OPTIONAL;
            default:
                return ClientAuth.NONE;
        }
    }

    private static SslContextBuilder pemKeyStore(BrokerConfig config, String listener) {
        String location = config.listenerString(listener, SecurityConfigs.SSL_KEYSTORE_LOCATION);
        String inlineKey = config.listenerString(listener, SecurityConfigs.SSL_KEYSTORE_KEY);
        String inlineChain = config.listenerString(listener, SecurityConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN);
        String keyPassword = config.listenerString(listener, SecurityConfigs.SSL_KEY_PASSWORD);
        byte[] key;
        byte[] chain;
        if (inlineKey != null || inlineChain != null) {
            if (inlineKey == null || inlineChain == null) {
                String missing = inlineKey == null
                        ? SecurityConfigs.SSL_KEYSTORE_KEY
                        : SecurityConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN;
                throw new ConfigException(
                        key(listener, missing), null, "an inline PEM key store needs both the key and the chain");
            }
            key = inlineKey.getBytes(StandardCharsets.US_ASCII);
            chain = inlineChain.getBytes(StandardCharsets.US_ASCII);
        } else {
            key = read(listener, SecurityConfigs.SSL_KEYSTORE_LOCATION, location, "a TLS listener needs a key store");
            chain = key;
        }
        try (InputStream c = new ByteArrayInputStream(chain);
                InputStream k = new ByteArrayInputStream(key)) {
            return SslContextBuilder.forServer(c, k, keyPassword);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(
                    key(
                            listener,
                            location != null
                                    ? SecurityConfigs.SSL_KEYSTORE_LOCATION
                                    : SecurityConfigs.SSL_KEYSTORE_KEY),
                    location,
                    "cannot read the PEM private key and certificate chain: " + e.getMessage());
        }
    }

    private static KeyManagerFactory keyManagers(BrokerConfig config, String listener, String type) {
        String location = config.listenerString(listener, SecurityConfigs.SSL_KEYSTORE_LOCATION);
        String password = config.listenerString(listener, SecurityConfigs.SSL_KEYSTORE_PASSWORD);
        String keyPassword = config.listenerString(listener, SecurityConfigs.SSL_KEY_PASSWORD);
        byte[] bytes =
                read(listener, SecurityConfigs.SSL_KEYSTORE_LOCATION, location, "a TLS listener needs a key store");
        try {
            KeyStore ks = KeyStore.getInstance(type);
            ks.load(new ByteArrayInputStream(bytes), password == null ? null : password.toCharArray());
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(
                    config.listenerString(listener, SecurityConfigs.SSL_KEYMANAGER_ALGORITHM));
            String pass = keyPassword != null ? keyPassword : password;
            kmf.init(ks, pass == null ? new char[0] : pass.toCharArray());
            return kmf;
        } catch (GeneralSecurityException | IOException e) {
            throw new ConfigException(
                    key(listener, SecurityConfigs.SSL_KEYSTORE_LOCATION),
                    location,
                    "cannot load the " + type + " key store (wrong type or password?): " + e.getMessage());
        }
    }

    private static void trustStore(BrokerConfig config, String listener, SslContextBuilder b) {
        String type = upper(config.listenerString(listener, SecurityConfigs.SSL_TRUSTSTORE_TYPE));
        String location = config.listenerString(listener, SecurityConfigs.SSL_TRUSTSTORE_LOCATION);
        String inline = config.listenerString(listener, SecurityConfigs.SSL_TRUSTSTORE_CERTIFICATES);
        if (location == null && inline == null) {
            return; // the JDK's default trust anchors, as Kafka uses
        }
        if (type.equals("PEM")) {
            byte[] pem = inline != null
                    ? inline.getBytes(StandardCharsets.US_ASCII)
                    : read(listener, SecurityConfigs.SSL_TRUSTSTORE_LOCATION, location, "");
            try (InputStream in = new ByteArrayInputStream(pem)) {
                b.trustManager(in);
            } catch (IOException | RuntimeException e) {
                throw new ConfigException(
                        key(listener, SecurityConfigs.SSL_TRUSTSTORE_LOCATION),
                        location,
                        "cannot read the PEM trusted certificates: " + e.getMessage());
            }
            return;
        }
        String password = config.listenerString(listener, SecurityConfigs.SSL_TRUSTSTORE_PASSWORD);
        byte[] bytes = read(listener, SecurityConfigs.SSL_TRUSTSTORE_LOCATION, location, "");
        try {
            KeyStore ts = KeyStore.getInstance(type);
            ts.load(new ByteArrayInputStream(bytes), password == null ? null : password.toCharArray());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(
                    config.listenerString(listener, SecurityConfigs.SSL_TRUSTMANAGER_ALGORITHM));
            tmf.init(ts);
            b.trustManager(tmf);
        } catch (GeneralSecurityException | IOException e) {
            throw new ConfigException(
                    key(listener, SecurityConfigs.SSL_TRUSTSTORE_LOCATION),
                    location,
                    "cannot load the " + type + " trust store (wrong type or password?): " + e.getMessage());
        }
    }

    private static byte[] read(String listener, String key, String location, String whenMissing) {
        if (location == null || location.isBlank()) {
            throw new ConfigException(
                    key(listener, key), null, whenMissing + "; set " + key + " (or " + key(listener, key) + ")");
        }
        try {
            return Files.readAllBytes(Path.of(location));
        } catch (IOException e) {
            throw new ConfigException(key(listener, key), location, "cannot read the file: " + e);
        }
    }

    private static String key(String listener, String key) {
        return SecurityConfigs.listenerKey(listener, key);
    }

    private static String upper(String s) {
        return s == null ? "JKS" : s.toUpperCase(Locale.ROOT);
    }

    static void logProvider(String listener) {
        LOG.info("TLS on listener {} uses {}", listener, providerDescription());
    }
}
