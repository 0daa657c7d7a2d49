package io.skiff.broker.metadata;

import io.skiff.wire.protocol.Uuid;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Where partitions go. A cluster's new partitions get {@link #assign replicas} once, recorded in
 * {@link MetadataRecord.PartitionCreated} records; {@link #leaderOf} is the leader of a partition
 * that has no recorded state: every partition on a single node, and the one replica of a cluster
 * topic created before partition states were recorded (round-robin over the voters' node ids from
 * a start the topic id decides, so every node computes the same answer). Immutable.
 */
public interface Placement {
    /** The node that leads partition {@code partition} of {@code topic} when the image records no state for it. */
    int leaderOf(TopicImage topic, int partition);

    /** Every partition on {@code nodeId}. */
    static Placement single(int nodeId) {
        return (topic, partition) -> nodeId;
    }

    /** The partitions of each topic spread over {@code nodeIds} in node id order. */
    static Placement roundRobin(List<Integer> nodeIds) {
        int[] ids = new TreeSet<>(nodeIds).stream().mapToInt(Integer::intValue).toArray();
        return (topic, partition) ->
                ids[Math.floorMod(Math.floorMod(topic.id().hashCode(), ids.length) + partition, ids.length)];
    }

    /**
     * The replicas of partitions {@code first} to {@code first + count - 1} of the topic with
     * {@code topicId}: {@code replicationFactor} consecutive brokers of {@code brokers} (taken in
     * node id order), partition {@code p} starting at the broker after partition {@code p - 1}'s
     * first, partition 0 at a broker the topic id decides. Leaders (the first replica) are so
     * spread evenly. {@code replicationFactor} must not exceed the broker count.
     */
    static List<List<Integer>> assign(
            Uuid topicId, int first, int count, int replicationFactor, List<Integer> brokers) {
        int[] ids = new TreeSet<>(brokers).stream().mapToInt(Integer::intValue).toArray();
        if (replicationFactor < 1 || replicationFactor > ids.length) {
            throw new IllegalArgumentException(
                    "replication factor " + replicationFactor + " over " + ids.length + " brokers");
        }
        int start = Math.floorMod(topicId.hashCode(), ids.length);
        List<List<Integer>> out = new ArrayList<>(count);
        for (int p = first; p < first + count; p++) {
            List<Integer> replicas = new ArrayList<>(replicationFactor);
            for (int r = 0; r < replicationFactor; r++) {
                replicas.add(ids[Math.floorMod(start + p + r, ids.length)]);
            }
            out.add(List.copyOf(replicas));
        }
        return out;
    }
}
