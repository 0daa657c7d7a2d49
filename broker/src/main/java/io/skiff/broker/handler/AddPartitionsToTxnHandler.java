package io.skiff.broker.handler;

import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.broker.security.authz.ResourceType;
import io.skiff.coordinator.transaction.TransactionCoordinator;
import io.skiff.coordinator.transaction.TransactionVersion;
import io.skiff.coordinator.transaction.TxnTopicPartition;
import io.skiff.wire.message.AddPartitionsToTxnRequest;
import io.skiff.wire.message.AddPartitionsToTxnResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * AddPartitionsToTxn (key 24): versions 0-3 carry one transaction of a client; versions 4-5 are the
 * brokers' batch form (KIP-890), each transaction either added (transaction version 2) or only
 * verified ({@code verify_only}). As in Kafka, a transaction naming a partition that does not exist
 * fails as a whole: UNKNOWN_TOPIC_OR_PARTITION for those partitions, OPERATION_NOT_ATTEMPTED for the
 * others; a client (versions 0-3) may not add internal topics (TOPIC_AUTHORIZATION_FAILED). Otherwise
 * every partition of the transaction gets the coordinator's answer (clients before version 2 get
 * INVALID_PRODUCER_EPOCH for PRODUCER_FENCED); a verification answers per partition. Authorization
 * as in Kafka: versions 4-5 need CLUSTER_ACTION on the cluster (CLUSTER_AUTHORIZATION_FAILED for the
 * request); a client's transaction needs WRITE on its transactional id (every partition
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED) and on each topic (TOPIC_AUTHORIZATION_FAILED, failing the
 * transaction as a missing partition does).
 */
public final class AddPartitionsToTxnHandler extends ApiHandler<AddPartitionsToTxnRequest> {
    /** Kafka's internal topics ({@code Topic.isInternal}). */
    private static final Set<String> INTERNAL_TOPICS =
            Set.of("__consumer_offsets", "__transaction_state", "__share_group_state");

    private final MetadataManager metadata;
    private final TransactionCoordinator coordinator;
    private final Authorizer authorizer;

    public AddPartitionsToTxnHandler(
            MetadataManager metadata, TransactionCoordinator coordinator, Authorizer authorizer) {
        super(ApiKeys.ADD_PARTITIONS_TO_TXN, 0, 5);
        this.authorizer = authorizer;
        this.metadata = metadata;
        this.coordinator = coordinator;
    }

