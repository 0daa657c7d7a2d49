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
import io.skiff.storage.ActiveProducer;
import io.skiff.wire.message.DescribeProducersRequest;
import io.skiff.wire.message.DescribeProducersResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.List;

/**
 * DescribeProducers (key 61), version 0: the producer ids each partition keeps idempotence
 * state for, with their epoch, last sequence and last timestamp (kafka-transactions.sh
 * describe-producers). Each topic needs READ (TOPIC_AUTHORIZATION_FAILED).
 */
public final class DescribeProducersHandler extends ApiHandler<DescribeProducersRequest> {
    private final MetadataManager metadata;
    private final PartitionManager partitionManager;

    private final Authorizer authorizer;

    public DescribeProducersHandler(MetadataManager metadata, PartitionManager partitions, Authorizer authorizer) {
        super(ApiKeys.DESCRIBE_PRODUCERS, 0, 0);
        this.metadata = metadata;
        this.partitionManager = partitions;
        this.authorizer = authorizer;
    }

    @Override
    public void handle(RequestContext context, DescribeProducersRequest request) {
        MetadataImage image = metadata.image();
        List<DescribeProducersResponse.TopicResponse> topics = new ArrayList<>();
        for (DescribeProducersRequest.TopicRequest t : request.topics()) {
            List<DescribeProducersResponse.PartitionResponse> partitions = new ArrayList<>();
            boolean denied = !authorizer.authorize(context, AclOperation.READ, ResourceType.TOPIC, t.name());
            for (int partition : t.partitionIndexes()) {
                DescribeProducersResponse.PartitionResponse out =
                        new DescribeProducersResponse.PartitionResponse().setPartitionIndex(partition);
                Partition p = partitionManager.partition(image.topic(t.name()), partition);
                if (denied) {
                    out.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code);
                } else if (p == null) {
                    out.setErrorCode(partitionManager.missing(image.topic(t.name()), partition).code);
                } else if (!p.isLeader()) {
                    out.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code);
                } else {
                    List<DescribeProducersResponse.ProducerState> producers = new ArrayList<>();
                    for (ActiveProducer ap : p.log().activeProducers()) {
                        producers.add(new DescribeProducersResponse.ProducerState()
                                .setProducerId(ap.producerId())
                                .setProducerEpoch(ap.producerEpoch())
                                .setLastSequence(ap.lastSequence())
                                .setLastTimestamp(ap.lastTimestamp())
                                .setCoordinatorEpoch(ap.coordinatorEpoch())
                                .setCurrentTxnStartOffset(ap.currentTxnStartOffset()));
                    }
                    out.setActiveProducers(producers);
                }
                partitions.add(out);
            }
            topics.add(new DescribeProducersResponse.TopicResponse()
                    .setName(t.name())
                    .setPartitions(partitions));
        }
        context.respond(new DescribeProducersResponse().setTopics(topics));
    }
}
