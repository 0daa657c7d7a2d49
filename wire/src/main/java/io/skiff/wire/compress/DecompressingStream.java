package io.skiff.wire.compress;

import io.netty.buffer.ByteBuf;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The decompressed bytes of one compressed payload, read either as an {@link InputStream} or run
 * by run without copying: {@link #nextChunk()} decodes the next run, which then lies in
 * {@link #chunkArray()} from {@link #chunkOffset()} on. The two ways may be mixed; a call to
 * {@code nextChunk()} drops whatever is left of the current run.
 *
 * <p>One instance per codec lives in a {@link Decompressors} and is reset for every payload. It
 * keeps its buffers (and native state) from one payload to the next, so reading a payload
 * allocates (almost) nothing once its buffers have grown to what the traffic needs; buffers that
 * grew past {@link #RETAINED_BUFFER_BYTES} for an unusual payload are dropped when it is closed.
 *
 * <p>Buffers: the compressed {@code ByteBuf} is borrowed from {@link Decompressors#open} until
 * {@link #close()} or the next open of the same codec, and is never released here. The array of
 * {@link #chunkArray()} belongs to the stream (or is the source's own backing array); the caller
 * must not modify it and may use it only until the next call on the stream.
 *
 * <p>Errors: corrupt or truncated input surfaces as an {@link IOException} (never another
 * exception, never a hang), after which the stream stays failed. Decompressing more than the
 * limit of the {@link Decompressors} fails with a {@link DecompressionLimitException}; no buffer
 * is ever sized from a length in the input before that length is checked against the limit and
 * the input size. Not thread-safe.
 */
public abstract class DecompressingStream extends InputStream {
    /** Buffers larger than this are dropped when their payload is closed, not kept for the next. */
    public static final int RETAINED_BUFFER_BYTES = 1 << 20;

    static final byte[] EMPTY = new byte[0];
    private static final int MIN_BUFFER_BYTES = 16 * 1024;

    private static final int CLOSED = 0;
    private static final int OPEN = 1;
    private static final int ENDED = 2;
    private static final int FAILED = 3;

    /** The current run: decode() puts at least one byte in [chunkPosition, chunkLimit) of chunk. */
    byte[] chunk = EMPTY;

    int chunkPosition;
    int chunkLimit;

    /** The borrowed compressed bytes: [sourceStart, sourceEnd) of source; sourcePosition is next. */
    ByteBuf source;

    int sourceStart;
    int sourcePosition;
    int sourceEnd;
    private ByteBuffer sourceNio;
    private int sourceNioBase;

    /** Decompressed bytes handed out so far for this payload. */
    long produced;

    final long maxDecompressedBytes;
    private final int codec;
    private int state = CLOSED;
    private IOException failure;
    boolean releaseOnClose;

    DecompressingStream(int codec, long maxDecompressedBytes) {
        this.codec = codec;
        this.maxDecompressedBytes = maxDecompressedBytes;
    }

    /** The codec id ({@link Codecs#GZIP} ...) of this stream. */
    public final int codec() {
        return codec;
    }

    /** Starts on a new payload: bytes [index, index + length) of {@code compressed}, borrowed. */
    final DecompressingStream reset(ByteBuf compressed, int index, int length) {
        Objects.checkFromIndexSize(index, length, compressed.capacity());
        source = compressed;
        sourceStart = index;
        sourcePosition = index;
        sourceEnd = index + length;
        sourceNio = null;
        chunk = EMPTY;
        chunkPosition = 0;
        chunkLimit = 0;
        produced = 0;
        failure = null;
        state = OPEN;
        begin();
        return this;
    }

    /** Resets the codec's own state for a new payload (the source is set). */
    abstract void begin();

    /**
     * Decodes the next run of decompressed bytes into {@link #chunk}, {@link #chunkPosition} and
     * {@link #chunkLimit} (at least one byte), or returns false at the end of the payload.
     */
    abstract boolean decode() throws IOException;

    /** Drops buffers grown past {@link #RETAINED_BUFFER_BYTES}; called when a payload is closed. */
    void trim() {}

    /** Frees native resources; the stream must not be used afterwards. */
    void release() {}

    /**
     * Decodes the next run of decompressed bytes, dropping what is left of the current one.
     * Returns its length (at least 1), or -1 at the end of the payload; the bytes are in
     * {@link #chunkArray()} from {@link #chunkOffset()} on, valid until the next call.
     */
    public final int nextChunk() throws IOException {
        chunkPosition = chunkLimit;
        if (state != OPEN) {
            return notOpen();
        }
        try {
            if (!decode()) {
                state = ENDED;
                chunk = EMPTY;
                chunkPosition = 0;
                chunkLimit = 0;
                return -1;
            }
        } catch (IOException e) {
            throw fail(e);
        }
        int n = chunkLimit - chunkPosition;
        produced += n;
        if (produced > maxDecompressedBytes) {
            throw fail(new DecompressionLimitException(maxDecompressedBytes));
        }
        return n;
    }

    /** The array holding the current run; read-only for the caller. */
    public final byte[] chunkArray() {
        return chunk;
    }

    /** Where the current run starts in {@link #chunkArray()}. */
    public final int chunkOffset() {
        return chunkPosition;
    }

    private int notOpen() throws IOException {
        if (state == ENDED) {
            return -1;
        }
        if (state == FAILED) {
            throw failure;
        }
        throw new IOException("stream closed");
    }

    private IOException fail(IOException e) {
        state = FAILED;
        failure = e;
        chunk = EMPTY;
        chunkPosition = 0;
        chunkLimit = 0;
        return e;
    }

    @Override
    public final int read() throws IOException {
        if (chunkPosition == chunkLimit && nextChunk() < 0) {
            return -1;
        }
        return chunk[chunkPosition++] & 0xff;
    }

    @Override
    public final int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        int copied = 0;
        while (copied < len) {
            if (chunkPosition == chunkLimit && nextChunk() < 0) {
                break;
            }
            int n = Math.min(len - copied, chunkLimit - chunkPosition);
            System.arraycopy(chunk, chunkPosition, b, off + copied, n);
            chunkPosition += n;
            copied += n;
        }
        return copied == 0 ? -1 : copied;
    }

    @Override
    public final long skip(long n) throws IOException {
        long skipped = 0;
        while (skipped < n) {
            if (chunkPosition == chunkLimit && nextChunk() < 0) {
                break;
            }
            int step = (int) Math.min(n - skipped, chunkLimit - chunkPosition);
            chunkPosition += step;
            skipped += step;
        }
        return skipped;
    }

    /** The bytes left in the current run (more may follow). */
    @Override
    public final int available() {
        return chunkLimit - chunkPosition;
    }

    /**
     * Ends this payload: drops the borrowed source and oversized buffers. The stream stays
     * reusable through its {@link Decompressors}, except for one from {@link Codecs#decompress},
     * which frees its native resources here.
     */
    @Override
    public final void close() {
        state = CLOSED;
        source = null;
        sourceNio = null;
        chunk = EMPTY;
        chunkPosition = 0;
        chunkLimit = 0;
        failure = null;
        trim();
        if (releaseOnClose) {
            release();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // reading the source

    final int sourceRemaining() {
        return sourceEnd - sourcePosition;
    }

    /** Fails unless {@code n} bytes remain from {@code index} to the end of the source. */
    final void require(int index, long n, String what) throws EOFException {
        if (n > sourceEnd - index) {
            throw new EOFException("truncated " + what + ": " + n + " bytes needed, " + (sourceEnd - index) + " left");
        }
    }

    /**
     * The source's bytes as one NIO buffer (made once per payload, borrowed from the source); index
     * {@code i} of the source is at {@link #nioIndex(int)} in it. Its position and limit are the
     * caller's to move.
     */
    final ByteBuffer sourceNio() {
        if (sourceNio == null) {
            sourceNio = source.nioBuffer(sourceStart, sourceEnd - sourceStart);
            sourceNioBase = sourceNio.position();
        }
        return sourceNio;
    }

    final int nioIndex(int sourceIndex) {
        return sourceNioBase + (sourceIndex - sourceStart);
    }

    /** {@code buffer} if it holds {@code needed} bytes, else a larger one (contents not kept). */
    static byte[] ensureCapacity(byte[] buffer, int needed) {
        if (buffer.length >= needed) {
            return buffer;
        }
        int size = Math.max(MIN_BUFFER_BYTES, Integer.highestOneBit(needed - 1) << 1);
        return new byte[size > 0 && size >= needed ? size : needed];
    }

    /** {@code buffer}, or an empty one if it is larger than {@link #RETAINED_BUFFER_BYTES}. */
    static byte[] trimmed(byte[] buffer) {
        return buffer.length > RETAINED_BUFFER_BYTES ? EMPTY : buffer;
    }
}
