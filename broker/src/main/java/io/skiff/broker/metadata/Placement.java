package io.skiff.broker.metadata;

import java.util.List;
import java.util.TreeSet;

/**
 * Which node leads (and, with one replica per partition, holds) each partition. A single node
 * holds every partition. In a cluster the partitions of a topic go round-robin over the voters'
 * node ids, from a start that the topic id decides, so every node computes the same answer from
 * the same image and configuration, without a record. Immutable.
 */
public interface Placement {
    /** The node that leads partition {@code partition} of {@code topic}. */
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
}
