package io.skiff.broker.config;

import static io.skiff.broker.config.ConfigDef.Type.INT;
import static io.skiff.broker.config.ConfigDef.Type.LIST;
import static io.skiff.broker.config.ConfigDef.Type.LONG;
import static io.skiff.broker.config.ConfigDef.Type.PASSWORD;
import static io.skiff.broker.config.ConfigDef.Type.STRING;
import static io.skiff.broker.config.ConfigDef.atLeast;
import static io.skiff.broker.config.ConfigDef.oneOf;

import java.util.Locale;

/**
 * Apache Kafka 4.3.1's TLS and SASL keys that Skiff honours, with Kafka's defaults. Each may also be
 * given for one listener as {@code listener.name.<listener>.<key>} ({@link BrokerConfig#listenerValue});
 * the JAAS configuration of a SASL mechanism only so
 * ({@code listener.name.<listener>.<mechanism>.sasl.jaas.config}, {@link #jaasConfigKey}). Stateless.
 */
public final class SecurityConfigs {
    public static final String SSL_PROTOCOL = "ssl.protocol";
    public static final String SSL_ENABLED_PROTOCOLS = "ssl.enabled.protocols";
    public static final String SSL_CIPHER_SUITES = "ssl.cipher.suites";
    public static final String SSL_KEYSTORE_TYPE = "ssl.keystore.type";
    public static final String SSL_KEYSTORE_LOCATION = "ssl.keystore.location";
    public static final String SSL_KEYSTORE_PASSWORD = "ssl.keystore.password";
    public static final String SSL_KEY_PASSWORD = "ssl.key.password";
    public static final String SSL_KEYSTORE_KEY = "ssl.keystore.key";
    public static final String SSL_KEYSTORE_CERTIFICATE_CHAIN = "ssl.keystore.certificate.chain";
    public static final String SSL_TRUSTSTORE_TYPE = "ssl.truststore.type";
    public static final String SSL_TRUSTSTORE_LOCATION = "ssl.truststore.location";
    public static final String SSL_TRUSTSTORE_PASSWORD = "ssl.truststore.password";
    public static final String SSL_TRUSTSTORE_CERTIFICATES = "ssl.truststore.certificates";
    public static final String SSL_CLIENT_AUTH = "ssl.client.auth";
    public static final String SSL_ENDPOINT_IDENTIFICATION_ALGORITHM = "ssl.endpoint.identification.algorithm";
    public static final String SSL_PRINCIPAL_MAPPING_RULES = "ssl.principal.mapping.rules";
    public static final String SSL_KEYMANAGER_ALGORITHM = "ssl.keymanager.algorithm";
    public static final String SSL_TRUSTMANAGER_ALGORITHM = "ssl.trustmanager.algorithm";
    public static final String SASL_ENABLED_MECHANISMS = "sasl.enabled.mechanisms";
    public static final String SASL_SERVER_MAX_RECEIVE_SIZE = "sasl.server.max.receive.size";
    public static final String CONNECTIONS_MAX_REAUTH_MS = "connections.max.reauth.ms";
    public static final String CONNECTION_FAILED_AUTHENTICATION_DELAY_MS = "connection.failed.authentication.delay.ms";

    /** The prefix of every per-listener key. */
    public static final String LISTENER_PREFIX = "listener.name.";

    private SecurityConfigs() {}

    /** Adds the keys to {@code def}; returns it. */
    static ConfigDef define(ConfigDef def) {
        return def.define(SSL_PROTOCOL, STRING, "TLSv1.3", "The TLS protocol of the SSL context.")
                .define(SSL_ENABLED_PROTOCOLS, LIST, "TLSv1.2,TLSv1.3", "TLS protocols a listener accepts.")
                .define(SSL_CIPHER_SUITES, LIST, "", "Cipher suites a listener accepts; empty for the defaults.")
                .define(SSL_KEYSTORE_TYPE, STRING, "JKS", oneOf("JKS", "PKCS12", "PEM"), "Key store format.")
                .define(SSL_KEYSTORE_LOCATION, STRING, null, "Key store file.")
                .define(SSL_KEYSTORE_PASSWORD, PASSWORD, null, "Key store password.")
                .define(SSL_KEY_PASSWORD, PASSWORD, null, "Password of the private key.")
                .define(SSL_KEYSTORE_KEY, PASSWORD, null, "PEM private key given inline.")
                .define(SSL_KEYSTORE_CERTIFICATE_CHAIN, PASSWORD, null, "PEM certificate chain given inline.")
                .define(SSL_TRUSTSTORE_TYPE, STRING, "JKS", oneOf("JKS", "PKCS12", "PEM"), "Trust store format.")
                .define(SSL_TRUSTSTORE_LOCATION, STRING, null, "Trust store file.")
                .define(SSL_TRUSTSTORE_PASSWORD, PASSWORD, null, "Trust store password.")
                .define(SSL_TRUSTSTORE_CERTIFICATES, PASSWORD, null, "PEM trusted certificates given inline.")
                .define(
                        SSL_CLIENT_AUTH,
                        STRING,
                        "none",
                        oneOf("none", "requested", "required"),
                        "Whether clients present certificates.")
                .define(
                        SSL_ENDPOINT_IDENTIFICATION_ALGORITHM,
                        STRING,
                        "https",
                        "Host name verification of servers this node connects to.")
                .define(SSL_PRINCIPAL_MAPPING_RULES, STRING, "DEFAULT", "Client certificate name to principal.")
                .define(SSL_KEYMANAGER_ALGORITHM, STRING, "SunX509", "Key manager factory algorithm.")
                .define(SSL_TRUSTMANAGER_ALGORITHM, STRING, "PKIX", "Trust manager factory algorithm.")
                .define(SASL_ENABLED_MECHANISMS, LIST, "GSSAPI", "SASL mechanisms a SASL listener offers.")
                .define(SASL_SERVER_MAX_RECEIVE_SIZE, INT, "524288", atLeast(1), "Largest SASL token accepted.")
                .define(CONNECTIONS_MAX_REAUTH_MS, LONG, "0", atLeast(0), "Sessions re-authenticate within this.")
                .define(
                        CONNECTION_FAILED_AUTHENTICATION_DELAY_MS,
                        INT,
                        "100",
                        atLeast(0),
                        "Delay before a failed authentication closes the connection.");
    }

    /** {@code listener.name.<listener>.<key>}, the listener name in lower case as Kafka writes it. */
    public static String listenerKey(String listenerName, String key) {
        return LISTENER_PREFIX + listenerName.toLowerCase(Locale.ROOT) + "." + key;
    }

    /** {@code listener.name.<listener>.<mechanism>.sasl.jaas.config}, both names in lower case. */
    public static String jaasConfigKey(String listenerName, String mechanism) {
        return listenerKey(listenerName, mechanism.toLowerCase(Locale.ROOT) + ".sasl.jaas.config");
    }
}
