package io.skiff.broker.handler;

import io.skiff.broker.log.ReplicaManager;
import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.storage.PartitionLog;
import io.skiff.storage.TimestampAndOffset;
import io.skiff.wire.message.ListOffsetsRequest;
import io.skiff.wire.message.ListOffsetsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.List;

/**
 * ListOffsets (key 2), versions 1-11: latest (-1, the high watermark, or the last stable
 * offset for read_committed), earliest (-2), max timestamp (-3), earliest local (-4), latest
 * tiered (-5) and earliest pending upload (-6), or the first offset whose timestamp is at or
 * after a given time, found through the time index. Answers never point past what the
 * isolation level may read.
 */
public final class ListOffsetsHandler extends ApiHandler<ListOffsetsRequest> {
    private static final byte READ_COMMITTED = 1;

    private final MetadataManager metadata;
    private final ReplicaManager replicas;

    public ListOffsetsHandler(MetadataManager metadata, ReplicaManager replicas) {
        super(ApiKeys.LIST_OFFSETS, 1, 11);
        this.metadata = metadata;
        this.replicas = replicas;
    }

    @Override
    public void handle(RequestContext context, ListOffsetsRequest request) {
        MetadataImage image = metadata.image();
        boolean readCommitted = context.apiVersion >= 2 && request.isolationLevel() == READ_COMMITTED;
        List<ListOffsetsResponse.ListOffsetsTopicResponse> topics = new ArrayList<>();
        for (ListOffsetsRequest.ListOffsetsTopic t : request.topics()) {
            TopicImage topic = image.topic(t.name());
            List<ListOffsetsResponse.ListOffsetsPartitionResponse> partitions = new ArrayList<>();
            for (ListOffsetsRequest.ListOffsetsPartition p : t.partitions()) {
                ListOffsetsResponse.ListOffsetsPartitionResponse out = new ListOffsetsResponse.ListOffsetsPartitionResponse()
                    .setPartitionIndex(p.partitionIndex()).setTimestamp(-1).setOffset(-1).setLeaderEpoch(-1);
                PartitionLog log = replicas.log(topic, p.partitionIndex());
                if (log == null) {
                    out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code);
                } else if (p.currentLeaderEpoch() > Cluster.LEADER_EPOCH) {
                    out.setErrorCode(Errors.UNKNOWN_LEADER_EPOCH.code);
                } else if (p.currentLeaderEpoch() >= 0 && p.currentLeaderEpoch() < Cluster.LEADER_EPOCH) {
                    out.setErrorCode(Errors.FENCED_LEADER_EPOCH.code);
                } else {
                    long fetchable = readCommitted ? log.lastStableOffset() : log.highWatermark();
                    long ts = p.timestamp();
                    boolean withEpoch = context.apiVersion >= 4; // leader epochs are answered from version 4
                    if (ts == -1L) {
                        out.setOffset(fetchable).setLeaderEpoch(withEpoch ? log.latestEpoch() : -1);
                    } else {
                        TimestampAndOffset found = log.offsetForTimestamp(ts);
                        boolean special = ts < 0;
                        if (found.found() && (special || found.offset() < fetchable)) {
                            out.setTimestamp(found.timestamp()).setOffset(found.offset())
                                .setLeaderEpoch(withEpoch ? found.leaderEpoch() : -1);
                        }
                    }
                    out.setErrorCode(Errors.NONE.code);
                }
                partitions.add(out);
            }
            topics.add(new ListOffsetsResponse.ListOffsetsTopicResponse().setName(t.name()).setPartitions(partitions));
        }
        context.respond(new ListOffsetsResponse().setTopics(topics));
    }
}
