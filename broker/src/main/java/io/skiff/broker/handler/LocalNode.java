package io.skiff.broker.handler;

import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.config.DynamicBrokerConfig;
import io.skiff.broker.config.EndPoint;
import io.skiff.broker.metadata.BrokerImage;
import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * What handlers need to know about this broker: its node id, the cluster id, its configuration
 * and the endpoints it advertises per listener. Which node leads a partition, and at which epoch,
 * is the partition layer's to say. Thread-safe.
 */
public final class LocalNode {
    /** AclOperation bits of everything a topic allows when no authorizer is configured. */
    public static final int ALL_TOPIC_OPERATIONS =
            (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 11);
    /** AclOperation bits of everything the cluster allows when no authorizer is configured. */
    public static final int ALL_CLUSTER_OPERATIONS =
            (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12) | (1 << 13) | (1 << 14);
    /** Authorized-operations value when the client did not ask for them. */
    public static final int OPERATIONS_NOT_REQUESTED = Integer.MIN_VALUE;

    /** A live broker as Metadata and DescribeCluster list it. */
    public record Broker(int nodeId, String host, int port, String rack, boolean fenced) {}

    private final DynamicBrokerConfig config;
    private final Supplier<String> clusterId;
    private final Supplier<List<EndPoint>> advertised;
    private final Supplier<MetadataImage> image;
    private final IntSupplier controllerId;

    /** A single node: the only broker and its own controller. */
    public LocalNode(BrokerConfig config, Supplier<String> clusterId, Supplier<List<EndPoint>> advertised) {
        this(DynamicBrokerConfig.of(config), clusterId, advertised);
    }

    public LocalNode(DynamicBrokerConfig config, Supplier<String> clusterId, Supplier<List<EndPoint>> advertised) {
        this(config, clusterId, advertised, () -> MetadataImage.EMPTY, config::nodeId);
    }

    /**
     * A node of a cluster: the brokers are those registered in {@code image}, the controller the
     * active one ({@code controllerId}, -1 when unknown).
     */
    public LocalNode(
            DynamicBrokerConfig config,
            Supplier<String> clusterId,
            Supplier<List<EndPoint>> advertised,
            Supplier<MetadataImage> image,
            IntSupplier controllerId) {
        this.config = config;
        this.clusterId = clusterId;
        this.advertised = advertised;
        this.image = image;
        this.controllerId = controllerId;
    }

    /** The node id of the active controller: this node on a single node; -1 while none is known. */
    public int controllerId() {
        return controllerId.getAsInt();
    }

    /** Whether {@code nodeId} is this node or a registered, unfenced broker. */
    public boolean isLive(int nodeId) {
        if (nodeId == nodeId()) {
            return true;
        }
        BrokerImage b = image.get().brokers().get(nodeId);
        return b != null && !b.fenced();
    }

    /** The endpoint of broker {@code nodeId} on {@code listenerName}, or null when it has none or is not live. */
    public Broker broker(int nodeId, String listenerName) {
        for (Broker b : brokers(listenerName, false)) {
            if (b.nodeId() == nodeId) {
                return b;
            }
        }
        return null;
    }

    /**
     * The brokers reachable on {@code listenerName}, in node id order: on a single node this one
     * (when the listener is one of its own); in a cluster every registered broker with that
     * listener, the fenced ones only when {@code includeFenced}.
     */
    public List<Broker> brokers(String listenerName, boolean includeFenced) {
        Map<Integer, BrokerImage> registered = image.get().brokers();
        List<Broker> out = new ArrayList<>();
        if (registered.isEmpty()) {
            EndPoint self = endPoint(listenerName);
            if (self != null) {
                out.add(new Broker(nodeId(), self.host, self.port, null, false));
            }
            return out;
        }
        for (BrokerImage b : registered.values()) {
            MetadataRecord.BrokerRegistered.Listener l = b.listener(listenerName);
            if (l != null && (includeFenced || !b.fenced())) {
                out.add(new Broker(
                        b.nodeId(), l.host(), l.port(), b.registration().rack(), b.fenced()));
            }
        }
        return out;
    }

    public int nodeId() {
        return config.nodeId();
    }

    public String clusterId() {
        return clusterId.get();
    }

    /** The configuration now, dynamic broker configs included. */
    public BrokerConfig config() {
        return config.current();
    }

    /** The static configuration (properties, environment, overrides) without dynamic values. */
    public BrokerConfig staticConfig() {
        return config.staticConfig();
    }

    /** The advertised endpoint of the listener a request arrived on, or null. */
    public EndPoint endPoint(String listenerName) {
        for (EndPoint e : advertised.get()) {
            if (e.listenerName.equals(listenerName)) {
                return e;
            }
        }
        return null;
    }
}
