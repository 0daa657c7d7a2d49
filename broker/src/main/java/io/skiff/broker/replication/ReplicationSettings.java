package io.skiff.broker.replication;

import io.skiff.broker.config.BrokerConfig;

/**
 * The replica fetchers' settings, read once at start-up with Kafka's names:
 * {@code num.replica.fetchers}, {@code replica.fetch.max.bytes},
 * {@code replica.fetch.response.max.bytes}, {@code replica.fetch.wait.max.ms},
 * {@code replica.fetch.min.bytes}, {@code replica.fetch.backoff.ms}, {@code replica.lag.time.max.ms},
 * and the listener of other brokers to connect to. Immutable.
 */
public record ReplicationSettings(
        int nodeId,
        String interBrokerListener,
        int numFetchers,
        int fetchMaxBytes,
        int fetchResponseMaxBytes,
        int fetchWaitMaxMs,
        int fetchMinBytes,
        int fetchBackoffMs,
        long lagTimeMaxMs) {
    public static ReplicationSettings of(BrokerConfig config) {
        return new ReplicationSettings(
                config.nodeId(),
                config.interBrokerListenerName(),
                config.getInt(BrokerConfig.NUM_REPLICA_FETCHERS),
                config.getInt(BrokerConfig.REPLICA_FETCH_MAX_BYTES),
                config.getInt(BrokerConfig.REPLICA_FETCH_RESPONSE_MAX_BYTES),
                config.getInt(BrokerConfig.REPLICA_FETCH_WAIT_MAX_MS),
                config.getInt(BrokerConfig.REPLICA_FETCH_MIN_BYTES),
                config.getInt(BrokerConfig.REPLICA_FETCH_BACKOFF_MS),
                config.getLong(BrokerConfig.REPLICA_LAG_TIME_MAX_MS));
    }
}
