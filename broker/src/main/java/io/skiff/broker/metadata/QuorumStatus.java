package io.skiff.broker.metadata;

import java.util.List;

/**
 * The metadata quorum as DescribeQuorum reports it: the leader (-1 when none is known), its epoch
 * (the Raft term), the high watermark (the commit index) and each voter's log end offset as far as
 * this node knows it (-1 when unknown). Immutable.
 */
public record QuorumStatus(int leaderId, long leaderEpoch, long highWatermark, List<Replica> voters) {
    /** One voter's progress. */
    public record Replica(int nodeId, long logEndOffset, long lastCaughtUpTimestamp) {}
}
