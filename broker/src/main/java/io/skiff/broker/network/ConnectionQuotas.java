package io.skiff.broker.network;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.config.ConfigException;
import io.skiff.broker.config.EndPoint;
import io.skiff.broker.config.SecurityConfigs;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connection limits as Apache Kafka's {@code ConnectionQuotas} applies them when a connection is
 * accepted:
 *
 * <ul>
 *   <li>{@code max.connections} (broker-wide) and {@code listener.name.L.max.connections}: once
 *       reached, the listener stops accepting (new connections wait in the accept backlog) until
 *       a connection closes;</li>
 *   <li>{@code max.connection.creation.rate} (broker-wide and per listener): a connection over the
 *       rate waits, and the listener with it, until the rate is back within bounds (at most one
 *       quota window);</li>
 *   <li>{@code connection_creation_rate} client quotas by IP (set through AlterClientQuotas, with
 *       a default): a connection over its IP's rate is closed after the throttle time;</li>
 *   <li>{@code max.connections.per.ip} and {@code max.connections.per.ip.overrides}: a connection
 *       beyond its IP's limit is closed at once.</li>
 * </ul>
 *
 * <p>One instance per server; {@link #gate} gives the handler that sits on each listener's server
 * channel, before Netty's acceptor. Counts change under this object's lock (connections are
 * accepted on the acceptor loop and closed on any loop); IP rate quotas may be updated from any
 * thread. Nothing here runs per request.
 */
public final class ConnectionQuotas {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionQuotas.class);
    /** How often a listener that waits for a free connection slot looks again, besides on every close. */
    private static final long SLOT_RECHECK_MS = 100;

    /** The limits read from the broker configuration. */
    public record Limits(
            int maxConnections,
            Map<String, Integer> maxConnectionsPerListener,
            int maxConnectionsPerIp,
            Map<InetAddress, Integer> maxConnectionsPerIpOverrides,
            int maxConnectionCreationRate,
            Map<String, Integer> maxConnectionCreationRatePerListener,
            int quotaWindowNum,
            int quotaWindowSizeSeconds) {
        /**
         * The limits of {@code config}; throws {@link ConfigException} for overrides that do not
         * parse or name hosts that do not resolve, and for max.connections.per.ip=0 without overrides.
         */
        public static Limits of(BrokerConfig config) {
            int perIp = config.getInt(BrokerConfig.MAX_CONNECTIONS_PER_IP);
            String text = config.getString(BrokerConfig.MAX_CONNECTIONS_PER_IP_OVERRIDES);
            Map<InetAddress, Integer> overrides = new HashMap<>();
            if (text != null && !text.isBlank()) {
                for (String entry : text.split(",")) {
                    String e = entry.trim();
                    int colon = e.lastIndexOf(':');
                    try {
                        if (colon <= 0) {
                            throw new NumberFormatException();
                        }
                        int count = Integer.parseInt(e.substring(colon + 1).trim());
                        if (count < 0) {
                            throw new NumberFormatException();
                        }
                        overrides.put(
                                InetAddress.getByName(e.substring(0, colon).trim()), count);
                    } catch (NumberFormatException | UnknownHostException bad) {
                        throw new ConfigException(
                                BrokerConfig.MAX_CONNECTIONS_PER_IP_OVERRIDES,
                                text,
                                "expected host:count entries with a resolvable host and a count of at least 0");
                    }
                }
            }
            if (perIp == 0 && overrides.isEmpty()) {
                throw new ConfigException(
                        BrokerConfig.MAX_CONNECTIONS_PER_IP,
                        0,
                        "max.connections.per.ip can be set to zero only if max.connections.per.ip.overrides"
                                + " property is set");
            }
            return new Limits(
                    config.getInt(BrokerConfig.MAX_CONNECTIONS),
                    perListener(config, BrokerConfig.MAX_CONNECTIONS),
                    perIp,
                    Map.copyOf(overrides),
                    config.getInt(BrokerConfig.MAX_CONNECTION_CREATION_RATE),
                    perListener(config, BrokerConfig.MAX_CONNECTION_CREATION_RATE),
                    config.getInt(BrokerConfig.QUOTA_WINDOW_NUM),
                    config.getInt(BrokerConfig.QUOTA_WINDOW_SIZE_SECONDS));
        }

        /** The listeners that set {@code listener.name.L.<key>}, with that value. */
        private static Map<String, Integer> perListener(BrokerConfig config, String key) {
            Map<String, Integer> limits = new HashMap<>();
            for (EndPoint listener : config.listeners()) {
                String value = config.listenerOnly(SecurityConfigs.listenerKey(listener.listenerName, key));
                if (value != null) {
                    limits.put(listener.listenerName, Integer.parseInt(value.trim()));
                }
            }
            return Map.copyOf(limits);
        }

        /** No limits at all (tests). */
        public static Limits none() {
            return new Limits(
                    Integer.MAX_VALUE, Map.of(), Integer.MAX_VALUE, Map.of(), Integer.MAX_VALUE, Map.of(), 11, 1);
        }
    }

    /** Replaced whole by {@link #updateLimits} (dynamic broker configs); the quota window never changes. */
    private volatile Limits limits;

    private final LongSupplier clockMs;
    private final long maxThrottleMs;
    private final Map<InetAddress, Integer> perIp = new HashMap<>();
    private final Map<String, Integer> perListener = new HashMap<>();
    private int total;
    private final SampledRate brokerRate;
    private final Map<String, SampledRate> listenerRates = new HashMap<>();
    private volatile int defaultIpRate = Integer.MAX_VALUE;
    private final Map<InetAddress, Integer> ipRates = new ConcurrentHashMap<>();
    private final Map<InetAddress, SampledRate> ipRateSensors = new ConcurrentHashMap<>();
    private final List<Gate> gates = new CopyOnWriteArrayList<>();

    public ConnectionQuotas(Limits limits, LongSupplier clockMs) {
        this.limits = limits;
        this.clockMs = clockMs;
        this.maxThrottleMs = TimeUnit.SECONDS.toMillis(limits.quotaWindowSizeSeconds());
        this.brokerRate = newRate();
    }

    private SampledRate newRate() {
        return new SampledRate(limits.quotaWindowNum(), TimeUnit.SECONDS.toMillis(limits.quotaWindowSizeSeconds()));
    }

    /**
     * Applies new connection limits (a dynamic change of max.connections, max.connections.per.ip,
     * its overrides or max.connection.creation.rate) to connections accepted from now on; open
     * connections stay. A listener waiting for a free slot looks again within its recheck interval.
     * The quota window of {@code next} is not used: the rates keep the window they started with.
     */
    public void updateLimits(Limits next) {
        limits = next;
        LOG.info(
                "Connection limits are now max.connections={}, max.connections.per.ip={} ({} overrides),"
                        + " max.connection.creation.rate={}",
                next.maxConnections(),
                next.maxConnectionsPerIp(),
                next.maxConnectionsPerIpOverrides().size(),
                next.maxConnectionCreationRate());
        for (Gate g : gates) {
            g.slotFreed();
        }
    }

    /** The connection limits in force. */
    public Limits limits() {
        return limits;
    }

    /** The handler to put first on the server channel of {@code listenerName}. */
    public ChannelHandler gate(String listenerName) {
        synchronized (this) {
            perListener.putIfAbsent(listenerName, 0);
        }
        Gate g = new Gate(listenerName);
        gates.add(g);
        return g;
    }

    /**
     * Sets the connection creation rate quota of {@code ip} (null: the default of every IP without
     * its own); {@code rate} null removes it.
     */
    public void ipConnectionRate(InetAddress ip, Integer rate) {
        if (ip == null) {
            defaultIpRate = rate == null ? Integer.MAX_VALUE : rate;
        } else if (rate == null) {
            ipRates.remove(ip);
        } else {
            ipRates.put(ip, rate);
        }
        LOG.info("Connection creation rate quota of {} is now {}", ip == null ? "<default> IPs" : ip, rate);
    }

    /** Forgets every IP connection rate quota (before the current set is applied again). */
    public void clearIpConnectionRates() {
        defaultIpRate = Integer.MAX_VALUE;
        ipRates.clear();
    }

    /** The connection creation rate quota that applies to {@code ip}. */
    public int connectionRateForIp(InetAddress ip) {
        return ipRates.getOrDefault(ip, defaultIpRate);
    }

    /** Connections open from {@code ip}. */
    public synchronized int connections(InetAddress ip) {
        return perIp.getOrDefault(ip, 0);
    }

    /** Connections open per listener name (a copy; every listener served is in it, 0 when none is open). */
    public synchronized Map<String, Integer> connectionsPerListener() {
        return new LinkedHashMap<>(perListener);
    }

    /** Connections open on every listener. */
    public synchronized int connections() {
        return total;
    }

    private synchronized boolean slotAvailable(String listener) {
        int max = limits.maxConnectionsPerListener().getOrDefault(listener, Integer.MAX_VALUE);
        return perListener.getOrDefault(listener, 0) < max && total < limits.maxConnections();
    }

    /** Records a new connection on the broker and listener rates; answers how long it must wait. */
    private synchronized long recordListenerRate(String listener, long nowMs) {
        long ms = 0;
        if (limits.maxConnectionCreationRate() != Integer.MAX_VALUE) {
            ms = brokerRate.recordAndThrottleMs(1, nowMs, limits.maxConnectionCreationRate(), maxThrottleMs);
        }
        Integer listenerMax = limits.maxConnectionCreationRatePerListener().get(listener);
        if (listenerMax != null && listenerMax != Integer.MAX_VALUE) {
            SampledRate r = listenerRates.computeIfAbsent(listener, l -> newRate());
            ms = Math.max(ms, r.recordAndThrottleMs(1, nowMs, listenerMax, maxThrottleMs));
        }
        return ms;
    }

    /**
     * Registers a connection from {@code ip} that passed the listener's limits: answers 0 when it
     * is accepted (and counted), -1 when its IP has too many connections, or the throttle time
     * after which it is closed for going over its IP's connection creation rate.
     */
    private synchronized long register(String listener, InetAddress ip, long nowMs) {
        int rateQuota = connectionRateForIp(ip);
        if (rateQuota != Integer.MAX_VALUE) {
            SampledRate sensor = ipRateSensors.computeIfAbsent(ip, a -> newRate());
            long ms = sensor.recordAndThrottleMs(1, nowMs, rateQuota, maxThrottleMs);
            if (ms > 0) {
                sensor.record(-1, nowMs);
                brokerRate.record(-1, nowMs);
                SampledRate lr = listenerRates.get(listener);
                if (lr != null) {
                    lr.record(-1, nowMs);
                }
                return ms;
            }
        }
        int count = perIp.getOrDefault(ip, 0);
        int max = limits.maxConnectionsPerIpOverrides().getOrDefault(ip, limits.maxConnectionsPerIp());
        if (count >= max) {
            LOG.info(
                    "Rejected connection from {}, address already has the configured maximum of {} connections.",
                    ip,
                    max);
            return -1;
        }
        perIp.put(ip, count + 1);
        perListener.merge(listener, 1, Integer::sum);
        total++;
        return 0;
    }

    private void closed(String listener, InetAddress ip) {
        synchronized (this) {
            Integer count = perIp.get(ip);
            if (count != null) {
                if (count <= 1) {
                    perIp.remove(ip);
                } else {
                    perIp.put(ip, count - 1);
                }
            }
            perListener.merge(listener, -1, Integer::sum);
            total--;
        }
        for (Gate g : gates) {
            g.slotFreed();
        }
    }

    /**
     * The server-channel handler of one listener: sees each accepted connection before Netty's
     * acceptor registers it, and holds it back, closes it or passes it on. Runs on the
     * listener's acceptor loop.
     */
    private final class Gate extends ChannelInboundHandlerAdapter {
        private final String listener;
        private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
        private final Runnable retry = this::retry;
        private ChannelHandlerContext ctx;

        Gate(String listener) {
            this.listener = listener;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof Channel child)) {
                ctx.fireChannelRead(msg);
                return;
            }
            long nowMs = clockMs.getAsLong();
            long waitMs = recordListenerRate(listener, nowMs);
            waiting.add(new Waiting(child, nowMs + waitMs));
            retry();
        }

        /** Called from any thread when a connection closed. */
        void slotFreed() {
            ChannelHandlerContext c = ctx;
            if (c != null && !c.executor().isShuttingDown()) {
                c.executor().execute(retry);
            }
        }

        private void retry() {
            while (!waiting.isEmpty()) {
                Waiting head = waiting.peek();
                long nowMs = clockMs.getAsLong();
                if (head.readyAtMs > nowMs) {
                    pause(head.readyAtMs - nowMs);
                    return;
                }
                if (!slotAvailable(listener)) {
                    pause(SLOT_RECHECK_MS);
                    return;
                }
                waiting.poll();
                admit(head.channel, nowMs);
            }
            if (!ctx.channel().config().isAutoRead()) {
                ctx.channel().config().setAutoRead(true);
                ctx.read();
            }
        }

        private void pause(long ms) {
            ctx.channel().config().setAutoRead(false);
            ctx.executor().schedule(retry, ms, TimeUnit.MILLISECONDS);
        }

        private void admit(Channel child, long nowMs) {
            InetAddress ip = child.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
            if (ip == null) {
                ctx.fireChannelRead(child);
                return;
            }
            long outcome = register(listener, ip, nowMs);
            if (outcome < 0) {
                child.unsafe().closeForcibly();
            } else if (outcome > 0) {
                LOG.debug("Delaying closing of connection from {} for {} ms", ip, outcome);
                ctx.executor().schedule(() -> child.unsafe().closeForcibly(), outcome, TimeUnit.MILLISECONDS);
            } else {
                child.closeFuture().addListener(f -> closed(listener, ip));
                ctx.fireChannelRead(child);
            }
        }
    }

    private record Waiting(Channel channel, long readyAtMs) {}
}
