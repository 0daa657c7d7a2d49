package io.skiff.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits the byte stream into request frames: a 4-byte big-endian size, then that many bytes.
 * A size that is negative or above {@code socket.request.max.bytes} closes the connection as
 * soon as the four size bytes arrive, before anything is allocated for the frame. Until a SASL
 * session has authenticated, the limit is {@code sasl.server.max.receive.size} instead, as in
 * Kafka, so that an unauthenticated client cannot make the broker buffer a large frame. Emits
 * retained slices that the next handler owns. One instance per connection.
 */
final class FrameDecoder extends ByteToMessageDecoder {
    private final int maxFrameBytes;
    private final ConnectionLog log;
    private final Session session;
    private final int unauthenticatedMaxBytes;

    FrameDecoder(int maxFrameBytes, ConnectionLog log) {
        this(maxFrameBytes, log, null, maxFrameBytes);
    }

    /** @param session the connection's session, whose frames are limited to {@code unauthenticatedMaxBytes} before it authenticates */
    FrameDecoder(int maxFrameBytes, ConnectionLog log, Session session, int unauthenticatedMaxBytes) {
        this.maxFrameBytes = maxFrameBytes;
        this.log = log;
        this.session = session;
        this.unauthenticatedMaxBytes = Math.min(maxFrameBytes, unauthenticatedMaxBytes);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= 4) {
            int size = in.getInt(in.readerIndex());
            int max = session != null && session.authState() != AuthState.AUTHENTICATED
                    ? unauthenticatedMaxBytes
                    : maxFrameBytes;
            if (size < 0 || size > max) {
                log.invalidFrameSize(ctx.channel(), size, max);
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
