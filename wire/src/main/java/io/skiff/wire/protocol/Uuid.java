package io.skiff.wire.protocol;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A 128-bit id as the protocol uses for topics, directories and clusters; printed, like Kafka
 * does, in URL-safe base64 without padding. Immutable.
 */
public final class Uuid implements Comparable<Uuid> {
    /** The all-zero id, the default of every uuid field. */
    public static final Uuid ZERO = new Uuid(0L, 0L);
    /** Kafka's id for metadata topic records, reserved (never handed out). */
    public static final Uuid METADATA_TOPIC_ID = new Uuid(0L, 1L);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final long mostSignificantBits;
    private final long leastSignificantBits;

    public Uuid(long mostSignificantBits, long leastSignificantBits) {
        this.mostSignificantBits = mostSignificantBits;
        this.leastSignificantBits = leastSignificantBits;
    }

    /**
     * A random id that is neither reserved nor starts with '-' in its printed form (so that
     * command-line tools do not take it for an option).
     */
    public static Uuid random() {
        while (true) {
            byte[] b = new byte[16];
            RANDOM.nextBytes(b);
            b[6] &= 0x0f;
            b[6] |= 0x40;
            b[8] &= 0x3f;
            b[8] |= (byte) 0x80;
            ByteBuffer bb = ByteBuffer.wrap(b);
            Uuid id = new Uuid(bb.getLong(), bb.getLong());
            if (!id.equals(ZERO)
                    && !id.equals(METADATA_TOPIC_ID)
                    && !id.toString().startsWith("-")) {
                return id;
            }
        }
    }

    public static Uuid fromString(String s) {
        byte[] b = Base64.getUrlDecoder().decode(s);
        if (b.length != 16) {
            throw new IllegalArgumentException("a uuid has 16 bytes, not " + b.length + ": " + s);
        }
        ByteBuffer bb = ByteBuffer.wrap(b);
        return new Uuid(bb.getLong(), bb.getLong());
    }

    public long mostSignificantBits() {
        return mostSignificantBits;
    }

    public long leastSignificantBits() {
        return leastSignificantBits;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Uuid)) {
            return false;
        }
        Uuid other = (Uuid) o;
        return mostSignificantBits == other.mostSignificantBits && leastSignificantBits == other.leastSignificantBits;
    }

    @Override
    public int hashCode() {
        long x = mostSignificantBits ^ leastSignificantBits;
        return (int) (x >> 32) ^ (int) x;
    }

    @Override
    public int compareTo(Uuid o) {
        int c = Long.compare(mostSignificantBits, o.mostSignificantBits);
        return c != 0 ? c : Long.compare(leastSignificantBits, o.leastSignificantBits);
    }

    @Override
    public String toString() {
        ByteBuffer bb = ByteBuffer.allocate(16);
        bb.putLong(mostSignificantBits).putLong(leastSignificantBits);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bb.array());
    }
}
