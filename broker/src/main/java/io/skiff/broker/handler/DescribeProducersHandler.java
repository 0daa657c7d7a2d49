package io.skiff.broker.handler;

import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.partition.Partition;
import io.skiff.broker.partition.PartitionManager;
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
 * describe-producers).
 */
public final class DescribeProducersHandler extends ApiHandler<DescribeProducersRequest> {
    private final MetadataManager metadata;
    private final PartitionManager partitionManager;

    public DescribeProducersHandler(MetadataManager metadata, PartitionManager partitions) {
        super(ApiKeys.DESCRIBE_PRODUCERS, 0, 0);
        this.metadata = metadata;
        this.partitionManager = partitions;
    }

    @Override
    public void handle(RequestContext context, DescribeProducersRequest request) {
        MetadataImage image = metadata.image();
        List<DescribeProducersResponse.TopicResponse> topics = new ArrayList<>();
        for (DescribeProducersRequest.TopicRequest t : request.topics()) {
            List<DescribeProducersResponse.PartitionResponse> partitions = new ArrayList<>();
            for (int partition : t.partitionIndexes()) {
                DescribeProducersResponse.PartitionResponse out =
                        new DescribeProducersResponse.PartitionResponse().setPartitionIndex(partition);
                Partition p = partitionManager.partition(image.topic(t.name()), partition);
                if (p == null) {
                    out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code);
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
