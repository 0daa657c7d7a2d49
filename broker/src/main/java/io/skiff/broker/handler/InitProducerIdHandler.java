package io.skiff.broker.handler;

import io.skiff.broker.admin.ProducerIdManager;
import io.skiff.broker.coordinator.TransactionCoordinatorService;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.broker.security.authz.ResourceType;
import io.skiff.coordinator.transaction.TxnResult;
import io.skiff.wire.message.InitProducerIdRequest;
import io.skiff.wire.message.InitProducerIdResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.concurrent.CompletableFuture;

/**
 * InitProducerId (key 22), versions 0-6 (6, two-phase commit, only where unstable versions are
 * enabled, as in Kafka 4.3.1). Without a transactional id: a new producer id at epoch 0, as Apache
 * Kafka does. With one: the transaction coordinator's answer; the first such request creates
 * {@code __transaction_state}. A producer id without an epoch (or the reverse) is INVALID_REQUEST;
 * clients before version 4 get INVALID_PRODUCER_EPOCH for PRODUCER_FENCED.
 */
public final class InitProducerIdHandler extends ApiHandler<InitProducerIdRequest> {
    private final ProducerIdManager producerIds;
    private final TransactionCoordinatorService transactions;
    private final Authorizer authorizer;

    public InitProducerIdHandler(
            ProducerIdManager producerIds, TransactionCoordinatorService transactions, Authorizer authorizer) {
        super(ApiKeys.INIT_PRODUCER_ID, 0, 6);
        this.authorizer = authorizer;
        this.producerIds = producerIds;
        this.transactions = transactions;
    }

    @Override
    public void handle(RequestContext context, InitProducerIdRequest request) {
        if (request.transactionalId() != null) {
            if (!authorizer.authorize(
                    context, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId())) {
                context.respond(error(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED));
                return;
            }
            transactional(context, request);
            return;
        }
        if (!authorizer.authorizeCluster(context, AclOperation.IDEMPOTENT_WRITE)
                && !authorizer.authorizeByResourceType(context, AclOperation.WRITE, ResourceType.TOPIC)) {
            context.respond(error(Errors.CLUSTER_AUTHORIZATION_FAILED));
            return;
        }
        producerIds.nextId().whenComplete((id, error) -> {
            if (error != null) {
                context.respond(error(Errors.UNKNOWN_SERVER_ERROR));
            } else {
                context.respond(new InitProducerIdResponse()
                        .setErrorCode(Errors.NONE.code)
                        .setProducerId(id)
                        .setProducerEpoch((short) 0));
            }
        });
    }

    private void transactional(RequestContext context, InitProducerIdRequest request) {
        long producerId = request.producerId();
        short producerEpoch = request.producerEpoch();
        if ((producerId == -1) != (producerEpoch == -1)) {
            context.respond(error(Errors.INVALID_REQUEST));
            return;
        }
        short version = context.apiVersion;
        CompletableFuture<TxnResult> result = request.transactionalId().isEmpty()
                ? CompletableFuture.completedFuture(TxnResult.error(Errors.INVALID_REQUEST))
                : transactions
                        .ensureTransactionStateTopic()
                        .thenCompose(topic -> topic != Errors.NONE
                                ? CompletableFuture.completedFuture(TxnResult.error(Errors.COORDINATOR_NOT_AVAILABLE))
                                : transactions
                                        .coordinator()
                                        .initProducerId(
                                                request.transactionalId(),
                                                request.transactionTimeoutMs(),
                                                producerId,
                                                producerEpoch,
                                                request.enable2Pc(),
                                                request.keepPreparedTxn()));
        result.whenComplete((r, failure) -> {
            if (failure != null) {
                context.respond(error(Errors.COORDINATOR_NOT_AVAILABLE));
                return;
            }
            context.respond(new InitProducerIdResponse()
                    .setErrorCode(TransactionErrors.forVersion(r.error(), version, 4).code)
                    .setProducerId(r.producerId())
                    .setProducerEpoch(r.producerEpoch()));
        });
    }

    private static InitProducerIdResponse error(Errors error) {
        return new InitProducerIdResponse()
                .setErrorCode(error.code)
                .setProducerId(-1)
                .setProducerEpoch((short) -1);
    }
}
