package io.skiff.broker.handler;

import io.skiff.broker.coordinator.TransactionVerifier;
import io.skiff.broker.network.Session;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.broker.security.authz.ResourceType;
import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.storage.TopicPartition;
import io.skiff.wire.message.TxnOffsetCommitRequest;
import io.skiff.wire.message.TxnOffsetCommitResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * TxnOffsetCommit (key 28), versions 0-5: answered by the group coordinator, which keeps the
 * offsets pending in the producer's transaction until the transaction's marker is written to the
 * group's {@code __consumer_offsets} partition.
 *
 * <p>Before the coordinator sees the offsets, the transaction coordinator is asked about the
 * group's offsets partition, as for a transactional produce: version 5 (transaction version 2
 * clients, which send no AddOffsetsToTxn) adds the partition to the producer's transaction;
 * older versions only check that AddOffsetsToTxn added it, when
 * {@code transaction.partition.verification.enable} is on. A refusal is the answer of every
 * partition of the request. Authorization as in Kafka: WRITE on the transactional id
 * (TRANSACTIONAL_ID_AUTHORIZATION_FAILED), READ on the group (GROUP_AUTHORIZATION_FAILED), then READ
 * on each topic (its partitions TOPIC_AUTHORIZATION_FAILED; the others are committed).
 */
public final class TxnOffsetCommitHandler extends GroupApiHandler<TxnOffsetCommitRequest> {
    /** The first version whose producer relies on the broker to add the offsets partition. */
    static final short IMPLICIT_ADD_VERSION = 5;

    private final TransactionVerifier verifier;
    private final boolean verifyOlderVersions;

    /**
     * @param verifier the transaction coordinator's verification; null when there is none (the
     *     offsets then go to the group coordinator unchecked)
     * @param verifyOlderVersions {@code transaction.partition.verification.enable}
     */
    public TxnOffsetCommitHandler(
            GroupCoordinator coordinator,
            TransactionVerifier verifier,
            boolean verifyOlderVersions,
            Authorizer authorizer) {
        super(ApiKeys.TXN_OFFSET_COMMIT, 0, 5, coordinator, authorizer);
        this.verifier = verifier;
        this.verifyOlderVersions = verifyOlderVersions;
    }

    @Override
    CompletableFuture<TxnOffsetCommitResponse> call(RequestContext rc, TxnOffsetCommitRequest request) {
        boolean add = rc.apiVersion() >= IMPLICIT_ADD_VERSION;
        if (verifier == null
                || (!add && !verifyOlderVersions)
                || request.topics().isEmpty()) {
            return coordinator.commitTransactionalOffsets(rc, request);
        }
        String groupId = request.groupId() == null ? "" : request.groupId();
        TopicPartition offsets = new TopicPartition(GroupCoordinator.OFFSETS_TOPIC, coordinator.partitionFor(groupId));
        return verifier.verify(request.transactionalId(), request.producerId(), request.producerEpoch(), offsets, add)
                .thenCompose(error -> error == Errors.NONE
                        ? coordinator.commitTransactionalOffsets(rc, request)
                        : CompletableFuture.completedFuture(refused(request, normalized(error))));
    }

    @Override
    CompletableFuture<TxnOffsetCommitResponse> authorizedCall(
            Session session, RequestContext rc, TxnOffsetCommitRequest request) {
        String transactionalId = request.transactionalId() == null ? "" : request.transactionalId();
        if (!authorizer.authorize(session, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, transactionalId)) {
            return CompletableFuture.completedFuture(refused(request, Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED));
        }
        if (!group(session, AclOperation.READ, request.groupId())) {
            return CompletableFuture.completedFuture(refused(request, Errors.GROUP_AUTHORIZATION_FAILED));
        }
        List<TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic> allowed = new ArrayList<>();
        List<TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic> denied = new ArrayList<>();
        for (TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic t : request.topics()) {
            (topic(session, AclOperation.READ, t.name()) ? allowed : denied).add(t);
        }
        if (denied.isEmpty()) {
            return call(rc, request);
        }
        TxnOffsetCommitResponse refusedPart =
                refused(new TxnOffsetCommitRequest().setTopics(denied), Errors.TOPIC_AUTHORIZATION_FAILED);
        if (allowed.isEmpty()) {
            return CompletableFuture.completedFuture(refusedPart);
        }
        request.setTopics(allowed);
        return call(rc, request).thenApply(response -> {
            List<TxnOffsetCommitResponse.TxnOffsetCommitResponseTopic> all = new ArrayList<>(response.topics());
            all.addAll(refusedPart.topics());
            return response.setTopics(all);
        });
    }

    /**
     * The verification's error as the group coordinator answers it: the partition-level errors of
     * a write become the coordinator errors a client knows how to retry.
     */
    static Errors normalized(Errors error) {
        return switch (error) {
            case UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT -> Errors.COORDINATOR_NOT_AVAILABLE;
            case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR -> Errors.NOT_COORDINATOR;
            default -> error;
        };
    }

    private static TxnOffsetCommitResponse refused(TxnOffsetCommitRequest request, Errors error) {
        TxnOffsetCommitResponse response = new TxnOffsetCommitResponse();
        for (TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic t : request.topics()) {
            TxnOffsetCommitResponse.TxnOffsetCommitResponseTopic topic =
                    new TxnOffsetCommitResponse.TxnOffsetCommitResponseTopic().setName(t.name());
            for (TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition p : t.partitions()) {
                topic.partitions()
                        .add(new TxnOffsetCommitResponse.TxnOffsetCommitResponsePartition()
                                .setPartitionIndex(p.partitionIndex())
                                .setErrorCode(error.code));
            }
            response.topics().add(topic);
        }
        return response;
    }
}
