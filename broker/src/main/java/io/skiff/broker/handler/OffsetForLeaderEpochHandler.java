package io.skiff.broker.handler;

import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.partition.Partition;
import io.skiff.broker.partition.PartitionManager;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.broker.security.authz.ResourceType;
import io.skiff.wire.message.OffsetForLeaderEpochRequest;
import io.skiff.wire.message.OffsetForLeaderEpochResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.List;

/**
 * OffsetForLeaderEpoch (key 23), versions 2-4: the end offset of a leader epoch, which consumers
 * use to detect log truncation (KIP-320): from the partition's leader epoch checkpoint, the
 * largest epoch at or below the requested one and the offset where the next epoch began (the log
 * end for the current epoch); (-1, -1) for an epoch after the latest. The client's current leader
 * epoch is checked by the partition (FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH). Each topic needs
 * DESCRIBE, or the client CLUSTER_ACTION on the cluster (TOPIC_AUTHORIZATION_FAILED).
 */
public final class OffsetForLeaderEpochHandler extends ApiHandler<OffsetForLeaderEpochRequest> {
    private final MetadataManager metadata;
    private final PartitionManager partitionManager;

    private final Authorizer authorizer;

    public OffsetForLeaderEpochHandler(MetadataManager metadata, PartitionManager partitions, Authorizer authorizer) {
        super(ApiKeys.OFFSET_FOR_LEADER_EPOCH, 2, 4);
        this.metadata = metadata;
        this.partitionManager = partitions;
        this.authorizer = authorizer;
    }

    @Override
    public void handle(RequestContext context, OffsetForLeaderEpochRequest request) {
        MetadataImage image = metadata.image();
        List<OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult> topics = new ArrayList<>();
        boolean clusterAction = authorizer.authorizeCluster(context, AclOperation.CLUSTER_ACTION);
        for (OffsetForLeaderEpochRequest.OffsetForLeaderTopic t : request.topics()) {
            boolean denied = !clusterAction
                    && !authorizer.authorize(context, AclOperation.DESCRIBE, ResourceType.TOPIC, t.topic());
            List<OffsetForLeaderEpochResponse.EpochEndOffset> partitions = new ArrayList<>();
            for (OffsetForLeaderEpochRequest.OffsetForLeaderPartition p : t.partitions()) {
                OffsetForLeaderEpochResponse.EpochEndOffset out = new OffsetForLeaderEpochResponse.EpochEndOffset()
                        .setPartition(p.partition())
                        .setLeaderEpoch(-1)
                        .setEndOffset(-1);
                Partition partition = partitionManager.partition(image.topic(t.topic()), p.partition());
                Errors error = denied
                        ? Errors.TOPIC_AUTHORIZATION_FAILED
                        : partition == null
                                ? partitionManager.missing(image.topic(t.topic()), p.partition())
                                : partition.checkLeaderEpoch(p.currentLeaderEpoch());
                out.setErrorCode(error.code);
                if (error == Errors.NONE) {
                    long[] end = partition.endOffsetForEpoch(p.leaderEpoch());
                    out.setLeaderEpoch((int) end[0]).setEndOffset(end[1]);
                }
                partitions.add(out);
            }
            topics.add(new OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult()
                    .setTopic(t.topic())
                    .setPartitions(partitions));
        }
        context.respond(new OffsetForLeaderEpochResponse().setTopics(topics));
    }
}
