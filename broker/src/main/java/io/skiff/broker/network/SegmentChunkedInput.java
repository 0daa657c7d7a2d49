package io.skiff.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.stream.ChunkedInput;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * A region of a segment file sent over TLS, where sendfile cannot be used: the bytes are read
 * straight from the file into pooled direct buffers of at most {@link #CHUNK_BYTES}, which the TLS
 * handler encrypts in place and releases; Netty's ChunkedWriteHandler reads the next chunk only
 * while the connection is writable, so a slow reader holds at most a few chunks. No heap copy is
 * made. The file channel belongs to the segment and is never closed here. One instance per region,
 * used on the connection's event loop.
 */
final class SegmentChunkedInput implements ChunkedInput<ByteBuf> {
    /** Bytes read from the file per chunk. */
    static final int CHUNK_BYTES = 64 * 1024;

    private final FileChannel channel;
    private final long startPosition;
    private final long endPosition;
    private long position;

    SegmentChunkedInput(FileChannel channel, long position, long count) {
        this.channel = channel;
        this.startPosition = position;
        this.position = position;
        this.endPosition = position + count;
    }

    @Override
    public boolean isEndOfInput() {
        return position >= endPosition;
    }

    @Override
    public void close() {
        // The channel belongs to the segment.
    }

    @Deprecated
    @Override
    public ByteBuf readChunk(ChannelHandlerContext ctx) throws Exception {
        return readChunk(ctx.alloc());
    }

    /** Returns a new direct buffer with the next chunk, which the caller owns; null at the end. */
    @Override
    public ByteBuf readChunk(ByteBufAllocator allocator) throws IOException {
        if (isEndOfInput()) {
            return null;
        }
        int size = (int) Math.min(CHUNK_BYTES, endPosition - position);
        ByteBuf buf = allocator.directBuffer(size);
        boolean done = false;
        try {
            while (buf.writableBytes() > 0 && buf.writerIndex() < size) {
                int n = buf.writeBytes(channel, position + buf.writerIndex(), size - buf.writerIndex());
                if (n < 0) {
                    throw new EOFException("segment file ends before position " + endPosition);
                }
            }
            position += size;
            done = true;
            return buf;
        } finally {
            if (!done) {
                buf.release();
            }
        }
    }

    @Override
    public long length() {
        return endPosition - startPosition;
    }

    @Override
    public long progress() {
        return position - startPosition;
    }
}
