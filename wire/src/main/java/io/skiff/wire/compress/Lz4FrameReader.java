package io.skiff.wire.compress;

import static io.skiff.wire.compress.Lz4FrameDescriptor.BD_BLOCK_MAX_MASK;
import static io.skiff.wire.compress.Lz4FrameDescriptor.BD_BLOCK_MAX_SHIFT;
import static io.skiff.wire.compress.Lz4FrameDescriptor.BD_OFFSET;
import static io.skiff.wire.compress.Lz4FrameDescriptor.BD_RESERVED_MASK;
import static io.skiff.wire.compress.Lz4FrameDescriptor.BLOCK_CHECKSUM_LENGTH;
import static io.skiff.wire.compress.Lz4FrameDescriptor.BLOCK_SIZE_LENGTH;
import static io.skiff.wire.compress.Lz4FrameDescriptor.BLOCK_SIZE_MASK;
import static io.skiff.wire.compress.Lz4FrameDescriptor.BLOCK_UNCOMPRESSED_FLAG;
import static io.skiff.wire.compress.Lz4FrameDescriptor.CONTENT_CHECKSUM_LENGTH;
import static io.skiff.wire.compress.Lz4FrameDescriptor.CONTENT_SIZE_LENGTH;
import static io.skiff.wire.compress.Lz4FrameDescriptor.CONTENT_SIZE_OFFSET;
import static io.skiff.wire.compress.Lz4FrameDescriptor.FLG_BLOCK_CHECKSUM;
import static io.skiff.wire.compress.Lz4FrameDescriptor.FLG_CONTENT_CHECKSUM;
import static io.skiff.wire.compress.Lz4FrameDescriptor.FLG_CONTENT_SIZE;
import static io.skiff.wire.compress.Lz4FrameDescriptor.FLG_DICTIONARY_ID;
import static io.skiff.wire.compress.Lz4FrameDescriptor.FLG_OFFSET;
import static io.skiff.wire.compress.Lz4FrameDescriptor.FLG_RESERVED;
import static io.skiff.wire.compress.Lz4FrameDescriptor.FLG_VERSION_01;
import static io.skiff.wire.compress.Lz4FrameDescriptor.FLG_VERSION_MASK;
import static io.skiff.wire.compress.Lz4FrameDescriptor.HEADER_CHECKSUM_LENGTH;
import static io.skiff.wire.compress.Lz4FrameDescriptor.MAGIC;
import static io.skiff.wire.compress.Lz4FrameDescriptor.MAGIC_OFFSET;
import static io.skiff.wire.compress.Lz4FrameDescriptor.MIN_BLOCK_MAX_ID;
import static io.skiff.wire.compress.Lz4FrameDescriptor.MIN_HEADER_LENGTH;

import java.io.IOException;
import java.nio.ByteBuffer;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.StreamingXXHash32;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;

/**
 * Reads one LZ4 frame ({@link Lz4FrameDescriptor}) block by block, each block decompressed with
 * lz4-java's safe decompressor straight from the source (its array, or its NIO buffer when it is
 * direct) into one reused buffer; a block stored uncompressed is handed out in place when the
 * source has an array.
 *
 * <p>What is accepted, as Kafka's reader accepts it for magic 2 batches: version 01, reserved
 * bits 0, no dictionary id, a correct header checksum, blocks no larger than the frame's block
 * maximum size, a block size of 0 (with or without bit 31) as the end mark. Blocks are always
 * decompressed independently: a frame whose blocks really refer to earlier blocks fails as
 * corrupt. Unlike Kafka, which skips them, block checksums, the content checksum and the content
 * size are verified when the frame carries them. Bytes after the end of the frame are ignored,
 * as Kafka ignores them. Not thread-safe.
 */
final class Lz4FrameReader extends DecompressingStream {
    private static final LZ4SafeDecompressor DECOMPRESSOR =
            LZ4Factory.fastestInstance().safeDecompressor();
    private static final XXHash32 XXHASH = XXHashFactory.fastestInstance().hash32();
    /** An LZ4 block decompresses to at most 255 times its size (each extra length byte adds 255). */
    private static final long MAX_EXPANSION = 255;

    private static final int MAX_DESCRIPTOR_LENGTH = CONTENT_SIZE_OFFSET + CONTENT_SIZE_LENGTH - FLG_OFFSET;

    private final byte[] descriptor = new byte[MAX_DESCRIPTOR_LENGTH];
    private byte[] out = EMPTY;
    private ByteBuffer outNio;
    private StreamingXXHash32 contentHash;

    private boolean headerRead;
    private boolean frameEnded;
    private boolean blockChecksums;
    private boolean contentChecksum;
    private long contentSize;
    private int blockMaxSize;
    private long frameBytes;

    Lz4FrameReader(long maxDecompressedBytes) {
        super(Codecs.LZ4, maxDecompressedBytes);
    }

    @Override
    void begin() {
        headerRead = false;
        frameEnded = false;
        frameBytes = 0;
    }

