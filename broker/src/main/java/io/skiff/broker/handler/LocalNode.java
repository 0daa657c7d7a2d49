package io.skiff.broker.handler;

import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.config.DynamicBrokerConfig;
import io.skiff.broker.config.EndPoint;
import java.util.List;
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

    private final DynamicBrokerConfig config;
    private final Supplier<String> clusterId;
    private final Supplier<List<EndPoint>> advertised;

    public LocalNode(BrokerConfig config, Supplier<String> clusterId, Supplier<List<EndPoint>> advertised) {
        this(DynamicBrokerConfig.of(config), clusterId, advertised);
    }

    public LocalNode(DynamicBrokerConfig config, Supplier<String> clusterId, Supplier<List<EndPoint>> advertised) {
        this.config = config;
        this.clusterId = clusterId;
        this.advertised = advertised;
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
