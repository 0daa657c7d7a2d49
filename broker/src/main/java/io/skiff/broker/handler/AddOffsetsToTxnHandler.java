package io.skiff.broker.handler;

import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.broker.security.authz.ResourceType;
import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.transaction.TransactionCoordinator;
import io.skiff.coordinator.transaction.TransactionVersion;
import io.skiff.coordinator.transaction.TxnTopicPartition;
import io.skiff.wire.message.AddOffsetsToTxnRequest;
import io.skiff.wire.message.AddOffsetsToTxnResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.List;

/**
 * AddOffsetsToTxn (key 25), versions 0-4: adds the {@code __consumer_offsets} partition of the group
 * ({@code abs(groupId.hashCode()) % offsets.topic.num.partitions}) to the transaction, so that its
 * markers settle the transaction's offset commits. Clients before version 2 get
 * INVALID_PRODUCER_EPOCH for PRODUCER_FENCED. Needs WRITE on the transactional id
 * (TRANSACTIONAL_ID_AUTHORIZATION_FAILED), then READ on the group (GROUP_AUTHORIZATION_FAILED).
 */
public final class AddOffsetsToTxnHandler extends ApiHandler<AddOffsetsToTxnRequest> {
    private final TransactionCoordinator transactions;
    private final GroupCoordinator groups;
    private final Authorizer authorizer;

    public AddOffsetsToTxnHandler(TransactionCoordinator transactions, GroupCoordinator groups, Authorizer authorizer) {
        super(ApiKeys.ADD_OFFSETS_TO_TXN, 0, 4);
        this.authorizer = authorizer;
        this.transactions = transactions;
        this.groups = groups;
    }

    @Override
    public void handle(RequestContext context, AddOffsetsToTxnRequest request) {
        short version = context.apiVersion;
        String groupId = request.groupId() == null ? "" : request.groupId();
        if (!authorizer.authorize(
                context,
                AclOperation.WRITE,
                ResourceType.TRANSACTIONAL_ID,
                String.valueOf(request.transactionalId()))) {
            context.respond(
                    new AddOffsetsToTxnResponse().setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code));
            return;
        }
        if (!authorizer.authorize(context, AclOperation.READ, ResourceType.GROUP, groupId)) {
            context.respond(new AddOffsetsToTxnResponse().setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code));
            return;
        }
        TxnTopicPartition offsets = new TxnTopicPartition(GroupCoordinator.OFFSETS_TOPIC, groups.partitionFor(groupId));
        transactions
                .addPartitions(
                        request.transactionalId(),
                        request.producerId(),
                        request.producerEpoch(),
                        List.of(offsets),
                        TransactionVersion.TV_0)
                .whenComplete((error, failure) -> {
                    if (failure != null) {
                        context.closeConnection();
                        return;
                    }
                    context.respond(new AddOffsetsToTxnResponse()
                            .setErrorCode(TransactionErrors.forVersion(error, version, 2).code));
                });
    }
}
