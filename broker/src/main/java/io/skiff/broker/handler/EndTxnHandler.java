package io.skiff.broker.handler;

import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.coordinator.transaction.TransactionCoordinator;
import io.skiff.coordinator.transaction.TransactionVersion;
import io.skiff.wire.message.EndTxnRequest;
import io.skiff.wire.message.EndTxnResponse;
import io.skiff.wire.protocol.ApiKeys;

/**
 * EndTxn (key 26), versions 0-5: the transaction coordinator commits or aborts. Version 5 clients
 * use transaction version 2 (an epoch bump at every EndTxn, returned in the response); clients
 * before version 2 get INVALID_PRODUCER_EPOCH for PRODUCER_FENCED.
 */
public final class EndTxnHandler extends ApiHandler<EndTxnRequest> {
    private final TransactionCoordinator coordinator;

    public EndTxnHandler(TransactionCoordinator coordinator) {
        super(ApiKeys.END_TXN, 0, 5);
        this.coordinator = coordinator;
    }

    @Override
    public void handle(RequestContext context, EndTxnRequest request) {
        short version = context.apiVersion;
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
