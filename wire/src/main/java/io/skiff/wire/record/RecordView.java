package io.skiff.wire.record;

import io.netty.buffer.ByteBuf;

/**
 * A flyweight over one record inside a batch (layout in {@link RecordBatchDescriptor}). {@link
 * #parse} checks the record's structure as a consumer would read it (every length within the
 * record, the record's own length equal to what its fields take) and remembers where the key
 * and value are, without copying them. Borrows the buffer it parses. Not thread-safe.
 */
public final class RecordView {
    /** Why the last {@link #parse} failed; null after a success. */
    private String failure;

    private ByteBuf buf;
    private int totalSize;
    private int attributes;
    private long timestampDelta;
    private int offsetDelta;
    private int keyOffset;
    private int keyLength;
    private int valueOffset;
    private int valueLength;
    private int headerCount;

    // Scratch for varint reads: the position after the last value read.
    private int cursor;

    /**
     * Parses the record starting at absolute index {@code start}, which may not extend past
     * {@code limit}. Returns the record's whole size (length varint included), or -1 when the bytes
     * are not a well-formed record ({@link #failure()} then says why).
     */
    public int parse(ByteBuf buf, int start, int limit) {
        this.buf = buf;
        this.failure = null;
        cursor = start;
        int bodyLength = varint(limit);
        if (failure != null) {
            return -1;
        }
        int bodyStart = cursor;
        if (bodyLength < 0 || bodyLength > limit - bodyStart) {
            return fail("Invalid record size: expected " + bodyLength
                    + " bytes in record payload, but instead the buffer has only " + (limit - bodyStart)
                    + " remaining bytes.");
        }
        int bodyEnd = bodyStart + bodyLength;
        if (cursor >= bodyEnd) {
            return fail("Found invalid record structure");
        }
        attributes = buf.getByte(cursor++);
        timestampDelta = varlong(bodyEnd);
        offsetDelta = varint(bodyEnd);
        keyLength = varint(bodyEnd);
        if (failure != null) {
            return -1;
        }
        keyOffset = cursor;
        if (keyLength >= 0) {
            if (keyLength > bodyEnd - cursor) {
                return fail("Found invalid record structure");
            }
            cursor += keyLength;
        }
        valueLength = varint(bodyEnd);
        if (failure != null) {
            return -1;
        }
        valueOffset = cursor;
        if (valueLength >= 0) {
            if (valueLength > bodyEnd - cursor) {
                return fail("Found invalid record structure");
            }
            cursor += valueLength;
        }
        headerCount = varint(bodyEnd);
        if (failure != null) {
            return -1;
        }
        if (headerCount < 0) {
            return fail("Found invalid number of record headers " + headerCount);
        }
        for (int i = 0; i < headerCount; i++) {
            int headerKeyLength = varint(bodyEnd);
            if (failure != null) {
                return -1;
            }
            if (headerKeyLength < 0) {
                return fail("Invalid negative header key size " + headerKeyLength);
            }
            if (headerKeyLength > bodyEnd - cursor) {
                return fail("Found invalid record structure");
            }
            cursor += headerKeyLength;
            int headerValueLength = varint(bodyEnd);
            if (failure != null) {
                return -1;
            }
            if (headerValueLength >= 0) {
                if (headerValueLength > bodyEnd - cursor) {
                    return fail("Found invalid record structure");
                }
                cursor += headerValueLength;
            }
        }
        if (cursor != bodyEnd) {
            return fail("Invalid record size: expected to read " + bodyLength
                    + " bytes in record payload, but instead read " + (cursor - bodyStart));
        }
        totalSize = bodyEnd - start;
        return totalSize;
    }

    private int fail(String why) {
        failure = why;
        return -1;
    }

    private int varint(int limit) {
        int raw = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (cursor >= limit) {
                failure = "Found invalid record structure";
                return 0;
            }
            byte b = buf.getByte(cursor++);
            raw |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        failure = "Found invalid record structure (varint longer than 5 bytes)";
        return 0;
    }

    private long varlong(int limit) {
        long raw = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (cursor >= limit) {
                failure = "Found invalid record structure";
                return 0;
            }
            byte b = buf.getByte(cursor++);
            raw |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        failure = "Found invalid record structure (varlong longer than 10 bytes)";
        return 0;
    }

    public String failure() {
        return failure;
    }

    /**
     * Fills this view from a record read off a stream (a compressed batch), whose bytes are not
     * kept: {@link #buffer()} is then null and the key and value offsets are -1.
     */
    void setStreamed(
            int totalSize,
            int attributes,
            long timestampDelta,
            int offsetDelta,
            int keyLength,
            int valueLength,
            int headerCount) {
        this.buf = null;
        this.failure = null;
        this.totalSize = totalSize;
        this.attributes = attributes;
        this.timestampDelta = timestampDelta;
        this.offsetDelta = offsetDelta;
        this.keyLength = keyLength;
        this.keyOffset = -1;
        this.valueLength = valueLength;
        this.valueOffset = -1;
        this.headerCount = headerCount;
    }

    /** The record's size including its length varint. */
    public int sizeInBytes() {
        return totalSize;
    }

    public int attributes() {
        return attributes;
    }

    public long timestampDelta() {
        return timestampDelta;
    }

    public int offsetDelta() {
        return offsetDelta;
    }

    public boolean hasKey() {
        return keyLength >= 0;
    }

    /** Key length, or -1 for a null key. */
    public int keyLength() {
        return keyLength;
    }

    /** Absolute index of the key's first byte in the parsed buffer. */
    public int keyOffset() {
        return keyOffset;
    }

    /** Value length, or -1 for a null value. */
    public int valueLength() {
        return valueLength;
    }

    /** Absolute index of the value's first byte in the parsed buffer. */
    public int valueOffset() {
        return valueOffset;
    }

    public int headerCount() {
        return headerCount;
    }

    /** The buffer last parsed (borrowed). */
    public ByteBuf buffer() {
        return buf;
    }
}
