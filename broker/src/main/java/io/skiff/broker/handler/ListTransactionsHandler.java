package io.skiff.broker.handler;

import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.broker.security.authz.ResourceType;
import io.skiff.coordinator.transaction.TransactionCoordinator;
import io.skiff.wire.message.ListTransactionsRequest;
import io.skiff.wire.message.ListTransactionsResponse;
import io.skiff.wire.protocol.ApiKeys;
import java.util.ArrayList;
import java.util.List;

/**
 * ListTransactions (key 66), versions 0-2: the transactions of every {@code __transaction_state}
 * partition hosted here, filtered by state, producer id, duration (v1+) and transactional id
 * pattern (v2+, RE2/J as in Kafka); only the transactional ids the client may DESCRIBE.
 */
public final class ListTransactionsHandler extends ApiHandler<ListTransactionsRequest> {
    private final TransactionCoordinator coordinator;
    private final Authorizer authorizer;

    public ListTransactionsHandler(TransactionCoordinator coordinator, Authorizer authorizer) {
        super(ApiKeys.LIST_TRANSACTIONS, 0, 2);
        this.coordinator = coordinator;
        this.authorizer = authorizer;
    }

    @Override
    public void handle(RequestContext context, ListTransactionsRequest request) {
        coordinator.listTransactions(request).whenComplete((response, failure) -> {
            if (failure != null) {
                context.closeConnection();
            } else {
                // Only the transactional ids the client may describe, as Kafka answers.
                List<ListTransactionsResponse.TransactionState> visible = new ArrayList<>();
                for (ListTransactionsResponse.TransactionState t : response.transactionStates()) {
                    if (authorizer.authorize(
                            context, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, t.transactionalId())) {
                        visible.add(t);
                    }
                }
                response.setTransactionStates(visible);
                context.respond(response);
            }
        });
    }
}
