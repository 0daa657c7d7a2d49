package io.skiff.broker.network;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.config.EndPoint;
import io.skiff.broker.config.SecurityConfigs;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty listeners of the broker: one server channel per configured listener, sharing one
 * group of event loops (native epoll where available, NIO otherwise). Each accepted connection
 * gets a {@link Session} and a pipeline of {@link FrameDecoder} and {@link RequestChannelHandler},
 * behind an {@link SslHandler} (from the {@link TransportSecurity}), a {@link TlsHandshakeHandler}
 * and a ChunkedWriteHandler (file regions as {@link SegmentChunkedInput}s) on TLS listeners;
 * all connections share one {@link PreDispatchStage} and its {@link RequestMetrics}. Started and
 * stopped by the broker; not reusable.
 */
public final class SkiffServer {
    private static final Logger LOG = LoggerFactory.getLogger(SkiffServer.class);

    private final BrokerConfig config;
    private final ApiDispatcher dispatcher;
    private final ConnectionLog connectionLog = new ConnectionLog();
    private final RequestMetrics requestMetrics = new RequestMetrics();
    private final PreDispatchStage stage;
    private final ConnectionQuotas connectionQuotas;
    private final TransportSecurity security;
    private final Map<String, EndPoint> bound = new LinkedHashMap<>();
    private final List<Channel> serverChannels = new ArrayList<>();
    private EventLoopGroup acceptors;
    private EventLoopGroup workers;

    /** A server whose requests are never throttled (no client quotas), with the configured connection limits. */
    public SkiffServer(BrokerConfig config, ApiDispatcher dispatcher) {
        this(
                config,
                dispatcher,
                NeverThrottle.INSTANCE,
                new ConnectionQuotas(ConnectionQuotas.Limits.of(config), System::currentTimeMillis),
                TransportSecurity.NONE);
    }

    /**
     * A server that asks {@code quota} for the throttle time of every request, admits
     * connections through {@code connectionQuotas} and takes the TLS handlers and certificate
     * principals of TLS listeners from {@code security}.
     */
    public SkiffServer(
            BrokerConfig config,
            ApiDispatcher dispatcher,
            QuotaHook quota,
            ConnectionQuotas connectionQuotas,
            TransportSecurity security) {
        this(config, dispatcher, quota, connectionQuotas, security, RequestObserver.NONE);
    }

    /** As above, telling {@code observer} of every request that reached its handler (Kafka's request metrics). */
    public SkiffServer(
            BrokerConfig config,
            ApiDispatcher dispatcher,
            QuotaHook quota,
            ConnectionQuotas connectionQuotas,
            TransportSecurity security,
            RequestObserver observer) {
        this.config = config;
        this.security = security;
        this.dispatcher = dispatcher;
        this.stage = new PreDispatchStage(quota, requestMetrics, System::nanoTime, observer);
        this.connectionQuotas = connectionQuotas;
    }

    /** The connection limits of every listener of this server. */
    public ConnectionQuotas connectionQuotas() {
        return connectionQuotas;
    }

    /** Per-API request counters of every listener of this server. */
    public RequestMetrics requestMetrics() {
        return requestMetrics;
    }

    /** Binds every listener. Throws if one cannot be bound (the others are closed again). */
    public void start() throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelClass =
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        acceptors = new MultiThreadIoEventLoopGroup(1, factory);
        workers = new MultiThreadIoEventLoopGroup(config.getInt(BrokerConfig.NUM_NETWORK_THREADS), factory);
        int maxFrame = config.socketRequestMaxBytes();
        long idleMs = config.getLong(BrokerConfig.CONNECTIONS_MAX_IDLE_MS);
        int sendBuffer = config.getInt(BrokerConfig.SOCKET_SEND_BUFFER_BYTES);
        int receiveBuffer = config.getInt(BrokerConfig.SOCKET_RECEIVE_BUFFER_BYTES);
        try {
            for (EndPoint endPoint : config.listeners()) {
                SecurityProtocol protocol = SecurityProtocol.forName(endPoint.securityProtocol);
                int saslMaxFrame = (Integer)
                        config.listenerValue(endPoint.listenerName, SecurityConfigs.SASL_SERVER_MAX_RECEIVE_SIZE);
                ServerBootstrap b = new ServerBootstrap()
                        .group(acceptors, workers)
                        .channel(channelClass)
                        .option(ChannelOption.SO_BACKLOG, config.getInt(BrokerConfig.SOCKET_LISTEN_BACKLOG_SIZE))
                        .option(ChannelOption.SO_REUSEADDR, true)
                        .handler(connectionQuotas.gate(endPoint.listenerName))
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childOption(ChannelOption.SO_KEEPALIVE, true)
                        .childHandler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                if (sendBuffer > 0) {
                                    ch.config().setSendBufferSize(sendBuffer);
                                }
                                if (receiveBuffer > 0) {
                                    ch.config().setReceiveBufferSize(receiveBuffer);
                                }
                                if (idleMs > 0) {
                                    ch.pipeline().addLast(new IdleStateHandler(0, 0, idleMs, TimeUnit.MILLISECONDS));
                                }
                                Session session = new Session(endPoint.listenerName, protocol, ch.remoteAddress());
                                if (protocol.usesTls) {
                                    ch.pipeline().addLast(security.newSslHandler(endPoint.listenerName, ch.alloc()));
                                    ch.pipeline().addLast(new TlsHandshakeHandler(security, session, connectionLog));
                                    ch.pipeline().addLast(new ChunkedWriteHandler());
                                }
                                ch.pipeline().addLast(new FrameDecoder(maxFrame, connectionLog, session, saslMaxFrame));
                                ch.pipeline()
                                        .addLast(new RequestChannelHandler(dispatcher, stage, connectionLog, session));
                            }
                        });
                InetSocketAddress address = endPoint.host.isEmpty()
                        ? new InetSocketAddress(endPoint.port)
                        : new InetSocketAddress(endPoint.host, endPoint.port);
                Channel ch = b.bind(address).sync().channel();
                serverChannels.add(ch);
                int port = ((InetSocketAddress) ch.localAddress()).getPort();
                bound.put(endPoint.listenerName, endPoint.withPort(port));
                LOG.info(
                        "Listening on {} ({}) with {}",
                        endPoint.withPort(port),
                        endPoint.securityProtocol,
                        epoll ? "epoll" : "nio");
            }
        } catch (RuntimeException | InterruptedException e) {
            shutdown();
            throw e;
        }
    }

    /** The port actually bound for a listener (the configured one, or the one picked for port 0). */
    public int boundPort(String listenerName) {
        EndPoint e = bound.get(listenerName);
        if (e == null) {
            throw new IllegalArgumentException("no listener " + listenerName);
        }
        return e.port;
    }

    /**
     * The endpoints clients are told about: advertised.listeners (or listeners), with port 0
     * replaced by the bound port and an empty host by this machine's canonical host name.
     */
    public List<EndPoint> advertisedEndPoints() {
        List<EndPoint> out = new ArrayList<>();
        for (EndPoint a : config.advertisedListeners()) {
            EndPoint e = a;
            if (e.port == 0 && bound.containsKey(e.listenerName)) {
                e = e.withPort(bound.get(e.listenerName).port);
            }
            if (e.host.isEmpty()) {
                e = e.withHost(canonicalHostName());
            }
            out.add(e);
        }
        return out;
    }

    private static String canonicalHostName() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    public void shutdown() {
        for (Channel ch : serverChannels) {
            ch.close().syncUninterruptibly();
        }
        serverChannels.clear();
        if (acceptors != null) {
            acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
