package io.skiff.compat;

import java.util.Arrays;

/**
 * A growable big-endian byte buffer with the Kafka protocol's primitive encodings (fixed-width
 * integers, unsigned and zig-zag varints), for the fuzzer, which must be able to write what no
 * message class would (negative lengths, lying counts). Not thread-safe.
 */
final class FuzzBytes {
    private byte[] buf = new byte[64];
    private int size;

    int size() {
        return size;
    }

    byte[] toArray() {
        return Arrays.copyOf(buf, size);
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }

    FuzzBytes i8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
        return this;
    }

    FuzzBytes i16(int v) {
        return i8(v >> 8).i8(v);
    }

    FuzzBytes i32(int v) {
        return i16(v >> 16).i16(v);
    }

    FuzzBytes i64(long v) {
        return i32((int) (v >> 32)).i32((int) v);
    }

    FuzzBytes raw(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
        return this;
    }

    /** An unsigned varint (compact lengths, tags). */
    FuzzBytes uvarint(int v) {
        while ((v & ~0x7F) != 0) {
            i8((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        return i8(v);
    }

    /** A zig-zag varint (record fields). */
    FuzzBytes varint(int v) {
        return uvarint((v << 1) ^ (v >> 31));
    }

    /** A zig-zag varlong (record timestamp deltas). */
    FuzzBytes varlong(long v) {
        long z = (v << 1) ^ (v >> 63);
        while ((z & ~0x7FL) != 0) {
            i8((int) ((z & 0x7F) | 0x80));
            z >>>= 7;
        }
        return i8((int) z);
    }

    /** Overwrites four bytes at {@code offset} (for sizes and checksums computed afterwards). */
    void putI32(int offset, int v) {
        buf[offset] = (byte) (v >> 24);
        buf[offset + 1] = (byte) (v >> 16);
        buf[offset + 2] = (byte) (v >> 8);
        buf[offset + 3] = (byte) v;
    }

    static String hex(byte[] b, int max) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, max); i++) {
            sb.append(Character.forDigit((b[i] >> 4) & 0xF, 16)).append(Character.forDigit(b[i] & 0xF, 16));
        }
        if (b.length > max) {
            sb.append("...(").append(b.length).append(" bytes)");
        }
        return sb.toString();
    }
}
