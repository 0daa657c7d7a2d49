package io.skiff.broker.config;

/**
 * A configuration that cannot be used; the message names the key and the value, except that
 * the value of a secret ({@link ConfigPolicy#isSecret}) is shown as {@value #HIDDEN}.
 * Immutable.
 */
public final class ConfigException extends RuntimeException {
    /** What a secret value is shown as, as Apache Kafka shows passwords. */
    public static final String HIDDEN = "[hidden]";

    private static final long serialVersionUID = 1L;

    private final String key;
    private final String reason;

    /** The value of {@code key} is unusable; it is not shown when {@code key} names a secret. */
    public ConfigException(String key, Object value, String reason) {
        this(key, value, reason, ConfigPolicy.isSecret(key));
    }

    /** As {@link #ConfigException(String, Object, String)}; {@code secret} hides any value. */
    public ConfigException(String key, Object value, String reason, boolean secret) {
        super("Invalid value " + (secret || ConfigPolicy.isSecret(key) ? HIDDEN : value) + " for configuration " + key
                + ": " + reason);
        this.key = key;
        this.reason = reason;
    }

    /** A problem that is not about one key's value (command line, files, directories). */
    public ConfigException(String message) {
        super(message);
        this.key = null;
        this.reason = message;
    }

    /** The key whose value is unusable, or null. */
    public String key() {
        return key;
    }

    /** Why the value cannot be used (the message without the key and the value). */
    public String reason() {
        return reason;
    }
}
