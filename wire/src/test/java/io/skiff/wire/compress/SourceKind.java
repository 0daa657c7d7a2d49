package io.skiff.wire.compress;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The kinds of buffer a compressed payload arrives in, each taking a different path through the
 * readers: a heap array, a heap array at an offset inside a larger one, a direct buffer (as a
 * network read leaves it), and a composite of two parts. The wrappers are not leak-tracked; the
 * caller still releases them.
 */
enum SourceKind {
    HEAP {
        @Override
        ByteBuf wrap(byte[] bytes) {
            return Unpooled.wrappedBuffer(bytes);
        }
    },
    HEAP_AT_OFFSET {
        @Override
        ByteBuf wrap(byte[] bytes) {
            byte[] larger = new byte[bytes.length + 12];
            Arrays.fill(larger, (byte) 0x5a);
            System.arraycopy(bytes, 0, larger, 7, bytes.length);
            return Unpooled.wrappedBuffer(larger, 7, bytes.length);
        }
    },
    DIRECT {
        @Override
        ByteBuf wrap(byte[] bytes) {
            ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length);
            direct.put(bytes).flip();
            return Unpooled.wrappedBuffer(direct);
        }
    },
    COMPOSITE {
        @Override
        ByteBuf wrap(byte[] bytes) {
            int half = bytes.length / 2;
            return Unpooled.wrappedBuffer(
                    DIRECT.wrap(Arrays.copyOf(bytes, half)), HEAP.wrap(Arrays.copyOfRange(bytes, half, bytes.length)));
        }
    };

    abstract ByteBuf wrap(byte[] bytes);

    /** Every byte of {@code in}, read run by run through {@link DecompressingStream#nextChunk()}. */
    static byte[] readChunks(DecompressingStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int n;
        while ((n = in.nextChunk()) >= 0) {
            if (n == 0) {
                throw new AssertionError("nextChunk returned an empty run");
            }
            out.write(in.chunkArray(), in.chunkOffset(), n);
        }
        return out.toByteArray();
    }

    /** Every byte of {@code in}, read through small, odd-sized {@code read} calls. */
    static byte[] readStream(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[777];
        int n;
        while ((n = in.read(buf, 0, buf.length)) >= 0) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }
}
