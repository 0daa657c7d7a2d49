package io.skiff.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.skiff.storage.FileRecords;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.ApiMessage;
import io.skiff.wire.protocol.RecordsSink;
import io.skiff.wire.record.ByteBufRecords;
import io.skiff.wire.record.Records;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes responses onto a connection: size, response header, body. Records fields are not
 * copied into the body buffer; the writer notes where they belong and sends the body in
 * pieces around them, each records value as its own buffer or file region. On a TLS connection a
 * file region cannot go through sendfile, so it is written as a {@link SegmentChunkedInput}: read
 * chunk by chunk into pooled direct buffers that the TLS handler encrypts. One instance per
 * connection, used only on its event loop.
 */
final class ResponseWriter implements RecordsSink {
    /** Responses up to this size get a buffer of their exact size up front. */
    private static final int EXACT_ALLOCATION_LIMIT = 1 << 20;

    private final List<Records> pieces = new ArrayList<>(4);
    private final List<Integer> positions = new ArrayList<>(4);
    private final boolean tls;

    /** @param tls whether the connection is encrypted (its pipeline has a ChunkedWriteHandler below the writer) */
    ResponseWriter(boolean tls) {
        this.tls = tls;
    }

    /**
     * Writes (without flushing) one response and returns its frame size after the 4-byte size
     * prefix. Takes nothing; the response message is not released.
     */
    int write(ChannelHandlerContext ctx, ApiKeys api, short version, int correlationId, ApiMessage body) {
        short headerVersion = api.responseHeaderVersion(version);
        int headerSize = headerVersion >= 1 ? 5 : 4;
        int bodySize = body.size(version);
        int frameSize = headerSize + bodySize;
        int total = 4 + frameSize;
        ByteBuf buf = ctx.alloc().ioBuffer(total <= EXACT_ALLOCATION_LIMIT ? total : 64 * 1024);
        pieces.clear();
        positions.clear();
        try {
            buf.writeInt(frameSize);
            buf.writeInt(correlationId);
            if (headerVersion >= 1) {
                buf.writeByte(0); // no tagged fields in the response header
            }
            body.write(buf, version, this);
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
        if (pieces.isEmpty()) {
            ctx.write(buf, ctx.voidPromise());
            return frameSize;
        }
        int from = 0;
        for (int i = 0; i < pieces.size(); i++) {
            int at = positions.get(i);
            if (at > from) {
                ctx.write(buf.retainedSlice(from, at - from), ctx.voidPromise());
            }
            ctx.write(sendable(pieces.get(i)), ctx.voidPromise());
            from = at;
        }
        if (buf.writerIndex() > from) {
            ctx.write(buf.retainedSlice(from, buf.writerIndex() - from), ctx.voidPromise());
        }
        buf.release();
        pieces.clear();
        positions.clear();
        return frameSize;
    }

    @Override
    public void records(ByteBuf buf, Records records) {
        if (records.sizeInBytes() == 0) {
            return;
        }
        pieces.add(records);
        positions.add(buf.writerIndex());
    }

    /** The object Netty sends for a records value; a new reference the channel will release. */
    private Object sendable(Records records) {
        if (records instanceof ByteBufRecords) {
            ByteBuf b = ((ByteBufRecords) records).buffer();
            return b.retainedSlice(b.readerIndex(), b.readableBytes());
        }
        if (records instanceof FileRecords) {
            FileRecords f = (FileRecords) records;
            if (tls) {
                ZeroCopyStats.tlsChunked(f.sizeInBytes());
                return new SegmentChunkedInput(f.channel(), f.position(), f.sizeInBytes());
            }
            ZeroCopyStats.fileRegion(f.sizeInBytes());
            return new SegmentFileRegion(f.channel(), f.position(), f.sizeInBytes());
        }
        throw new IllegalStateException(
                "cannot send records of type " + records.getClass().getName());
    }
}
