package io.skiff.broker.handler;

import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.coordinator.transaction.TransactionCoordinator;
import io.skiff.wire.message.DescribeTransactionsRequest;
import io.skiff.wire.message.DescribeTransactionsResponse;
import io.skiff.wire.protocol.ApiKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * DescribeTransactions (key 65), version 0: the state of each transactional id from the transaction
 * coordinator, in request order (TRANSACTIONAL_ID_NOT_FOUND for an unknown one, NOT_COORDINATOR for
 * one of a partition not hosted here).
 */
public final class DescribeTransactionsHandler extends ApiHandler<DescribeTransactionsRequest> {
    private final TransactionCoordinator coordinator;

    public DescribeTransactionsHandler(TransactionCoordinator coordinator) {
        super(ApiKeys.DESCRIBE_TRANSACTIONS, 0, 0);
        this.coordinator = coordinator;
    }

    @Override
    public void handle(RequestContext context, DescribeTransactionsRequest request) {
        List<String> ids = request.transactionalIds() == null ? List.of() : request.transactionalIds();
        List<CompletableFuture<DescribeTransactionsResponse.TransactionState>> states = new ArrayList<>(ids.size());
        TransactionCoordinator c = coordinator;
        for (String id : ids) {
            states.add(c.describeTransaction(id));
        }
        CompletableFuture.allOf(states.toArray(new CompletableFuture<?>[0])).whenComplete((ignored, failure) -> {
            if (failure != null) {
                context.closeConnection();
                return;
            }
            List<DescribeTransactionsResponse.TransactionState> out = new ArrayList<>(states.size());
            for (CompletableFuture<DescribeTransactionsResponse.TransactionState> s : states) {
                out.add(s.join());
            }
            context.respond(new DescribeTransactionsResponse().setTransactionStates(out));
        });
    }
}
