package io.skiff.coordinator.runtime;

import java.util.concurrent.CompletableFuture;

/**
 * A coordinator whose state is split into shards, one per partition of an internal topic
 * ({@code __consumer_offsets} for groups, {@code __transaction_state} for transactions): what
 * the broker's coordinator host calls as this node gains and loses the leadership of those
 * partitions. Implementations keep their shards in a {@link CoordinatorShards}. Thread-safe.
 *
 * <p>Leader epochs fence stale changes, as in Kafka: an election loads the partition only if its
 * epoch is above the epoch of the shard hosted now, and a resignation unloads it only if its
 * epoch is above the hosted shard's (or is {@link CoordinatorShards#UNKNOWN_LEADER_EPOCH}, as
 * when the topic is deleted).
 */
public interface ShardedCoordinator extends AutoCloseable {

    /** The partition of the internal topic that holds the state of {@code key} (a group id, a transactional id). */
    int partitionFor(String key);

    /**
     * This node leads {@code partition} in {@code leaderEpoch} now: its shard loads {@code log} and
     * then serves the partition. The future completes when the load is done.
     */
    CompletableFuture<Void> onElection(int partition, int leaderEpoch, CoordinatorLog log);

    /**
     * This node no longer leads {@code partition} ({@code leaderEpoch} is the epoch of the change):
     * the shard unloads and its pending requests get NOT_COORDINATOR.
     */
    CompletableFuture<Void> onResignation(int partition, int leaderEpoch);

    /** Whether a shard of {@code partition} is hosted here (loading or serving). */
    boolean hosts(int partition);

    /** Unloads every shard and stops the coordinator's threads. */
    @Override
    void close();
}
