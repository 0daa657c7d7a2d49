package io.skiff.broker.replication;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.skiff.wire.message.RequestHeader;
import io.skiff.wire.message.ResponseHeader;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.ApiMessage;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * One PLAINTEXT connection from this broker to another, over Netty, speaking the Kafka protocol
 * with the generated messages of the {@code wire} module: {@link #send} writes a request and
 * completes with its decoded response. Responses arrive in request order (as every Kafka broker
 * sends them), so a queue matches them. A response's records fields are retained slices of its
 * frame: the caller owns the response and must {@link ApiMessage#release()} it. Thread-safe;
 * completions run on the connection's event loop.
 */
final class BrokerConnection implements AutoCloseable {
    /** Largest response frame accepted. */
    private static final int MAX_FRAME_BYTES = 128 << 20;

    private record InFlight(ApiKeys api, short version, int correlationId, CompletableFuture<ApiMessage> future) {}

    private final Channel channel;
    private final String clientId;
    /** Requests sent and not answered, in order; event loop only. */
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();

    private int nextCorrelationId;

    private BrokerConnection(Channel channel, String clientId) {
        this.channel = channel;
        this.clientId = clientId;
    }

    /** Connects to {@code host:port}; the future fails when the connection cannot be made within {@code timeoutMs}. */
    static CompletableFuture<BrokerConnection> connect(
            EventLoopGroup group,
            Class<? extends Channel> channelType,
            String host,
            int port,
            String clientId,
            int timeoutMs) {
        CompletableFuture<BrokerConnection> out = new CompletableFuture<>();
        Handler handler = new Handler();
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMs)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new LengthFieldBasedFrameDecoder(MAX_FRAME_BYTES, 0, 4, 0, 4))
                                .addLast(handler);
                    }
                });
        ChannelFuture f = b.connect(host, port);
        f.addListener(done -> {
            if (done.isSuccess()) {
                BrokerConnection c = new BrokerConnection(f.channel(), clientId);
                handler.connection = c;
                out.complete(c);
            } else {
                out.completeExceptionally(done.cause());
            }
        });
        return out;
    }

    boolean isActive() {
        return channel.isActive();
    }

    /**
     * Sends {@code request} at {@code version}; the future completes with the response (owned by the
     * caller) or fails when the connection closes first.
     */
    @SuppressWarnings("unchecked")
    <R extends ApiMessage> CompletableFuture<R> send(ApiKeys api, short version, ApiMessage request) {
        CompletableFuture<ApiMessage> f = new CompletableFuture<>();
        channel.eventLoop().execute(() -> write(api, version, request, f));
        return (CompletableFuture<R>) (CompletableFuture<?>) f;
    }

    private void write(ApiKeys api, short version, ApiMessage request, CompletableFuture<ApiMessage> f) {
        if (!channel.isActive()) {
            f.completeExceptionally(new IOException("connection to " + channel.remoteAddress() + " is closed"));
            return;
        }
        int correlationId = nextCorrelationId++;
        RequestHeader header = new RequestHeader()
                .setRequestApiKey(api.id)
                .setRequestApiVersion(version)
                .setCorrelationId(correlationId)
                .setClientId(clientId);
        short headerVersion = api.requestHeaderVersion(version);
        int size = header.size(headerVersion) + request.size(version);
        ByteBuf out = channel.alloc().buffer(4 + size);
        try {
            out.writeInt(size);
            header.write(out, headerVersion);
            request.write(out, version);
        } catch (RuntimeException e) {
            out.release();
            f.completeExceptionally(e);
            return;
        }
        inFlight.add(new InFlight(api, version, correlationId, f));
        channel.writeAndFlush(out).addListener(w -> {
            if (!w.isSuccess()) {
                channel.close();
            }
        });
    }

    /** A response frame (borrowed): matched to the oldest request in flight and decoded. */
    private void onFrame(ByteBuf frame) {
        InFlight next = inFlight.poll();
        if (next == null) {
            channel.close();
            return;
        }
        ResponseHeader header = new ResponseHeader();
        ApiMessage response = next.api.newResponse();
        try {
            header.read(frame, next.api.responseHeaderVersion(next.version));
            if (header.correlationId() != next.correlationId) {
                throw new IOException(
                        "response correlation id " + header.correlationId() + ", expected " + next.correlationId);
            }
            response.read(frame, next.version);
        } catch (IOException | RuntimeException e) {
            response.release();
            next.future.completeExceptionally(e);
            channel.close();
            return;
        }
        if (!next.future.complete(response)) {
            response.release();
        }
    }

    private void onClosed() {
        IOException closed = new IOException("connection to " + channel.remoteAddress() + " closed");
        InFlight f;
        while ((f = inFlight.poll()) != null) {
            f.future.completeExceptionally(closed);
        }
    }

    @Override
    public void close() {
        channel.close();
    }

    /** The pipeline's end: frames to the connection, closure fails what is in flight. */
    private static final class Handler extends SimpleChannelInboundHandler<ByteBuf> {
        volatile BrokerConnection connection;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            BrokerConnection c = connection;
            if (c == null) {
                ctx.close();
                return;
            }
            c.onFrame(frame);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            BrokerConnection c = connection;
            if (c != null) {
                c.onClosed();
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
