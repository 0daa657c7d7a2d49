package io.skiff.wire.compress;

/**
 * Layout of snappy-compressed Kafka payloads: the stream framing of snappy-java (xerial), which
 * Java clients write. All integers are big-endian.
 *
 * <pre>
 *  +------+-----+-----+-----+-----+-----+-----+------+
 *  | 0x82 | 'S' | 'N' | 'A' | 'P' | 'P' | 'Y' | 0x00 |   magic, 8 bytes
 *  +------+-----+-----+-----+-----+-----+-----+------+
 *  |        version (int32)   | compatible version (int32) |
 *  +--------------------------+----------------------------+
 *  | chunk length (int32) | snappy block of that length ... |   repeated
 *  +----------------------+---------------------------------+
 * </pre>
 *
 * Each chunk is an independent raw snappy block, which starts with its decompressed length as a
 * varint. A header may appear again at a chunk boundary (concatenated streams). A payload that
 * does not start with the magic (or is shorter than the header) is one raw snappy block, as
 * some non-Java clients write it.
 */
public final class SnappyFramingDescriptor {
    public static final int MAGIC_OFFSET = 0;
    public static final int MAGIC_LENGTH = 8;
    public static final int VERSION_OFFSET = MAGIC_OFFSET + MAGIC_LENGTH;
    public static final int VERSION_LENGTH = 4;
    public static final int COMPATIBLE_VERSION_OFFSET = VERSION_OFFSET + VERSION_LENGTH;
    public static final int COMPATIBLE_VERSION_LENGTH = 4;
    public static final int HEADER_LENGTH = COMPATIBLE_VERSION_OFFSET + COMPATIBLE_VERSION_LENGTH;

    public static final int CHUNK_LENGTH_LENGTH = 4;

    /** The first 4 bytes of the magic as a big-endian int32 (negative: never a chunk length). */
    public static final int MAGIC_HEAD = 0x82534E41;
    /** The last 4 bytes of the magic as a big-endian int32: "PPY\0". */
    public static final int MAGIC_TAIL = 0x50505900;
    /** The oldest stream version snappy-java reads. */
    public static final int MIN_VERSION = 1;

    /**
     * A snappy block decompresses to at most about 21 times its size (a 3-byte copy yields 64
     * bytes); a block that declares more than this many times its size is not snappy data.
     */
    public static final int MAX_EXPANSION = 32;

    private SnappyFramingDescriptor() {}
}
