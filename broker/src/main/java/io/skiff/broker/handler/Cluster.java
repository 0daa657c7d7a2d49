package io.skiff.broker.handler;

import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.config.EndPoint;
import java.util.List;
import java.util.function.Supplier;

/**
 * What handlers need to know about the cluster: this node (the only broker, the controller and
 * the leader of every partition), the cluster id and the advertised endpoints. Thread-safe.
 */
public final class Cluster {
    /** Leader epoch of every partition: a single node never changes leaders. */
    public static final int LEADER_EPOCH = 0;
    /** AclOperation bits of everything a topic allows when no authorizer is configured. */
    public static final int ALL_TOPIC_OPERATIONS = (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8)
        | (1 << 10) | (1 << 11);
    /** AclOperation bits of everything the cluster allows when no authorizer is configured. */
    public static final int ALL_CLUSTER_OPERATIONS = (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11)
        | (1 << 12) | (1 << 13) | (1 << 14);
    /** Authorized-operations value when the client did not ask for them. */
    public static final int OPERATIONS_NOT_REQUESTED = Integer.MIN_VALUE;

    private final BrokerConfig config;
    private final Supplier<String> clusterId;
    private final Supplier<List<EndPoint>> advertised;

    public Cluster(BrokerConfig config, Supplier<String> clusterId, Supplier<List<EndPoint>> advertised) {
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

    public BrokerConfig config() {
        return config;
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

    /** The single-element replica list of every partition. */
    public List<Integer> replicas() {
        return List.of(config.nodeId());
    }
}
