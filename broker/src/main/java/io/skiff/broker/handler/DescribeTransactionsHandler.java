package io.skiff.broker.handler;

import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.broker.security.authz.ResourceType;
import io.skiff.coordinator.transaction.TransactionCoordinator;
import io.skiff.wire.message.DescribeTransactionsRequest;
import io.skiff.wire.message.DescribeTransactionsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * DescribeTransactions (key 65), version 0: the state of each transactional id from the transaction
 * coordinator, in request order (TRANSACTIONAL_ID_NOT_FOUND for an unknown one, NOT_COORDINATOR for
 * one of a partition not hosted here). Each id needs DESCRIBE (TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
 * partitions of topics the client may not DESCRIBE are left out.
 */
public final class DescribeTransactionsHandler extends ApiHandler<DescribeTransactionsRequest> {
    private final TransactionCoordinator coordinator;
    private final Authorizer authorizer;

    public DescribeTransactionsHandler(TransactionCoordinator coordinator, Authorizer authorizer) {
        super(ApiKeys.DESCRIBE_TRANSACTIONS, 0, 0);
        this.coordinator = coordinator;
        this.authorizer = authorizer;
    }

    @Override
    public void handle(RequestContext context, DescribeTransactionsRequest request) {
        List<String> ids = request.transactionalIds() == null ? List.of() : request.transactionalIds();
        List<CompletableFuture<DescribeTransactionsResponse.TransactionState>> states = new ArrayList<>(ids.size());
        TransactionCoordinator c = coordinator;
        for (String id : ids) {
            states.add(
                    authorizer.authorize(context, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, id)
                            ? c.describeTransaction(id)
                            : CompletableFuture.completedFuture(new DescribeTransactionsResponse.TransactionState()
                                    .setTransactionalId(id)
                                    .setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code)));
        }
        CompletableFuture.allOf(states.toArray(new CompletableFuture<?>[0])).whenComplete((ignored, failure) -> {
            if (failure != null) {
                context.closeConnection();
                return;
            }
            List<DescribeTransactionsResponse.TransactionState> out = new ArrayList<>(states.size());
            for (CompletableFuture<DescribeTransactionsResponse.TransactionState> s : states) {
                DescribeTransactionsResponse.TransactionState state = s.join();
                if (state.topics() != null) {
                    List<DescribeTransactionsResponse.TopicData> visible = new ArrayList<>();
                    for (DescribeTransactionsResponse.TopicData t : state.topics()) {
                        if (authorizer.authorize(context, AclOperation.DESCRIBE, ResourceType.TOPIC, t.topic())) {
                            visible.add(t);
                        }
                    }
                    state.setTopics(visible);
                }
                out.add(state);
            }
            context.respond(new DescribeTransactionsResponse().setTransactionStates(out));
        });
    }
}
