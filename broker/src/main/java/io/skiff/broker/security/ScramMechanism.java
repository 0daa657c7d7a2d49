package io.skiff.broker.security;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The SCRAM mechanisms Kafka offers (RFC 7677), with the type byte AlterUserScramCredentials and
 * DescribeUserScramCredentials use, and the RFC 5802 functions H, HMAC and Hi. Stateless.
 */
public enum ScramMechanism {
    SCRAM_SHA_256("SCRAM-SHA-256", (byte) 1, "SHA-256", "HmacSHA256"),
    SCRAM_SHA_512("SCRAM-SHA-512", (byte) 2, "SHA-512", "HmacSHA512");

    /** Kafka's smallest and largest iteration counts. */
    public static final int MIN_ITERATIONS = 4096;

    public static final int MAX_ITERATIONS = 16384;

    public final String mechanismName;
    /** The protocol's mechanism type. */
    public final byte type;

    private final String hashAlgorithm;
    private final String macAlgorithm;

    ScramMechanism(String mechanismName, byte type, String hashAlgorithm, String macAlgorithm) {
        this.mechanismName = mechanismName;
        this.type = type;
        this.hashAlgorithm = hashAlgorithm;
        this.macAlgorithm = macAlgorithm;
    }

    /** The mechanism of that SASL name, or null. */
    public static ScramMechanism forName(String name) {
        for (ScramMechanism m : values()) {
            if (m.mechanismName.equals(name)) {
                return m;
            }
        }
        return null;
    }

    /** The mechanism of that protocol type, or null. */
    public static ScramMechanism forType(byte type) {
        for (ScramMechanism m : values()) {
            if (m.type == type) {
                return m;
            }
        }
        return null;
    }

    public byte[] hash(byte[] data) {
        try {
            return MessageDigest.getInstance(hashAlgorithm).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(macAlgorithm);
            mac.init(new SecretKeySpec(key, macAlgorithm));
            return mac.doFinal(data);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Hi(password, salt, i) of RFC 5802 (PBKDF2 with this HMAC). */
    public byte[] hi(byte[] password, byte[] salt, int iterations) {
        try {
            Mac mac = Mac.getInstance(macAlgorithm);
            mac.init(new SecretKeySpec(password, macAlgorithm));
            mac.update(salt);
            mac.update(new byte[] {0, 0, 0, 1});
            byte[] u = mac.doFinal();
            byte[] out = u.clone();
            for (int i = 1; i < iterations; i++) {
                u = mac.doFinal(u);
                for (int j = 0; j < out.length; j++) {
                    out[j] ^= u[j];
                }
            }
            return out;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The stored credential of a salted password (what AlterUserScramCredentials sends). */
    public ScramCredential credential(byte[] salt, byte[] saltedPassword, int iterations) {
        byte[] clientKey = hmac(saltedPassword, "Client Key".getBytes(US_ASCII));
        byte[] serverKey = hmac(saltedPassword, "Server Key".getBytes(US_ASCII));
        return new ScramCredential(salt, hash(clientKey), serverKey, iterations);
    }
}
