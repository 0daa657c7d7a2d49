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
import io.skiff.storage.DeleteRecordsResult;
import io.skiff.wire.message.DeleteRecordsRequest;
import io.skiff.wire.message.DeleteRecordsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.List;

/**
 * DeleteRecords (key 21), versions 0-2: advances each partition's log start offset (offset -1
 * means the high watermark), deleting whole segments below it; only on topics whose cleanup
 * policy includes delete. Each topic needs DELETE (TOPIC_AUTHORIZATION_FAILED).
 */
public final class DeleteRecordsHandler extends ApiHandler<DeleteRecordsRequest> {
    private final MetadataManager metadata;
    private final PartitionManager partitionManager;

    private final Authorizer authorizer;

    public DeleteRecordsHandler(MetadataManager metadata, PartitionManager partitions, Authorizer authorizer) {
        super(ApiKeys.DELETE_RECORDS, 0, 2);
        this.metadata = metadata;
        this.partitionManager = partitions;
        this.authorizer = authorizer;
    }

    @Override
    public void handle(RequestContext context, DeleteRecordsRequest request) {
        MetadataImage image = metadata.image();
        List<DeleteRecordsResponse.DeleteRecordsTopicResult> topics = new ArrayList<>();
        for (DeleteRecordsRequest.DeleteRecordsTopic t : request.topics()) {
            TopicImage topic = image.topic(t.name());
            boolean denied = !authorizer.authorize(context, AclOperation.DELETE, ResourceType.TOPIC, t.name());
            List<DeleteRecordsResponse.DeleteRecordsPartitionResult> partitions = new ArrayList<>();
            for (DeleteRecordsRequest.DeleteRecordsPartition p : t.partitions()) {
                DeleteRecordsResponse.DeleteRecordsPartitionResult out =
                        new DeleteRecordsResponse.DeleteRecordsPartitionResult()
                                .setPartitionIndex(p.partitionIndex())
                                .setLowWatermark(-1);
                Partition partition = partitionManager.partition(topic, p.partitionIndex());
                if (denied) {
                    out.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code);
                } else if (partition == null) {
                    out.setErrorCode(partitionManager.missing(topic, p.partitionIndex()).code);
                } else if (!partition.isLeader()) {
                    out.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code);
                } else {
                    DeleteRecordsResult r = partition.log().deleteRecordsBefore(p.offset());
                    Errors error = StorageErrors.of(r.outcome());
                    out.setErrorCode(error.code).setLowWatermark(error == Errors.NONE ? r.lowWatermark() : -1);
                }
                partitions.add(out);
            }
            topics.add(new DeleteRecordsResponse.DeleteRecordsTopicResult()
                    .setName(t.name())
                    .setPartitions(partitions));
        }
        context.respond(new DeleteRecordsResponse().setTopics(topics));
    }
}
