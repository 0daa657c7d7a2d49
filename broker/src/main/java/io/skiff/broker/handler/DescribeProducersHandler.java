package io.skiff.broker.handler;

import io.skiff.broker.log.ReplicaManager;
import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.storage.ActiveProducer;
import io.skiff.storage.PartitionLog;
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
    private final ReplicaManager replicas;

    public DescribeProducersHandler(MetadataManager metadata, ReplicaManager replicas) {
        super(ApiKeys.DESCRIBE_PRODUCERS, 0, 0);
        this.metadata = metadata;
        this.replicas = replicas;
    }

    @Override
    public void handle(RequestContext context, DescribeProducersRequest request) {
        MetadataImage image = metadata.image();
        List<DescribeProducersResponse.TopicResponse> topics = new ArrayList<>();
        for (DescribeProducersRequest.TopicRequest t : request.topics()) {
            List<DescribeProducersResponse.PartitionResponse> partitions = new ArrayList<>();
            for (int partition : t.partitionIndexes()) {
                DescribeProducersResponse.PartitionResponse out = new DescribeProducersResponse.PartitionResponse()
                    .setPartitionIndex(partition);
                PartitionLog log = replicas.log(image.topic(t.name()), partition);
                if (log == null) {
                    out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code);
                } else {
                    List<DescribeProducersResponse.ProducerState> producers = new ArrayList<>();
                    for (ActiveProducer p : log.activeProducers()) {
                        producers.add(new DescribeProducersResponse.ProducerState()
                            .setProducerId(p.producerId())
                            .setProducerEpoch(p.producerEpoch())
                            .setLastSequence(p.lastSequence())
                            .setLastTimestamp(p.lastTimestamp())
                            .setCoordinatorEpoch(p.coordinatorEpoch())
                            .setCurrentTxnStartOffset(p.currentTxnStartOffset()));
                    }
                    out.setActiveProducers(producers);
                }
                partitions.add(out);
            }
            topics.add(new DescribeProducersResponse.TopicResponse().setName(t.name()).setPartitions(partitions));
        }
        context.respond(new DescribeProducersResponse().setTopics(topics));
    }
}
