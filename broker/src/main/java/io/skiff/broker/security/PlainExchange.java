package io.skiff.broker.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

/**
 * SASL/PLAIN (RFC 4616) against the users of a listener's JAAS configuration
 * ({@code user_<name>="<password>"}), with Apache Kafka's messages. Passwords are compared in
 * constant time, and an unknown user costs the same comparison as a wrong password. One instance
 * per exchange; not thread-safe.
 */
final class PlainExchange implements SaslExchange {
    static final String MECHANISM = "PLAIN";
    private static final byte[] NO_SUCH_USER = new byte[32];

    private final Map<String, byte[]> passwords;
    private String user;

    /** @param passwords user name to UTF-8 password */
    PlainExchange(Map<String, byte[]> passwords) {
        this.passwords = passwords;
    }

    @Override
    public String mechanism() {
        return MECHANISM;
    }

    @Override
    public byte[] evaluate(byte[] response) throws SaslFailure {
        String[] tokens = split(new String(response, StandardCharsets.UTF_8));
        if (tokens == null) {
            throw new SaslFailure("Invalid SASL/PLAIN response: expected 3 tokens");
        }
        String authzid = tokens[0];
        String name = tokens[1];
        String password = tokens[2];
        if (name.isEmpty()) {
            throw new SaslFailure("Authentication failed: username not specified");
        }
        if (password.isEmpty()) {
            throw new SaslFailure("Authentication failed: password not specified");
        }
        byte[] expected = passwords.get(name);
        boolean match = MessageDigest.isEqual(
                expected == null ? NO_SUCH_USER : expected, password.getBytes(StandardCharsets.UTF_8));
        if (expected == null || !match) {
            throw new SaslFailure("Authentication failed: Invalid username or password");
        }
        if (!authzid.isEmpty() && !authzid.equals(name)) {
            throw new SaslFailure(
                    "Authentication failed: Client requested an authorization id that is different from username");
        }
        this.user = name;
        return new byte[0];
    }

    /** authzid NUL authcid NUL password, or null when the message does not have three parts. */
    private static String[] split(String message) {
        int first = message.indexOf('\u0000');
        int second = first < 0 ? -1 : message.indexOf('\u0000', first + 1);
        if (second < 0 || message.indexOf('\u0000', second + 1) >= 0) {
            return null;
        }
        return new String[] {
            message.substring(0, first), message.substring(first + 1, second), message.substring(second + 1)
        };
    }

    @Override
    public boolean isComplete() {
        return user != null;
    }

    @Override
    public String authorizationId() {
        return user;
    }
}