    @Override
    public void handle(RequestContext context, AddPartitionsToTxnRequest request) {
        short version = context.apiVersion;
        if (version >= 4 && !authorizer.authorizeCluster(context, AclOperation.CLUSTER_ACTION)) {
            context.respond(new AddPartitionsToTxnResponse()
                    .setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code)
                    .setResultsByTransaction(new ArrayList<>()));
            return;
        }
        List<AddPartitionsToTxnRequest.AddPartitionsToTxnTransaction> transactions;
        if (version < 4) {
            transactions = List.of(new AddPartitionsToTxnRequest.AddPartitionsToTxnTransaction()
                    .setTransactionalId(request.v3AndBelowTransactionalId())
                    .setProducerId(request.v3AndBelowProducerId())
                    .setProducerEpoch(request.v3AndBelowProducerEpoch())
                    .setVerifyOnly(false)
                    .setTopics(request.v3AndBelowTopics()));
        } else {
            transactions = request.transactions() == null ? List.of() : request.transactions();
        }
        MetadataImage image = metadata.image();
        List<CompletableFuture<AddPartitionsToTxnResponse.AddPartitionsToTxnResult>> results = new ArrayList<>();
        for (AddPartitionsToTxnRequest.AddPartitionsToTxnTransaction t : transactions) {
            results.add(transaction(context, t, version, image));
        }
        CompletableFuture.allOf(results.toArray(new CompletableFuture<?>[0])).whenComplete((ignored, failure) -> {
            if (failure != null) {
                context.closeConnection();
                return;
            }
            AddPartitionsToTxnResponse response = new AddPartitionsToTxnResponse();
            if (version < 4) {
                response.setResultsByTopicV3AndBelow(results.get(0).join().topicResults());
            } else {
                List<AddPartitionsToTxnResponse.AddPartitionsToTxnResult> out = new ArrayList<>(results.size());
                for (CompletableFuture<AddPartitionsToTxnResponse.AddPartitionsToTxnResult> r : results) {
                    out.add(r.join());
                }
                response.setErrorCode(Errors.NONE.code).setResultsByTransaction(out);
            }
            context.respond(response);
        });
    }

    private CompletableFuture<AddPartitionsToTxnResponse.AddPartitionsToTxnResult> transaction(
            RequestContext context,
            AddPartitionsToTxnRequest.AddPartitionsToTxnTransaction t,
            short version,
            MetadataImage image) {
        String transactionalId = t.transactionalId();
        Set<TxnTopicPartition> partitions = new LinkedHashSet<>();
        if (t.topics() != null) {
            for (AddPartitionsToTxnRequest.AddPartitionsToTxnTopic topic : t.topics()) {
                for (Integer p : topic.partitions()) {
                    partitions.add(new TxnTopicPartition(topic.name(), p));
                }
            }
        }
        boolean client = version < 4;
        if (client
                && !authorizer.authorize(context, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, transactionalId)) {
            Map<TxnTopicPartition, Errors> all = new LinkedHashMap<>();
            for (TxnTopicPartition tp : partitions) {
                all.put(tp, Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
            }
            return CompletableFuture.completedFuture(result(transactionalId, all));
        }
        Map<TxnTopicPartition, Errors> failed = new LinkedHashMap<>();
        for (TxnTopicPartition tp : partitions) {
            if (client
                    && (INTERNAL_TOPICS.contains(tp.topic())
                            || !authorizer.authorize(context, AclOperation.WRITE, ResourceType.TOPIC, tp.topic()))) {
                failed.put(tp, Errors.TOPIC_AUTHORIZATION_FAILED);
            } else if (!exists(image, tp)) {
                failed.put(tp, Errors.UNKNOWN_TOPIC_OR_PARTITION);
            }
        }
        if (!failed.isEmpty()) {
            Map<TxnTopicPartition, Errors> all = new LinkedHashMap<>();
            for (TxnTopicPartition tp : partitions) {
                all.put(tp, failed.getOrDefault(tp, Errors.OPERATION_NOT_ATTEMPTED));
            }
            return CompletableFuture.completedFuture(result(transactionalId, all));
        }
        if (t.verifyOnly()) {
            return coordinator
                    .verifyPartitions(transactionalId, t.producerId(), t.producerEpoch(), partitions)
                    .thenApply(errors -> result(transactionalId, errors));
        }
        return coordinator
                .addPartitions(
                        transactionalId,
                        t.producerId(),
                        t.producerEpoch(),
                        partitions,
                        TransactionVersion.forAddPartitionsToTxn(version))
                .thenApply(error -> {
                    Errors e = TransactionErrors.forVersion(error, version, 2);
                    Map<TxnTopicPartition, Errors> all = new LinkedHashMap<>();
                    for (TxnTopicPartition tp : partitions) {
                        all.put(tp, e);
                    }
                    return result(transactionalId, all);
                });
    }

    private static boolean exists(MetadataImage image, TxnTopicPartition tp) {
        TopicImage topic = image.topic(tp.topic());
        return topic != null && tp.partition() >= 0 && tp.partition() < topic.partitions();
    }

    /** The result of one transaction: its partitions' errors grouped by topic, in request order. */
    private static AddPartitionsToTxnResponse.AddPartitionsToTxnResult result(
            String transactionalId, Map<TxnTopicPartition, Errors> errors) {
        Map<String, AddPartitionsToTxnResponse.AddPartitionsToTxnTopicResult> topics = new LinkedHashMap<>();
        for (Map.Entry<TxnTopicPartition, Errors> e : errors.entrySet()) {
            topics.computeIfAbsent(
                            e.getKey().topic(),
                            name -> new AddPartitionsToTxnResponse.AddPartitionsToTxnTopicResult()
                                    .setName(name)
                                    .setResultsByPartition(new ArrayList<>()))
                    .resultsByPartition()
                    .add(new AddPartitionsToTxnResponse.AddPartitionsToTxnPartitionResult()
                            .setPartitionIndex(e.getKey().partition())
                            .setPartitionErrorCode(e.getValue().code));
        }
        return new AddPartitionsToTxnResponse.AddPartitionsToTxnResult()
                .setTransactionalId(transactionalId)
                .setTopicResults(new ArrayList<>(topics.values()));
    }
}
