package io.skiff.broker.handler;

import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.storage.TopicPartition;
import io.skiff.wire.message.WriteTxnMarkersRequest;
import io.skiff.wire.message.WriteTxnMarkersResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * WriteTxnMarkers (key 27), versions 1-2 as Apache Kafka 4.3.1 accepts them: the transaction
 * coordinator's request to write commit or abort markers. Each partition of each marker goes
 * through the {@link TxnMarkerWriter} (data partitions through their log, {@code
 * __consumer_offsets} through the group coordinator) with the marker's transaction version (v2;
 * 0 before), and gets its own error; the answer waits for every write. As in Kafka the results are
 * grouped by producer id (markers of one producer id share one entry, in first-seen order) and, within
 * it, by topic. Without an authorizer the request is served to any client, as Kafka serves it; a
 * marker can only end a producer's transaction under the checks of the log (epochs), so a client's
 * bad marker corrupts nothing. With an authorizer, as in Kafka, it needs ALTER or CLUSTER_ACTION on
 * the cluster (every partition CLUSTER_AUTHORIZATION_FAILED otherwise), from a client too.
 * Answers on the thread that completes the last write.
 */
public final class WriteTxnMarkersHandler extends ApiHandler<WriteTxnMarkersRequest> {
    private final TxnMarkerWriter writer;
    private final Authorizer authorizer;

    public WriteTxnMarkersHandler(TxnMarkerWriter writer, Authorizer authorizer) {
        super(ApiKeys.WRITE_TXN_MARKERS, 1, 2);
        this.writer = writer;
        this.authorizer = authorizer;
    }

    @Override
    public void handle(RequestContext context, WriteTxnMarkersRequest request) {
        boolean allowed = authorizer.authorizeCluster(context, AclOperation.ALTER)
                || authorizer.authorizeCluster(context, AclOperation.CLUSTER_ACTION);
        boolean withVersion = context.apiVersion >= 2;
        Map<Long, Map<String, List<Result>>> byProducer = new LinkedHashMap<>();
        List<CompletableFuture<Errors>> writes = new ArrayList<>();
        for (WriteTxnMarkersRequest.WritableTxnMarker marker : request.markers()) {
            short transactionVersion = withVersion ? marker.transactionVersion() : 0;
            Map<String, List<Result>> topics =
                    byProducer.computeIfAbsent(marker.producerId(), k -> new LinkedHashMap<>());
            for (WriteTxnMarkersRequest.WritableTxnMarkerTopic topic : marker.topics()) {
                List<Result> results = topics.computeIfAbsent(topic.name(), k -> new ArrayList<>());
                for (int partition : topic.partitionIndexes()) {
                    // A negative index names no partition this broker hosts, as for Kafka's replica manager.
                    CompletableFuture<Errors> write = !allowed
                            ? CompletableFuture.completedFuture(Errors.CLUSTER_AUTHORIZATION_FAILED)
                            : partition < 0
                                    ? CompletableFuture.completedFuture(Errors.UNKNOWN_TOPIC_OR_PARTITION)
                                    : writer.write(
                                            new TopicPartition(topic.name(), partition),
                                            marker.producerId(),
                                            marker.producerEpoch(),
                                            marker.coordinatorEpoch(),
                                            marker.transactionResult(),
                                            transactionVersion);
                    results.add(new Result(partition, write));
                    writes.add(write);
                }
            }
        }
        CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0]))
                .whenComplete((ok, failure) -> context.respond(response(byProducer)));
    }

    private static WriteTxnMarkersResponse response(Map<Long, Map<String, List<Result>>> byProducer) {
        List<WriteTxnMarkersResponse.WritableTxnMarkerResult> markers = new ArrayList<>(byProducer.size());
        for (Map.Entry<Long, Map<String, List<Result>>> producer : byProducer.entrySet()) {
            List<WriteTxnMarkersResponse.WritableTxnMarkerTopicResult> topics = new ArrayList<>();
            for (Map.Entry<String, List<Result>> topic : producer.getValue().entrySet()) {
                List<WriteTxnMarkersResponse.WritableTxnMarkerPartitionResult> partitions = new ArrayList<>();
                for (Result r : topic.getValue()) {
                    partitions.add(new WriteTxnMarkersResponse.WritableTxnMarkerPartitionResult()
                            .setPartitionIndex(r.partition)
                            .setErrorCode(r.error().code));
                }
                topics.add(new WriteTxnMarkersResponse.WritableTxnMarkerTopicResult()
                        .setName(topic.getKey())
                        .setPartitions(partitions));
            }
            markers.add(new WriteTxnMarkersResponse.WritableTxnMarkerResult()
                    .setProducerId(producer.getKey())
                    .setTopics(topics));
        }
        return new WriteTxnMarkersResponse().setMarkers(markers);
    }

    /** One partition's write. */
    private record Result(int partition, CompletableFuture<Errors> write) {
        Errors error() {
            Errors e = write.isCompletedExceptionally()
                    ? Errors.UNKNOWN_SERVER_ERROR
                    : write.getNow(Errors.UNKNOWN_SERVER_ERROR);
            return e == null ? Errors.UNKNOWN_SERVER_ERROR : e;
        }
    }
}
