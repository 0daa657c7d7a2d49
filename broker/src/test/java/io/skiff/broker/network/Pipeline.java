package io.skiff.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.skiff.wire.message.RequestHeader;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.ApiMessage;
import io.skiff.wire.protocol.Wire;
import java.util.ArrayList;
import java.util.List;

/**
 * Test support: one connection's pipeline ({@link FrameDecoder} and {@link RequestChannelHandler})
 * on an {@link EmbeddedChannel}, with helpers that encode requests and split what the connection
 * wrote back into response frames. Everything runs on the test thread. Not thread-safe.
 */
final class Pipeline implements AutoCloseable {
    static final int MAX_FRAME_BYTES = 4096;

    final EmbeddedChannel channel;
    final Session session;
    private final ByteBuf written = Unpooled.buffer();

    Pipeline(ApiDispatcher dispatcher, PreDispatchStage stage, ConnectionLog log, Session session) {
        this.session = session;
        this.channel = new EmbeddedChannel(
                new FrameDecoder(MAX_FRAME_BYTES, log), new RequestChannelHandler(dispatcher, stage, log, session));
    }

    static Session plaintextSession() {
        return new Session("PLAINTEXT", SecurityProtocol.PLAINTEXT, null);
    }

    /** A request frame, size prefix included: header (at the API's header version) and body. */
    static byte[] request(ApiKeys api, int version, int correlationId, String clientId, ApiMessage body) {
        short v = (short) version;
        short headerVersion = api.requestHeaderVersion(v);
        RequestHeader header = new RequestHeader()
                .setRequestApiKey(api.id)
                .setRequestApiVersion(v)
                .setCorrelationId(correlationId)
                .setClientId(clientId);
        ByteBuf buf = Unpooled.buffer();
        try {
            buf.writeInt(header.size(headerVersion) + body.size(v));
            header.write(buf, headerVersion);
            body.write(buf, v);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    /** Delivers {@code bytes} to the connection as one read. */
    void send(byte[] bytes) {
        channel.writeInbound(Unpooled.wrappedBuffer(bytes));
        channel.runPendingTasks();
    }

    /** Delivers each of {@code chunks} as its own read. */
    void sendInReads(byte[]... chunks) {
        for (byte[] c : chunks) {
            send(c);
        }
    }

    /** The complete response frames written since the last call, size prefix removed, in order. */
    List<byte[]> responses() {
        channel.runPendingTasks();
        for (Object o = channel.readOutbound(); o != null; o = channel.readOutbound()) {
            ByteBuf b = (ByteBuf) o;
            written.writeBytes(b);
            b.release();
        }
        List<byte[]> frames = new ArrayList<>();
        while (written.readableBytes() >= 4 && written.readableBytes() >= 4 + written.getInt(written.readerIndex())) {
            byte[] frame = new byte[written.readInt()];
            written.readBytes(frame);
            frames.add(frame);
        }
        written.discardReadBytes();
        return frames;
    }

    /** Reads a response frame: checks the correlation id, skips the header, returns the body read at {@code version}. */
    static <M extends ApiMessage> M parse(byte[] frame, ApiKeys api, int version, int correlationId, M into) {
        ByteBuf buf = Unpooled.wrappedBuffer(frame);
        try {
            assertThat(buf.readInt()).as("correlation id").isEqualTo(correlationId);
            if (api.responseHeaderVersion((short) version) >= 1) {
                assertThat(Wire.readUnsignedVarint(buf))
                        .as("response header tagged fields")
                        .isZero();
            }
            into.read(buf, (short) version);
            assertThat(buf.readableBytes()).as("bytes after the response body").isZero();
            return into;
        } finally {
            buf.release();
        }
    }

    boolean isOpen() {
        channel.runPendingTasks();
        return channel.isOpen();
    }

    @Override
    public void close() {
        channel.finishAndReleaseAll();
        written.release();
    }
}
