package io.skiff.broker.security;

import java.util.Arrays;

/**
 * A stored SCRAM credential (RFC 5802): salt, iteration count, StoredKey = H(ClientKey) and
 * ServerKey, from which the password cannot be recovered. Immutable (its arrays are copied).
 */
public final class ScramCredential {
    private final byte[] salt;
    private final byte[] storedKey;
    private final byte[] serverKey;
    private final int iterations;

    public ScramCredential(byte[] salt, byte[] storedKey, byte[] serverKey, int iterations) {
        this.salt = salt.clone();
        this.storedKey = storedKey.clone();
        this.serverKey = serverKey.clone();
        this.iterations = iterations;
    }

    public byte[] salt() {
        return salt.clone();
    }

    public byte[] storedKey() {
        return storedKey.clone();
    }

    public byte[] serverKey() {
        return serverKey.clone();
    }

    public int iterations() {
        return iterations;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScramCredential c
                && iterations == c.iterations
                && Arrays.equals(salt, c.salt)
                && Arrays.equals(storedKey, c.storedKey)
                && Arrays.equals(serverKey, c.serverKey);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(storedKey) * 31 + iterations;
    }

    @Override
    public String toString() {
        return "ScramCredential(iterations=" + iterations + ")";
    }
}
