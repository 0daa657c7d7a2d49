package io.skiff.broker.handler;

import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.partition.Partition;
import io.skiff.broker.partition.PartitionManager;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.broker.security.authz.ResourceType;
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
 * isolation level may read. Each topic needs DESCRIBE (TOPIC_AUTHORIZATION_FAILED).
 */
public final class ListOffsetsHandler extends ApiHandler<ListOffsetsRequest> {
    private static final byte READ_COMMITTED = 1;

    private final MetadataManager metadata;
    private final PartitionManager partitionManager;

    private final Authorizer authorizer;

    public ListOffsetsHandler(MetadataManager metadata, PartitionManager partitions, Authorizer authorizer) {
        super(ApiKeys.LIST_OFFSETS, 1, 11);
        this.metadata = metadata;
        this.partitionManager = partitions;
        this.authorizer = authorizer;
    }

    @Override
    public void handle(RequestContext context, ListOffsetsRequest request) {
        MetadataImage image = metadata.image();
        boolean readCommitted = context.apiVersion >= 2 && request.isolationLevel() == READ_COMMITTED;
        List<ListOffsetsResponse.ListOffsetsTopicResponse> topics = new ArrayList<>();
        for (ListOffsetsRequest.ListOffsetsTopic t : request.topics()) {
            TopicImage topic = image.topic(t.name());
            boolean denied = !authorizer.authorize(context, AclOperation.DESCRIBE, ResourceType.TOPIC, t.name());
            List<ListOffsetsResponse.ListOffsetsPartitionResponse> partitions = new ArrayList<>();
            for (ListOffsetsRequest.ListOffsetsPartition p : t.partitions()) {
                ListOffsetsResponse.ListOffsetsPartitionResponse out =
                        new ListOffsetsResponse.ListOffsetsPartitionResponse()
                                .setPartitionIndex(p.partitionIndex())
                                .setTimestamp(-1)
                                .setOffset(-1)
                                .setLeaderEpoch(-1);
                Partition partition = partitionManager.partition(topic, p.partitionIndex());
                Errors error = denied
                        ? Errors.TOPIC_AUTHORIZATION_FAILED
                        : partition == null
                                ? partitionManager.missing(topic, p.partitionIndex())
                                : partition.checkLeaderEpoch(p.currentLeaderEpoch());
                if (error != Errors.NONE) {
                    out.setErrorCode(error.code);
                } else {
                    PartitionLog log = partition.log();
                    long fetchable = partition.fetchableOffset(readCommitted);
                    long ts = p.timestamp();
                    boolean withEpoch = context.apiVersion >= 4; // leader epochs are answered from version 4
                    if (ts == -1L) {
                        out.setOffset(fetchable).setLeaderEpoch(withEpoch ? log.latestEpoch() : -1);
                    } else {
                        TimestampAndOffset found = log.offsetForTimestamp(ts);
                        boolean special = ts < 0;
                        if (found.found() && (special || found.offset() < fetchable)) {
                            out.setTimestamp(found.timestamp())
                                    .setOffset(found.offset())
                                    .setLeaderEpoch(withEpoch ? found.leaderEpoch() : -1);
                        }
                    }
                    out.setErrorCode(Errors.NONE.code);
                }
                partitions.add(out);
            }
            topics.add(new ListOffsetsResponse.ListOffsetsTopicResponse()
                    .setName(t.name())
                    .setPartitions(partitions));
        }
        context.respond(new ListOffsetsResponse().setTopics(topics));
    }
}