    @Override
    boolean decode() throws IOException {
        if (!headerRead) {
            readHeader();
            headerRead = true;
        }
        while (!frameEnded) {
            require(sourcePosition, BLOCK_SIZE_LENGTH, "lz4 block size");
            int word = source.getIntLE(sourcePosition);
            sourcePosition += BLOCK_SIZE_LENGTH;
            int size = word & BLOCK_SIZE_MASK;
            if (size == 0) {
                endFrame();
                return false;
            }
            if (size > blockMaxSize) {
                throw new IOException(
                        "lz4 block of " + size + " bytes exceeds the frame's block maximum size " + blockMaxSize);
            }
            int data = sourcePosition;
            require(data, (long) size + (blockChecksums ? BLOCK_CHECKSUM_LENGTH : 0), "lz4 block");
            sourcePosition += size;
            if (blockChecksums) {
                int expected = source.getIntLE(sourcePosition);
                sourcePosition += BLOCK_CHECKSUM_LENGTH;
                if (hash(data, size) != expected) {
                    throw new IOException("lz4 block checksum mismatch");
                }
            }
            if ((word & BLOCK_UNCOMPRESSED_FLAG) != 0) {
                if (source.hasArray()) {
                    chunk = source.array();
                    chunkPosition = source.arrayOffset() + data;
                } else {
                    growOut(size);
                    source.getBytes(data, out, 0, size);
                    chunk = out;
                    chunkPosition = 0;
                }
                chunkLimit = chunkPosition + size;
            } else {
                int capacity = (int) Math.min(blockMaxSize, MAX_EXPANSION * size);
                growOut(capacity);
                int n = decompress(data, size, capacity);
                chunk = out;
                chunkPosition = 0;
                chunkLimit = n;
            }
            int n = chunkLimit - chunkPosition;
            if (n == 0) {
                continue;
            }
            frameBytes += n;
            if (contentChecksum) {
                contentHash.update(chunk, chunkPosition, n);
            }
            return true;
        }
        return false;
    }

    private void readHeader() throws IOException {
        int at = sourcePosition;
        require(at, MIN_HEADER_LENGTH, "lz4 frame header");
        int magic = source.getIntLE(at + MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new IOException("not an lz4 frame: magic 0x" + Integer.toHexString(magic));
        }
        int flg = source.getUnsignedByte(at + FLG_OFFSET);
        int bd = source.getUnsignedByte(at + BD_OFFSET);
        if ((flg & FLG_VERSION_MASK) != FLG_VERSION_01) {
            throw new IOException("unsupported lz4 frame version " + ((flg & FLG_VERSION_MASK) >>> 6));
        }
        if ((flg & FLG_RESERVED) != 0 || (bd & BD_RESERVED_MASK) != 0) {
            throw new IOException("lz4 frame header has reserved bits set");
        }
        if ((flg & FLG_DICTIONARY_ID) != 0) {
            throw new IOException("lz4 frames with a dictionary id are not supported");
        }
        int blockMaxId = (bd >>> BD_BLOCK_MAX_SHIFT) & BD_BLOCK_MAX_MASK;
        if (blockMaxId < MIN_BLOCK_MAX_ID) {
            throw new IOException("invalid lz4 block maximum size id " + blockMaxId);
        }
        boolean hasContentSize = (flg & FLG_CONTENT_SIZE) != 0;
        int descriptorLength = BD_OFFSET + 1 - FLG_OFFSET + (hasContentSize ? CONTENT_SIZE_LENGTH : 0);
        int checksumAt = at + FLG_OFFSET + descriptorLength;
        require(at, FLG_OFFSET + descriptorLength + HEADER_CHECKSUM_LENGTH, "lz4 frame header");
        source.getBytes(at + FLG_OFFSET, descriptor, 0, descriptorLength);
        int expected = (XXHASH.hash(descriptor, 0, descriptorLength, 0) >> 8) & 0xff;
        if (source.getUnsignedByte(checksumAt) != expected) {
            throw new IOException("lz4 frame header checksum mismatch");
        }
        contentSize = hasContentSize ? source.getLongLE(at + CONTENT_SIZE_OFFSET) : -1;
        if (hasContentSize && contentSize < 0) {
            throw new IOException("lz4 frame content size out of range");
        }
        blockChecksums = (flg & FLG_BLOCK_CHECKSUM) != 0;
        contentChecksum = (flg & FLG_CONTENT_CHECKSUM) != 0;
        blockMaxSize = Lz4FrameDescriptor.blockMaxSize(blockMaxId);
        if (contentChecksum) {
            if (contentHash == null) {
                contentHash = XXHashFactory.fastestJavaInstance().newStreamingHash32(0);
            }
            contentHash.reset();
        }
        sourcePosition = checksumAt + HEADER_CHECKSUM_LENGTH;
    }

    private void endFrame() throws IOException {
        frameEnded = true;
        if (contentChecksum) {
            require(sourcePosition, CONTENT_CHECKSUM_LENGTH, "lz4 content checksum");
            int expected = source.getIntLE(sourcePosition);
            sourcePosition += CONTENT_CHECKSUM_LENGTH;
            if (contentHash.getValue() != expected) {
                throw new IOException("lz4 content checksum mismatch");
            }
        }
        if (contentSize >= 0 && contentSize != frameBytes) {
            throw new IOException("lz4 frame declares " + contentSize + " bytes but holds " + frameBytes);
        }
    }

    private int hash(int index, int length) {
        if (source.hasArray()) {
            return XXHASH.hash(source.array(), source.arrayOffset() + index, length, 0);
        }
        return XXHASH.hash(sourceNio(), nioIndex(index), length, 0);
    }

    private int decompress(int index, int length, int capacity) throws IOException {
        try {
            if (source.hasArray()) {
                return DECOMPRESSOR.decompress(source.array(), source.arrayOffset() + index, length, out, 0, capacity);
            }
            return DECOMPRESSOR.decompress(sourceNio(), nioIndex(index), length, outNio, 0, capacity);
        } catch (LZ4Exception e) {
            throw new IOException("corrupt lz4 block: " + e.getMessage(), e);
        }
    }

    private void growOut(int needed) {
        if (out.length < needed) {
            out = ensureCapacity(out, needed);
            outNio = ByteBuffer.wrap(out);
        } else if (outNio == null) {
            outNio = ByteBuffer.wrap(out);
        }
    }

    @Override
    void trim() {
        byte[] kept = trimmed(out);
        if (kept != out) {
            out = kept;
            outNio = null;
        }
    }
}
