package io.skiff.broker.handler;

import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.coordinator.transaction.TransactionCoordinator;
import io.skiff.wire.message.ListTransactionsRequest;
import io.skiff.wire.protocol.ApiKeys;

/**
 * ListTransactions (key 66), versions 0-2: the transactions of every {@code __transaction_state}
 * partition hosted here, filtered by state, producer id, duration (v1+) and transactional id
 * pattern (v2+, RE2/J as in Kafka).
 */
public final class ListTransactionsHandler extends ApiHandler<ListTransactionsRequest> {
    private final TransactionCoordinator coordinator;

    public ListTransactionsHandler(TransactionCoordinator coordinator) {
        super(ApiKeys.LIST_TRANSACTIONS, 0, 2);
        this.coordinator = coordinator;
    }

    @Override
    public void handle(RequestContext context, ListTransactionsRequest request) {
        coordinator.listTransactions(request).whenComplete((response, failure) -> {
            if (failure != null) {
                context.closeConnection();
            } else {
                context.respond(response);
            }
        });
    }
}
