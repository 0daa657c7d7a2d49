package io.skiff.coordinator.runtime;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.skiff.wire.protocol.Message;
import java.util.List;
import java.util.Objects;

/**
 * One record of a coordinator partition, in Apache Kafka's coordinator record format:
 *
 * <pre>
 * key   = int16 record type (the key schema's version, which Kafka uses as the type) | key struct at version 0
 * value = int16 value version | value struct at that version      (null value: a tombstone)
 * </pre>
 *
 * The key and value are generated messages; {@link #keyBytes()} and {@link #valueBytes()}
 * serialize them into fresh heap arrays that the caller owns. Instances are immutable once built
 * and the messages they hold must not be changed afterwards.
 */
public final class CoordinatorRecord {
    private final short type;
    private final Message key;
    private final short valueVersion;
    private final Message value;

    private CoordinatorRecord(short type, Message key, short valueVersion, Message value) {
        this.type = type;
        this.key = Objects.requireNonNull(key, "key");
        this.valueVersion = valueVersion;
        this.value = value;
    }

    /** A record with a value. */
    public static CoordinatorRecord of(short type, Message key, short valueVersion, Message value) {
        return new CoordinatorRecord(type, key, valueVersion, Objects.requireNonNull(value, "value"));
    }

    /** A tombstone: the key with a null value, which deletes the key's state. */
    public static CoordinatorRecord tombstone(short type, Message key) {
        return new CoordinatorRecord(type, key, (short) -1, null);
    }

    /** The record type; also the version prefix of the serialized key. */
    public short type() {
        return type;
    }

    public Message key() {
        return key;
    }

    /** The value, or null for a tombstone. */
    public Message value() {
        return value;
    }

    public short valueVersion() {
        return valueVersion;
    }

    public boolean isTombstone() {
        return value == null;
    }

    /** The serialized key; a new array owned by the caller. */
    public byte[] keyBytes() {
        return serialize(type, key, (short) 0);
    }

    /** The serialized value, or null for a tombstone; a new array owned by the caller. */
    public byte[] valueBytes() {
        return value == null ? null : serialize(valueVersion, value, valueVersion);
    }

    /** Record batch overhead: the v2 batch header. */
    private static final int BATCH_HEADER_SIZE_IN_BYTES = 61;
    /** Upper bound of a v2 record's framing (length, attributes, deltas, lengths, header count). */
    private static final int RECORD_OVERHEAD_SIZE_IN_BYTES = 21;

    /** The serialized size of the key plus value, without record framing. */
    public int sizeInBytes() {
        return 2 + key.size((short) 0) + (value == null ? 0 : 2 + value.size(valueVersion));
    }

    /** An upper bound of the size of one record batch holding {@code records}. */
    public static long estimatedBatchSizeInBytes(List<CoordinatorRecord> records) {
        long size = BATCH_HEADER_SIZE_IN_BYTES;
        for (CoordinatorRecord r : records) {
            size += RECORD_OVERHEAD_SIZE_IN_BYTES + r.sizeInBytes();
        }
        return size;
    }

    private static byte[] serialize(short prefix, Message message, short version) {
        int size = 2 + message.size(version);
        byte[] bytes = new byte[size];
        ByteBuf buf = Unpooled.wrappedBuffer(bytes).writerIndex(0);
        try {
            buf.writeShort(prefix);
            message.write(buf, version);
            if (buf.writerIndex() != size) {
                throw new IllegalStateException(
                        "size mismatch writing " + message.getClass().getSimpleName());
            }
        } finally {
            buf.release();
        }
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CoordinatorRecord)) {
            return false;
        }
        CoordinatorRecord r = (CoordinatorRecord) o;
        return type == r.type && valueVersion == r.valueVersion && key.equals(r.key) && Objects.equals(value, r.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, key, valueVersion, value);
    }

    @Override
    public String toString() {
        return "CoordinatorRecord(type=" + type + ", key=" + key + ", value="
                + (value == null ? "<tombstone>" : "v" + valueVersion + " " + value) + ")";
    }
}
