package io.skiff.wire.compress;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.io.EOFException;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;

/**
 * Reads zstd frames with one reused {@link ZstdDecompressCtx} (reset per payload, so its native
 * window and buffers are allocated once, not per batch), streaming from the source's NIO buffer
 * (or its array) into one reused buffer. Concatenated and skippable frames are read as zstd-jni's
 * stream reader reads them; input that ends inside a frame is an error. Not thread-safe;
 * {@link #release()} frees the native context (a {@link Cleaner} frees it if the reader is
 * dropped without that).
 */
final class ZstdReader extends DecompressingStream {
    private static final int OUT_BYTES = 64 * 1024;
    private static final Cleaner CLEANER = Cleaner.create();

    private final ZstdDecompressCtx ctx = new ZstdDecompressCtx();
    private final Cleaner.Cleanable cleanable = CLEANER.register(this, ctx::close);
    private final byte[] out = new byte[OUT_BYTES];
    private final ByteBuffer outNio = ByteBuffer.wrap(out);
    private ByteBuffer in;
    /** Whether the last call ended on a frame boundary with nothing left to flush. */
    private boolean frameComplete;

    ZstdReader(long maxDecompressedBytes) {
        super(Codecs.ZSTD, maxDecompressedBytes);
    }

    @Override
    void begin() {
        in = null;
        frameComplete = true;
    }

    @Override
    boolean decode() throws IOException {
        if (in == null) {
            try {
                ctx.reset();
            } catch (ZstdException e) {
                throw new IOException("zstd: " + e.getMessage(), e);
            }
            in = source.hasArray()
                    ? ByteBuffer.wrap(source.array(), source.arrayOffset() + sourceStart, sourceEnd - sourceStart)
                    : sourceNio();
        }
        while (true) {
            boolean inputLeft = in.hasRemaining();
            if (!inputLeft && frameComplete) {
                return false;
            }
            int before = in.position();
            outNio.clear();
            try {
                frameComplete = ctx.decompressByteBufferStream(outNio, in);
            } catch (ZstdException e) {
                throw new IOException("corrupt zstd data: " + e.getMessage(), e);
            }
            int n = outNio.position();
            if (n > 0) {
                chunk = out;
                chunkPosition = 0;
                chunkLimit = n;
                return true;
            }
            if (in.position() == before) {
                if (in.hasRemaining()) {
                    throw new IOException("zstd made no progress");
                }
                if (!frameComplete) {
                    throw new EOFException("truncated zstd payload: the frame does not end");
                }
                return false;
            }
        }
    }

    @Override
    void trim() {
        in = null;
    }

    @Override
    void release() {
        cleanable.clean();
    }
}
