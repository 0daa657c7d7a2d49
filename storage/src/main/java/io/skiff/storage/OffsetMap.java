package io.skiff.storage;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The cleaner's map from record key to the latest offset of that key in the dirty part of a log,
 * in a fixed block of memory (log.cleaner.dedupe.buffer.size divided among the cleaner threads),
 * as Kafka's SkimpyOffsetMap: keys are not stored, only their MD5 hash (16 bytes) next to the
 * offset (8 bytes), in an open-addressing table probed from the hash's own bytes, then linearly.
 * Two keys with the same MD5 hash would be taken for one; Kafka takes the same (negligible) risk.
 * The cleaner stops filling the map at {@link #maxDesiredSize()} entries (a load factor of 0.9,
 * log.cleaner.io.buffer.load.factor) and cleans what it covers; the rest is left for the next pass.
 *
 * <p>Layout of a slot: {@code [hash 16 bytes][offset 8 bytes]}; an all-zero hash marks an empty
 * slot (a real MD5 of all zeros is remapped).
 *
 * <p>Not thread-safe: one map per cleaner thread; {@link #clear} before each use. Borrows the key
 * buffers it is given.
 */
final class OffsetMap {
    static final int HASH_SIZE = 16;
    static final int OFFSET_SIZE = 8;
    static final int BYTES_PER_ENTRY = HASH_SIZE + OFFSET_SIZE;
    static final double DEFAULT_LOAD_FACTOR = 0.9;

    /** The slots; allocated by the first {@link #clear} (a cleaner thread that never cleans holds none). */
    private ByteBuffer bytes;

    private final int slots;
    private final int maxDesiredSize;
    private final MessageDigest digest;
    private final byte[] hash = new byte[HASH_SIZE];
    private final byte[] probe = new byte[HASH_SIZE];
    private byte[] keyScratch = new byte[256];
    private int entries;
    private long latestOffset = -1L;
    private long lookups;
    private long probes;

    /** A map in {@code memoryBytes} of heap (at least one slot), filled up to {@code loadFactor}. */
    OffsetMap(int memoryBytes, double loadFactor) {
        this.slots = Math.max(1, memoryBytes / BYTES_PER_ENTRY);
        this.maxDesiredSize = Math.max(1, (int) (slots * loadFactor));
        try {
            this.digest = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is not available", e);
        }
    }

    /** Number of slots the memory holds. */
    int slots() {
        return slots;
    }

    /** Entries beyond which the cleaner stops adding (slots times the load factor). */
    int maxDesiredSize() {
        return maxDesiredSize;
    }

    /** Keys held. */
    int size() {
        return entries;
    }

    /** The highest offset the map was told about ({@link #updateLatestOffset} or a put), -1 when none. */
    long latestOffset() {
        return latestOffset;
    }

    /** Records that the map covers the log up to {@code offset} (a batch without keys to add). */
    void updateLatestOffset(long offset) {
        latestOffset = Math.max(latestOffset, offset);
    }

    /** Empties the map (allocating its memory the first time). */
    void clear() {
        if (bytes == null) {
            bytes = ByteBuffer.allocate(slots * BYTES_PER_ENTRY);
        } else {
            Arrays.fill(bytes.array(), (byte) 0);
        }
        entries = 0;
        latestOffset = -1L;
        lookups = 0;
        probes = 0;
    }

    /** Fraction of the slots in use. */
    double utilization() {
        return (double) entries / slots;
    }

    /** Average probes per lookup so far (1.0 without collisions). */
    double collisionRate() {
        return lookups == 0 ? 0 : (double) probes / lookups;
    }

    /** Maps the key {@code buf[index, index + length)} to {@code offset}, replacing an earlier one. */
    void put(ByteBuf buf, int index, int length, long offset) {
        hashKey(buf, index, length);
        int slot = findSlot();
        int at = slot * BYTES_PER_ENTRY;
        if (isEmptyAt(at)) {
            bytes.put(at, hash, 0, HASH_SIZE);
            entries++;
        }
        bytes.putLong(at + HASH_SIZE, offset);
        latestOffset = Math.max(latestOffset, offset);
    }

    /** The offset of the key {@code buf[index, index + length)}, or -1 when the map does not hold it. */
    long get(ByteBuf buf, int index, int length) {
        hashKey(buf, index, length);
        int at = findSlot() * BYTES_PER_ENTRY;
        return isEmptyAt(at) ? -1L : bytes.getLong(at + HASH_SIZE);
    }

    /** The slot holding {@link #hash}, or the empty slot where it would go. */
    private int findSlot() {
        lookups++;
        int attempt = 0;
        int slot = positionOf(attempt);
        while (true) {
            probes++;
            int at = slot * BYTES_PER_ENTRY;
            if (isEmptyAt(at) || sameHashAt(at)) {
                return slot;
            }
            attempt++;
            slot = attempt < HASH_SIZE - 3 ? positionOf(attempt) : (slot + 1) % slots;
        }
    }

    /** The slot a probe starts at: four bytes of the hash from {@code attempt} on, as an int. */
    private int positionOf(int attempt) {
        int v = ((hash[attempt] & 0xff) << 24)
                | ((hash[attempt + 1] & 0xff) << 16)
                | ((hash[attempt + 2] & 0xff) << 8)
                | (hash[attempt + 3] & 0xff);
        return (v & 0x7fffffff) % slots;
    }

    private boolean isEmptyAt(int at) {
        return bytes.getLong(at) == 0L && bytes.getLong(at + 8) == 0L;
    }

    private boolean sameHashAt(int at) {
        bytes.get(at, probe, 0, HASH_SIZE);
        return Arrays.equals(probe, hash);
    }

    private void hashKey(ByteBuf buf, int index, int length) {
        if (keyScratch.length < length) {
            keyScratch = new byte[Math.max(length, keyScratch.length * 2)];
        }
        buf.getBytes(index, keyScratch, 0, length);
        digest.update(keyScratch, 0, length);
        try {
            digest.digest(hash, 0, HASH_SIZE);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
        boolean allZero = true;
        for (byte b : hash) {
            if (b != 0) {
                allZero = false;
                break;
            }
        }
        if (allZero) {
            hash[0] = 1;
        }
    }
}
