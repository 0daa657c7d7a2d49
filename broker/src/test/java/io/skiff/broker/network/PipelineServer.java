package io.skiff.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FileRegion;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.ApiMessage;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test support: the real request pipeline ({@link FrameDecoder}, {@link RequestChannelHandler}, a
 * PLAINTEXT {@link Session} per connection, a {@link PreDispatchStage} that never throttles) over
 * Netty's in-VM transport, on a real event loop, in front of the given {@link ApiDispatcher}.
 * Handlers that complete on other threads (append threads, the metadata thread, the fetch timer)
 * therefore behave as they do behind a socket, which an EmbeddedChannel (whose loop is "always
 * the current thread") cannot give. Tests talk to it through {@link Connection}s, with the
 * generated request and response classes.
 *
 * <p>The file regions that carry fetched records are read into buffers on the server side before
 * they reach the in-VM channel ({@link #fileRegionsSent()} counts them). Thread-safe; close it once.
 */
public final class PipelineServer implements AutoCloseable {
    /** How long a test waits for an answer or a close before it fails. */
    public static final long WAIT_SECONDS = 10;

    private static final int MAX_FRAME_BYTES = 100 * 1024 * 1024;
    private static final AtomicInteger SERVERS = new AtomicInteger();

    private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
    private final ConnectionLog log = new ConnectionLog();
    private final PreDispatchStage stage =
            new PreDispatchStage(NeverThrottle.INSTANCE, new RequestMetrics(), System::nanoTime);
    private final AtomicLong fileRegions = new AtomicLong();
    private final List<Connection> connections = new ArrayList<>();
    private final LocalAddress address = new LocalAddress("skiff-pipeline-" + SERVERS.incrementAndGet());
    private final Channel serverChannel;

    public PipelineServer(ApiDispatcher dispatcher) throws InterruptedException {
        serverChannel = new ServerBootstrap()
                .group(loop)
                .channel(LocalServerChannel.class)
                .childHandler(new ChannelInitializer<LocalChannel>() {
                    @Override
                    protected void initChannel(LocalChannel ch) {
                        ch.pipeline()
                                .addLast(
                                        new FileRegionReader(),
                                        new FrameDecoder(MAX_FRAME_BYTES, log),
                                        new RequestChannelHandler(
                                                dispatcher,
                                                stage,
                                                log,
                                                new Session("PLAINTEXT", SecurityProtocol.PLAINTEXT, null)));
                    }
                })
                .bind(address)
                .sync()
                .channel();
    }

    /** A new client connection; closed with the server. */
    public synchronized Connection connect() throws InterruptedException {
        Connection c = new Connection();
        connections.add(c);
        return c;
    }

    /** How many times a connection was closed for {@code kind} (see {@link ConnectionLog}). */
    public long closes(String kind) {
        return log.count(kind);
    }

    /** Number of file regions (zero-copy record sends) the server has written. */
    public long fileRegionsSent() {
        return fileRegions.get();
    }

    @Override
    public synchronized void close() throws InterruptedException {
        for (Connection c : connections) {
            c.close();
        }
        connections.clear();
        serverChannel.close().sync();
        loop.shutdownGracefully(0, WAIT_SECONDS, TimeUnit.SECONDS).sync();
    }

    /**
     * One client connection: encodes requests with the generated classes and reads the response
     * frames back in order. Parsed responses are released when the connection closes, so tests may
     * keep them (and their records) until then. Requests are borrowed: their records are copied.
     */
    public final class Connection implements AutoCloseable {
        private final Channel channel;
        private final LinkedBlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
        private final List<ApiMessage> parsed = new ArrayList<>();
        private final AtomicInteger nextCorrelationId = new AtomicInteger(1);

        private Connection() throws InterruptedException {
            channel = new Bootstrap()
                    .group(loop)
                    .channel(LocalChannel.class)
                    .handler(new FrameCollector(frames))
                    .connect(address)
                    .sync()
                    .channel();
        }

        /** Sends {@code body} at {@code version}; returns its correlation id. */
        public int send(ApiKeys api, int version, ApiMessage body) {
            int correlationId = nextCorrelationId.getAndIncrement();
            byte[] frame = Pipeline.request(api, version, correlationId, "handler-test", body);
            channel.writeAndFlush(Unpooled.wrappedBuffer(frame)).syncUninterruptibly();
            return correlationId;
        }

        /**
         * Reads the next response frame, which must answer {@code correlationId}, at {@code version}
         * into {@code into}; fails if none comes within {@link #WAIT_SECONDS}.
         */
        public <M extends ApiMessage> M receive(int correlationId, ApiKeys api, int version, M into)
                throws InterruptedException {
            byte[] frame = frames.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(frame).as("answer to %s request #%d", api, correlationId).isNotNull();
            synchronized (parsed) {
                parsed.add(into);
            }
            return Pipeline.parse(frame, api, version, correlationId, into);
        }

        /** Sends {@code body} and waits for its answer. */
        public <M extends ApiMessage> M call(ApiKeys api, int version, ApiMessage body, M into)
                throws InterruptedException {
            return receive(send(api, version, body), api, version, into);
        }

        /** Whether the broker closed this connection within {@link #WAIT_SECONDS}. */
        public boolean awaitClosed() throws InterruptedException {
            return channel.closeFuture().await(WAIT_SECONDS, TimeUnit.SECONDS);
        }

        /** Complete response frames received and not yet read. */
        public int unread() {
            return frames.size();
        }

        @Override
        public void close() {
            channel.close().syncUninterruptibly();
            synchronized (parsed) {
                for (ApiMessage m : parsed) {
                    m.release();
                }
                parsed.clear();
            }
        }
    }

    /** Client side: cuts the bytes that arrive into response frames (size prefix removed). */
    private static final class FrameCollector extends ChannelInboundHandlerAdapter {
        private final LinkedBlockingQueue<byte[]> frames;
        private final ByteBuf pending = Unpooled.buffer();

        FrameCollector(LinkedBlockingQueue<byte[]> frames) {
            this.frames = frames;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                pending.writeBytes(in);
            } finally {
                in.release();
            }
            while (pending.readableBytes() >= 4
                    && pending.readableBytes() >= 4 + pending.getInt(pending.readerIndex())) {
                byte[] frame = new byte[pending.readInt()];
                pending.readBytes(frame);
                frames.add(frame);
            }
            pending.discardReadBytes();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            pending.release();
            ctx.fireChannelInactive();
        }
    }

    /** Server side, next to the transport: turns each file region into a buffer of its bytes. */
    private final class FileRegionReader extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws IOException {
            if (!(msg instanceof FileRegion region)) {
                ctx.write(msg, promise);
                return;
            }
            ByteBuf copy = ctx.alloc().buffer((int) region.count());
            try {
                WritableByteChannel out = Channels.newChannel(new ByteBufOutputStream(copy));
                long done = 0;
                while (done < region.count()) {
                    done += region.transferTo(out, done);
                }
            } catch (IOException | RuntimeException e) {
                copy.release();
                throw e;
            } finally {
                region.release();
            }
            fileRegions.incrementAndGet();
            ctx.write(copy, promise);
        }
    }
}
