package io.skiff.broker.network;

import java.util.Locale;

/**
 * The security protocol of a listener, as {@code listener.security.protocol.map} names it:
 * whether the connection is encrypted (TLS) and whether clients authenticate with SASL before
 * anything else. Only PLAINTEXT listeners can be configured today.
 */
public enum SecurityProtocol {
    PLAINTEXT(false, false),
    SSL(true, false),
    SASL_PLAINTEXT(false, true),
    SASL_SSL(true, true);

    /** Whether the listener speaks TLS. */
    public final boolean usesTls;
    /** Whether a SASL exchange must succeed before requests other than the SASL ones are served. */
    public final boolean usesSasl;

    SecurityProtocol(boolean usesTls, boolean usesSasl) {
        this.usesTls = usesTls;
        this.usesSasl = usesSasl;
    }

    /** The protocol of that name (case-insensitive), as written in the configuration. */
    public static SecurityProtocol forName(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown security protocol " + name, e);
        }
    }
}
