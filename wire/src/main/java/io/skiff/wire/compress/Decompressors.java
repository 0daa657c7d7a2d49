package io.skiff.wire.compress;

import io.netty.buffer.ByteBuf;
import java.io.IOException;

/**
 * One reusable decompressor per codec, for the thread that owns this object: {@link #open}
 * hands out the codec's {@link DecompressingStream}, reset onto a new payload. The streams keep
 * their buffers and native state (a raw {@code Inflater}, a zstd context) from one payload to the
 * next, so decompressing a batch allocates (almost) nothing once warmed up, where a new
 * {@code GZIPInputStream}, {@code SnappyInputStream} or {@code LZ4FrameInputStream} per batch
 * allocates its buffers (and native state) each time. Each codec's stream is created on first
 * use.
 *
 * <p>The formats are those of {@link Codecs}: gzip members ({@link GzipDescriptor}), snappy-java's
 * framing ({@link SnappyFramingDescriptor}), LZ4 frames ({@link Lz4FrameDescriptor}) and zstd
 * frames; each stream's Javadoc says what it accepts.
 *
 * <p>Not thread-safe: one instance per thread (e.g. held by a per-thread validator), and one
 * open payload per codec at a time: opening a codec again ends that codec's previous payload.
 * {@link #close()} frees the native resources; an instance that is simply dropped leaves them to
 * the garbage collector's cleaners.
 */
public final class Decompressors implements AutoCloseable {
    private final long maxDecompressedBytes;
    private GzipReader gzip;
    private SnappyReader snappy;
    private Lz4FrameReader lz4;
    private ZstdReader zstd;

    /** Decompressors without a limit on the decompressed size of a payload. */
    public Decompressors() {
        this(Long.MAX_VALUE);
    }

    /**
     * Decompressors whose streams fail with a {@link DecompressionLimitException} once a payload
     * decompresses past {@code maxDecompressedBytes}, and never size a buffer beyond it.
     */
    public Decompressors(long maxDecompressedBytes) {
        if (maxDecompressedBytes < 0) {
            throw new IllegalArgumentException("maxDecompressedBytes must not be negative: " + maxDecompressedBytes);
        }
        this.maxDecompressedBytes = maxDecompressedBytes;
    }

    /** {@link #open(int, ByteBuf, int, int)} of the readable bytes of {@code compressed}. */
    public DecompressingStream open(int codec, ByteBuf compressed) throws IOException {
        return open(codec, compressed, compressed.readerIndex(), compressed.readableBytes());
    }

    /**
     * The stream of the decompressed bytes of bytes [index, index + length) of {@code compressed}
     * (borrowed until the stream is closed or the codec opened again; its indices are not moved).
     * The stream is this object's, reused for every payload of the codec; closing it ends the
     * payload. Fails only for an unknown codec; corrupt data fails while reading.
     */
    public DecompressingStream open(int codec, ByteBuf compressed, int index, int length) throws IOException {
        return stream(codec).reset(compressed, index, length);
    }

    private DecompressingStream stream(int codec) throws IOException {
        switch (codec) {
            case Codecs.GZIP:
                if (gzip == null) {
                    gzip = new GzipReader(maxDecompressedBytes);
                }
                return gzip;
            case Codecs.SNAPPY:
                if (snappy == null) {
                    snappy = new SnappyReader(maxDecompressedBytes);
                }
                return snappy;
            case Codecs.LZ4:
                if (lz4 == null) {
                    lz4 = new Lz4FrameReader(maxDecompressedBytes);
                }
                return lz4;
            case Codecs.ZSTD:
                if (zstd == null) {
                    zstd = new ZstdReader(maxDecompressedBytes);
                }
                return zstd;
            default:
                throw new IOException("unknown compression codec " + codec);
        }
    }

    /**
     * A stream of its own (not reused) over the readable bytes of {@code compressed} (borrowed),
     * without a size limit; closing it frees its native resources. For {@link Codecs#decompress}.
     */
    static DecompressingStream openSingleUse(int codec, ByteBuf compressed) throws IOException {
        DecompressingStream stream = new Decompressors().stream(codec);
        stream.releaseOnClose = true;
        return stream.reset(compressed, compressed.readerIndex(), compressed.readableBytes());
    }

    /** Ends any open payload and frees native resources; a later {@link #open} starts afresh. */
    @Override
    public void close() {
        if (gzip != null) {
            gzip.close();
            gzip.release();
            gzip = null;
        }
        if (snappy != null) {
            snappy.close();
            snappy = null;
        }
        if (lz4 != null) {
            lz4.close();
            lz4 = null;
        }
        if (zstd != null) {
            zstd.close();
            zstd.release();
            zstd = null;
        }
    }
}
