package io.skiff.wire.compress;

/**
 * Layout of an LZ4 frame (the LZ4 frame format, version 01), as Kafka clients write it into
 * lz4-compressed record batches. All integers are little-endian.
 *
 * <pre>
 *   0       4     5     6                     (6 or 14)
 *  +-------+-----+-----+---------------------+-----+
 *  | magic | FLG | BD  | content size (opt.) | HC  |   frame descriptor
 *  +-------+-----+-----+---------------------+-----+
 *  | block size (uint32) | block data ... | block checksum (opt., uint32) |   repeated
 *  +---------------------+----------------+-------------------------------+
 *  | end mark 0x00000000 | content checksum (opt., uint32) |
 *  +---------------------+---------------------------------+
 * </pre>
 *
 * <ul>
 *   <li>magic: 0x184D2204;</li>
 *   <li>FLG: bits 7-6 version (01), bit 5 block independence, bit 4 block checksums, bit 3 content
 *       size present, bit 2 content checksum, bit 1 reserved (0), bit 0 dictionary id present
 *       (a 4-byte id would follow the content size; Kafka never writes one);</li>
 *   <li>BD: bit 7 reserved (0), bits 6-4 block maximum size (4: 64 KiB, 5: 256 KiB, 6: 1 MiB,
 *       7: 4 MiB), bits 3-0 reserved (0);</li>
 *   <li>HC: the second byte of the xxHash32 (seed 0) of the descriptor from FLG to the byte
 *       before HC;</li>
 *   <li>block size: bit 31 set means the block is stored uncompressed, bits 30-0 the size of the
 *       block data, at most the block maximum size; a size of 0 (bit 31 ignored) is the end
 *       mark;</li>
 *   <li>block checksum: xxHash32 (seed 0) of the block data as stored; content checksum: xxHash32
 *       (seed 0) of all decompressed bytes.</li>
 * </ul>
 */
public final class Lz4FrameDescriptor {
    public static final int MAGIC = 0x184D2204;

    public static final int MAGIC_OFFSET = 0;
    public static final int MAGIC_LENGTH = 4;
    public static final int FLG_OFFSET = MAGIC_OFFSET + MAGIC_LENGTH;
    public static final int FLG_LENGTH = 1;
    public static final int BD_OFFSET = FLG_OFFSET + FLG_LENGTH;
    public static final int BD_LENGTH = 1;
    /** Where the content size is when FLG says it is present; otherwise HC is here. */
    public static final int CONTENT_SIZE_OFFSET = BD_OFFSET + BD_LENGTH;

    public static final int CONTENT_SIZE_LENGTH = 8;
    public static final int HEADER_CHECKSUM_LENGTH = 1;
    /** A frame descriptor without a content size: magic, FLG, BD and HC. */
    public static final int MIN_HEADER_LENGTH = CONTENT_SIZE_OFFSET + HEADER_CHECKSUM_LENGTH;

    public static final int BLOCK_SIZE_LENGTH = 4;
    public static final int BLOCK_CHECKSUM_LENGTH = 4;
    public static final int CONTENT_CHECKSUM_LENGTH = 4;

    public static final int FLG_VERSION_MASK = 0xC0;
    public static final int FLG_VERSION_01 = 0x40;
    public static final int FLG_BLOCK_INDEPENDENCE = 0x20;
    public static final int FLG_BLOCK_CHECKSUM = 0x10;
    public static final int FLG_CONTENT_SIZE = 0x08;
    public static final int FLG_CONTENT_CHECKSUM = 0x04;
    public static final int FLG_RESERVED = 0x02;
    public static final int FLG_DICTIONARY_ID = 0x01;

    public static final int BD_RESERVED_MASK = 0x8F;
    public static final int BD_BLOCK_MAX_SHIFT = 4;
    public static final int BD_BLOCK_MAX_MASK = 0x07;
    public static final int MIN_BLOCK_MAX_ID = 4;

    /** Bit 31 of a block size: the block is stored uncompressed. */
    public static final int BLOCK_UNCOMPRESSED_FLAG = 0x80000000;

    public static final int BLOCK_SIZE_MASK = 0x7FFFFFFF;

    private Lz4FrameDescriptor() {}

    /** The largest block of a frame whose BD names block maximum size {@code id} (4 to 7). */
    public static int blockMaxSize(int id) {
        return 1 << (2 * id + 8);
    }
}
