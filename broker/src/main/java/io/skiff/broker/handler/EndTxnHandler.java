package io.skiff.broker.handler;

import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.broker.security.authz.ResourceType;
import io.skiff.coordinator.transaction.TransactionCoordinator;
import io.skiff.coordinator.transaction.TransactionVersion;
import io.skiff.wire.message.EndTxnRequest;
import io.skiff.wire.message.EndTxnResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;

/**
 * EndTxn (key 26), versions 0-5: the transaction coordinator commits or aborts. Version 5 clients
 * use transaction version 2 (an epoch bump at every EndTxn, returned in the response); clients
 * before version 2 get INVALID_PRODUCER_EPOCH for PRODUCER_FENCED. Needs WRITE on the
 * transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED).
 */
public final class EndTxnHandler extends ApiHandler<EndTxnRequest> {
    private final TransactionCoordinator coordinator;
    private final Authorizer authorizer;

    public EndTxnHandler(TransactionCoordinator coordinator, Authorizer authorizer) {
        super(ApiKeys.END_TXN, 0, 5);
        this.coordinator = coordinator;
        this.authorizer = authorizer;
    }

    @Override
    public void handle(RequestContext context, EndTxnRequest request) {
        short version = context.apiVersion;
        if (!authorizer.authorize(
                context,
                AclOperation.WRITE,
                ResourceType.TRANSACTIONAL_ID,
                String.valueOf(request.transactionalId()))) {
            context.respond(new EndTxnResponse()
                    .setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code)
                    .setProducerId(-1)
                    .setProducerEpoch((short) -1));
            return;
        }
        coordinator
                .endTransaction(
                        request.transactionalId(),
                        request.producerId(),
                        request.producerEpoch(),
                        request.committed(),
                        TransactionVersion.forEndTxn(version))
                .whenComplete((r, failure) -> {
                    if (failure != null) {
                        context.closeConnection();
                        return;
                    }
                    context.respond(new EndTxnResponse()
                            .setErrorCode(TransactionErrors.forVersion(r.error(), version, 2).code)
                            .setProducerId(r.producerId())
                            .setProducerEpoch(r.producerEpoch()));
                });
    }
}
