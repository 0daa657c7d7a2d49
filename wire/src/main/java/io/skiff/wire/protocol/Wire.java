package io.skiff.wire.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.ReferenceCountUtil;
import io.skiff.wire.record.ByteBufRecords;
import io.skiff.wire.record.Records;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The primitive encodings of the Kafka protocol, shared by the generated message classes:
 * varints, classic and compact strings, bytes, arrays and records, and raw tagged fields.
 * Every length read from a buffer is checked against the bytes that remain before anything is
 * allocated. All methods borrow the buffers they are given. Stateless and thread-safe.
 */
public final class Wire {
    public static final byte[] EMPTY_BYTES = new byte[0];
    /** Longest string the protocol can carry (its classic length prefix is an int16). */
    public static final int MAX_STRING_LENGTH = Short.MAX_VALUE;

    private Wire() {}

    // ---------------------------------------------------------------------------------------------
    // varints

    public static int readUnsignedVarint(ByteBuf buf) {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            byte b = buf.readByte();
            value |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new MessageParseException("varint is longer than 5 bytes");
    }

    public static void writeUnsignedVarint(ByteBuf buf, int value) {
        while ((value & 0xffffff80) != 0) {
            buf.writeByte((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        buf.writeByte(value);
    }

    public static int sizeOfUnsignedVarint(int value) {
        // 1 byte per 7 significant bits, at least 1.
        int bits = 32 - Integer.numberOfLeadingZeros(value);
        return bits == 0 ? 1 : (bits + 6) / 7;
    }

    /** Zig-zag signed varint, as used inside records. */
    public static int readVarint(ByteBuf buf) {
        int raw = readUnsignedVarint(buf);
        return (raw >>> 1) ^ -(raw & 1);
    }

    public static void writeVarint(ByteBuf buf, int value) {
        writeUnsignedVarint(buf, (value << 1) ^ (value >> 31));
    }

    public static int sizeOfVarint(int value) {
        return sizeOfUnsignedVarint((value << 1) ^ (value >> 31));
    }

    /** Zig-zag signed varlong, as used inside records. */
    public static long readVarlong(ByteBuf buf) {
        long raw = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            byte b = buf.readByte();
            raw |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw new MessageParseException("varlong is longer than 10 bytes");
    }

    public static void writeVarlong(ByteBuf buf, long value) {
        long v = (value << 1) ^ (value >> 63);
        while ((v & 0xffffffffffffff80L) != 0L) {
            buf.writeByte(((int) v & 0x7f) | 0x80);
            v >>>= 7;
        }
        buf.writeByte((int) v);
    }

    public static int sizeOfVarlong(long value) {
        long v = (value << 1) ^ (value >> 63);
        int bits = 64 - Long.numberOfLeadingZeros(v);
        return bits == 0 ? 1 : (bits + 6) / 7;
    }

    // ---------------------------------------------------------------------------------------------
    // strings

    public static String readString(ByteBuf buf, boolean compact, boolean nullable, String field) {
        int length = compact ? readUnsignedVarint(buf) - 1 : buf.readShort();
        if (length < 0) {
            if (!nullable) {
                throw nullNotAllowed(field);
            }
            return null;
        }
        if (length > MAX_STRING_LENGTH) {
            throw new MessageParseException("string field " + field + " had invalid length " + length);
        }
        checkRemaining(buf, length, field);
        String s = buf.toString(buf.readerIndex(), length, StandardCharsets.UTF_8);
        buf.skipBytes(length);
        return s;
    }

    public static void writeString(ByteBuf buf, String s, boolean compact, boolean nullable, String field) {
        if (s == null) {
            if (!nullable) {
                throw nullNotAllowed(field);
            }
            if (compact) {
                buf.writeByte(0);
            } else {
                buf.writeShort(-1);
            }
            return;
        }
        int length = ByteBufUtil.utf8Bytes(s);
        if (length > MAX_STRING_LENGTH) {
            throw new IllegalArgumentException("'" + field + "' field is too long to be serialized");
        }
        if (compact) {
            writeUnsignedVarint(buf, length + 1);
        } else {
            buf.writeShort(length);
        }
        ByteBufUtil.reserveAndWriteUtf8(buf, s, length);
    }

    public static int sizeOfString(String s, boolean compact) {
        if (s == null) {
            return compact ? 1 : 2;
        }
        int length = ByteBufUtil.utf8Bytes(s);
        return (compact ? sizeOfUnsignedVarint(length + 1) : 2) + length;
    }

    // ---------------------------------------------------------------------------------------------
    // bytes and records

    /** Reads the length of a bytes or records field; -1 means null. */
    private static int readBytesLength(ByteBuf buf, boolean compact, boolean nullable, String field) {
        int length = compact ? readUnsignedVarint(buf) - 1 : buf.readInt();
        if (length < 0) {
            if (!nullable) {
                throw nullNotAllowed(field);
            }
            return -1;
        }
        checkRemaining(buf, length, field);
        return length;
    }

    public static byte[] readBytes(ByteBuf buf, boolean compact, boolean nullable, String field) {
        int length = readBytesLength(buf, compact, nullable, field);
        if (length < 0) {
            return null;
        }
        byte[] out = new byte[length];
        buf.readBytes(out);
        return out;
    }

    private static void writeBytesLength(ByteBuf buf, int length, boolean compact) {
        if (compact) {
            writeUnsignedVarint(buf, length + 1);
        } else {
            buf.writeInt(length);
        }
    }

    private static int sizeOfBytesLength(int length, boolean compact) {
        return compact ? sizeOfUnsignedVarint(length + 1) : 4;
    }

    public static void writeBytes(ByteBuf buf, byte[] b, boolean compact, boolean nullable, String field) {
        if (b == null) {
            if (!nullable) {
                throw nullNotAllowed(field);
            }
            writeBytesLength(buf, -1, compact);
            return;
        }
        writeBytesLength(buf, b.length, compact);
        buf.writeBytes(b);
    }

    public static int sizeOfBytes(byte[] b, boolean compact) {
        return b == null ? sizeOfBytesLength(-1, compact) : sizeOfBytesLength(b.length, compact) + b.length;
    }

    /** Reads a records field as a retained slice of {@code buf}: the caller owns the result. */
    public static Records readRecords(ByteBuf buf, boolean compact, boolean nullable, String field) {
        int length = readBytesLength(buf, compact, nullable, field);
        if (length < 0) {
            return null;
        }
        return new ByteBufRecords(buf.readRetainedSlice(length));
    }

    public static void writeRecords(
            ByteBuf buf, Records records, boolean compact, boolean nullable, String field, RecordsSink sink) {
        if (records == null) {
            if (!nullable) {
                throw nullNotAllowed(field);
            }
            writeBytesLength(buf, -1, compact);
            return;
        }
        writeBytesLength(buf, records.sizeInBytes(), compact);
        if (sink != null) {
            sink.records(buf, records);
        } else {
            records.copyTo(buf);
        }
    }

    public static int sizeOfRecords(Records records, boolean compact) {
        return records == null
                ? sizeOfBytesLength(-1, compact)
                : sizeOfBytesLength(records.sizeInBytes(), compact) + records.sizeInBytes();
    }

    /** Releases {@code records} if it holds a reference-counted buffer. */
    public static void release(Records records) {
        if (records != null) {
            ReferenceCountUtil.release(records);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // arrays, structs, uuids

    /** Reads an array length; -1 means null. The count is checked against the bytes that remain. */
    public static int readArrayLength(ByteBuf buf, boolean compact, String field) {
        int length = compact ? readUnsignedVarint(buf) - 1 : buf.readInt();
        if (length < 0) {
            return -1;
        }
        if (length > buf.readableBytes()) {
            throw new MessageParseException("array field " + field + " claims " + length + " elements but only "
                    + buf.readableBytes() + " bytes remain");
        }
        return length;
    }

    public static void writeArrayLength(ByteBuf buf, int length, boolean compact, boolean nullable, String field) {
        if (length < 0 && !nullable) {
            throw nullNotAllowed(field);
        }
        if (compact) {
            writeUnsignedVarint(buf, length + 1);
        } else {
            buf.writeInt(length);
        }
    }

    public static int sizeOfArrayLength(int length, boolean compact) {
        return compact ? sizeOfUnsignedVarint(length + 1) : 4;
    }

    /** Reads the presence byte of a nullable struct: false if it is null. */
    public static boolean readPresence(ByteBuf buf, boolean nullable) {
        return !nullable || buf.readByte() >= 0;
    }

    /**
     * Reads the presence of a nullable struct inside a tagged field: an unsigned varint, 0 for
     * null (a struct in place uses a signed byte instead, see {@link #readPresence}).
     */
    public static boolean readTaggedPresence(ByteBuf buf, boolean nullable) {
        return !nullable || readUnsignedVarint(buf) != 0;
    }

    public static Uuid readUuid(ByteBuf buf) {
        long msb = buf.readLong();
        long lsb = buf.readLong();
        return msb == 0L && lsb == 0L ? Uuid.ZERO : new Uuid(msb, lsb);
    }

    public static void writeUuid(ByteBuf buf, Uuid id) {
        Uuid v = id == null ? Uuid.ZERO : id;
        buf.writeLong(v.mostSignificantBits());
        buf.writeLong(v.leastSignificantBits());
    }

    public static <T> T requireNonNull(T value, String field) {
        if (value == null) {
            throw nullNotAllowed(field);
        }
        return value;
    }

    public static MessageParseException nullNotAllowed(String field) {
        return new MessageParseException("non-nullable field " + field + " was null");
    }

    public static void checkRemaining(ByteBuf buf, int length, String field) {
        if (length > buf.readableBytes()) {
            throw new MessageParseException(
                    "field " + field + " claims " + length + " bytes but only " + buf.readableBytes() + " remain");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // tagged fields

    /** Checks that a tagged field of {@code size} bytes fits and returns the reader index where it ends. */
    public static int tagEnd(ByteBuf buf, int size) {
        if (size < 0 || size > buf.readableBytes()) {
            throw new MessageParseException(
                    "tagged field claims " + size + " bytes but only " + buf.readableBytes() + " remain");
        }
        return buf.readerIndex() + size;
    }

    public static void checkTagEnd(ByteBuf buf, int end, int tag) {
        if (buf.readerIndex() != end) {
            throw new MessageParseException(
                    "tagged field " + tag + " was " + (buf.readerIndex() - end) + " bytes off its declared size");
        }
    }

    public static List<RawTaggedField> readRawTag(List<RawTaggedField> list, ByteBuf buf, int tag, int size) {
        byte[] data = new byte[size];
        buf.readBytes(data);
        List<RawTaggedField> out = list == null ? new ArrayList<>(1) : list;
        out.add(new RawTaggedField(tag, data));
        return out;
    }

    /**
     * Writes the raw tagged fields of {@code list}, starting at index {@code from}, whose tag is
     * below {@code limit}; returns the index of the first one not written.
     */
    public static int writeRawTags(ByteBuf buf, List<RawTaggedField> list, int from, int limit) {
        if (list == null) {
            return 0;
        }
        int i = from;
        while (i < list.size() && list.get(i).tag() < limit) {
            RawTaggedField f = list.get(i);
            writeUnsignedVarint(buf, f.tag());
            writeUnsignedVarint(buf, f.data().length);
            buf.writeBytes(f.data());
            i++;
        }
        return i;
    }

    public static int sizeOfRawTags(List<RawTaggedField> list) {
        if (list == null) {
            return 0;
        }
        int size = 0;
        for (int i = 0; i < list.size(); i++) {
            RawTaggedField f = list.get(i);
            size += sizeOfUnsignedVarint(f.tag()) + sizeOfUnsignedVarint(f.data().length) + f.data().length;
        }
        return size;
    }

    /** Equality of two unknown-tag lists, where null and empty are the same. */
    public static boolean rawTagsEqual(List<RawTaggedField> a, List<RawTaggedField> b) {
        boolean aEmpty = a == null || a.isEmpty();
        boolean bEmpty = b == null || b.isEmpty();
        if (aEmpty || bEmpty) {
            return aEmpty == bEmpty;
        }
        return a.equals(b);
    }
}
