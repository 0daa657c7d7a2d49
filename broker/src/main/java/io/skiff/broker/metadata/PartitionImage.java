package io.skiff.broker.metadata;

import java.util.List;

/**
 * One partition of a cluster's topic as the metadata image knows it: replicas (the first is the
 * preferred leader), in-sync replicas, leader (-1 while there is none), leader epoch and partition
 * epoch. Immutable.
 */
public record PartitionImage(
        List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch, int partitionEpoch) {
    /** No leader. */
    public static final int NO_LEADER = -1;

    public PartitionImage {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
    }

    public boolean hasLeader() {
        return leader != NO_LEADER;
    }

    public boolean isReplica(int nodeId) {
        return replicas.contains(nodeId);
    }

    public boolean inIsr(int nodeId) {
        return isr.contains(nodeId);
    }

    /** This partition after {@code change}. */
    PartitionImage with(MetadataRecord.PartitionChanged change) {
        return new PartitionImage(
                replicas, change.isr(), change.leader(), change.leaderEpoch(), change.partitionEpoch());
    }
}
