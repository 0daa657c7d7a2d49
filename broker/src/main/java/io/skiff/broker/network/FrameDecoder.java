package io.skiff.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits the byte stream into request frames: a 4-byte big-endian size, then that many bytes.
 * A size that is negative or above {@code socket.request.max.bytes} closes the connection as
 * soon as the four size bytes arrive, before anything is allocated for the frame. Emits
 * retained slices that the next handler owns. One instance per connection.
 */
final class FrameDecoder extends ByteToMessageDecoder {
    private final int maxFrameBytes;
    private final ConnectionLog log;

    FrameDecoder(int maxFrameBytes, ConnectionLog log) {
        this.maxFrameBytes = maxFrameBytes;
        this.log = log;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= 4) {
            int size = in.getInt(in.readerIndex());
            if (size < 0 || size > maxFrameBytes) {
                log.invalidFrameSize(ctx.channel(), size, maxFrameBytes);
                in.skipBytes(in.readableBytes());
                ctx.close();
                return;
            }
            if (in.readableBytes() < 4 + size) {
                return;
            }
            in.skipBytes(4);
            out.add(in.readRetainedSlice(size));
        }
    }
}
