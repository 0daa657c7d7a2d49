package io.skiff.broker.handler;

import io.skiff.broker.log.ReplicaManager;
import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.storage.PartitionLog;
import io.skiff.wire.message.OffsetForLeaderEpochRequest;
import io.skiff.wire.message.OffsetForLeaderEpochResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.List;

/**
 * OffsetForLeaderEpoch (key 23), versions 2-4: the end offset of a leader epoch, which consumers
 * use to detect log truncation (KIP-320). A single node has led every partition at epoch 0 since
 * its creation, so epoch 0 ends at the log end and any other epoch is unknown (-1, -1), as Apache
 * Kafka answers for a partition whose only epoch is 0. A current leader epoch above 0 is
 * UNKNOWN_LEADER_EPOCH.
 */
public final class OffsetForLeaderEpochHandler extends ApiHandler<OffsetForLeaderEpochRequest> {
    private final MetadataManager metadata;
    private final ReplicaManager replicas;

    public OffsetForLeaderEpochHandler(MetadataManager metadata, ReplicaManager replicas) {
        super(ApiKeys.OFFSET_FOR_LEADER_EPOCH, 2, 4);
        this.metadata = metadata;
        this.replicas = replicas;
    }

    @Override
    public void handle(RequestContext context, OffsetForLeaderEpochRequest request) {
        MetadataImage image = metadata.image();
        List<OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult> topics = new ArrayList<>();
        for (OffsetForLeaderEpochRequest.OffsetForLeaderTopic t : request.topics()) {
            List<OffsetForLeaderEpochResponse.EpochEndOffset> partitions = new ArrayList<>();
            for (OffsetForLeaderEpochRequest.OffsetForLeaderPartition p : t.partitions()) {
                OffsetForLeaderEpochResponse.EpochEndOffset out = new OffsetForLeaderEpochResponse.EpochEndOffset()
                    .setPartition(p.partition()).setLeaderEpoch(-1).setEndOffset(-1);
                PartitionLog log = replicas.log(image.topic(t.topic()), p.partition());
                if (log == null) {
                    out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code);
                } else if (p.currentLeaderEpoch() > Cluster.LEADER_EPOCH) {
                    out.setErrorCode(Errors.UNKNOWN_LEADER_EPOCH.code);
                } else if (p.currentLeaderEpoch() >= 0 && p.currentLeaderEpoch() < Cluster.LEADER_EPOCH) {
                    out.setErrorCode(Errors.FENCED_LEADER_EPOCH.code);
                } else {
                    out.setErrorCode(Errors.NONE.code);
                    if (p.leaderEpoch() == Cluster.LEADER_EPOCH) {
                        out.setLeaderEpoch(Cluster.LEADER_EPOCH).setEndOffset(log.logEndOffset());
                    }
                }
                partitions.add(out);
            }
            topics.add(new OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult().setTopic(t.topic())
                .setPartitions(partitions));
        }
        context.respond(new OffsetForLeaderEpochResponse().setTopics(topics));
    }
}
