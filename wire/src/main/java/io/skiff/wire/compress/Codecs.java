package io.skiff.wire.compress;

import com.github.luben.zstd.RecyclingBufferPool;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4FrameOutputStream;
import net.jpountz.xxhash.XXHashFactory;
import org.xerial.snappy.SnappyOutputStream;

/**
 * The four compression codecs of Kafka record batches, in the exact stream formats Kafka
 * clients write and read: gzip (RFC 1952), snappy in xerial's block framing, lz4 in the LZ4
 * frame format (independent 64 KiB blocks, with a correct header checksum as Kafka writes for
 * magic 2), and zstd frames. Codec ids are those of the batch attributes: 1 gzip, 2 snappy,
 * 3 lz4, 4 zstd. Stateless and thread-safe; the streams returned are not. Reading goes through
 * Skiff's own readers of these formats ({@link Decompressors}); writing through the libraries'
 * output streams.
 */
public final class Codecs {
    public static final int NONE = 0;
    public static final int GZIP = 1;
    public static final int SNAPPY = 2;
    public static final int LZ4 = 3;
    public static final int ZSTD = 4;

    /** Kafka's defaults (KIP-390). */
    public static final int GZIP_DEFAULT_LEVEL = Deflater.DEFAULT_COMPRESSION;

    public static final int LZ4_DEFAULT_LEVEL = 9;
    public static final int ZSTD_DEFAULT_LEVEL = 3;

    private static final int GZIP_BUFFER = 8 * 1024;
    private static final LZ4Factory LZ4_FACTORY = LZ4Factory.fastestInstance();

    private Codecs() {}

    public static String name(int codec) {
        switch (codec) {
            case NONE:
                return "none";
            case GZIP:
                return "gzip";
            case SNAPPY:
                return "snappy";
            case LZ4:
                return "lz4";
            case ZSTD:
                return "zstd";
            default:
                return "unknown(" + codec + ")";
        }
    }

    /** The default level of a codec (ignored by snappy). */
    public static int defaultLevel(int codec) {
        switch (codec) {
            case GZIP:
                return GZIP_DEFAULT_LEVEL;
            case LZ4:
                return LZ4_DEFAULT_LEVEL;
            case ZSTD:
                return ZSTD_DEFAULT_LEVEL;
            default:
                return 0;
        }
    }

    /**
     * A stream of the decompressed bytes of {@code compressed}'s readable bytes, with buffers and
     * native state of its own (for occasional use; a thread that decompresses many payloads keeps a
     * {@link Decompressors}). Borrows {@code compressed} (it must stay unreleased while the stream
     * is used; its indices are not moved); the caller closes the stream, which frees its native
     * resources. Corrupt input surfaces as an {@link IOException} while reading.
     */
    public static InputStream decompress(int codec, ByteBuf compressed) throws IOException {
        return Decompressors.openSingleUse(codec, compressed);
    }

    /**
     * A stream that compresses what is written to it into {@code target} (borrowed; it grows as
     * needed). Close the stream to finish the compressed data.
     */
    public static OutputStream compress(int codec, int level, ByteBuf target) throws IOException {
        OutputStream raw = new ByteBufOutputStream(target);
        switch (codec) {
            case GZIP:
                return new LeveledGzipOutputStream(raw, level);
            case SNAPPY:
                return new SnappyOutputStream(raw);
            case LZ4: {
                LZ4Compressor compressor =
                        level <= 1 ? LZ4_FACTORY.fastCompressor() : LZ4_FACTORY.highCompressor(level);
                return new LZ4FrameOutputStream(
                        raw,
                        LZ4FrameOutputStream.BLOCKSIZE.SIZE_64KB,
                        -1L,
                        compressor,
                        XXHashFactory.fastestInstance().hash32(),
                        LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE);
            }
            case ZSTD:
                return new ZstdOutputStreamNoFinalizer(raw, RecyclingBufferPool.INSTANCE, level);
            default:
                throw new IOException("unknown compression codec " + codec);
        }
    }

    /** Compresses all readable bytes of {@code source} into {@code target}; borrows both. */
    public static void compress(int codec, int level, ByteBuf source, ByteBuf target) throws IOException {
        try (OutputStream out = compress(codec, level, target)) {
            source.getBytes(source.readerIndex(), out, source.readableBytes());
        }
    }

    /** GZIPOutputStream with a chosen deflate level and a larger buffer. */
    private static final class LeveledGzipOutputStream extends GZIPOutputStream {
        LeveledGzipOutputStream(OutputStream out, int level) throws IOException {
            super(out, GZIP_BUFFER);
            def.setLevel(level);
        }
    }
}
