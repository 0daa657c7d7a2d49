package io.skiff.broker.handler;

import io.skiff.broker.config.EndPoint;
import io.skiff.broker.coordinator.GroupCoordinatorService;
import io.skiff.broker.coordinator.TransactionCoordinatorService;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.broker.security.authz.ResourceType;
import io.skiff.wire.message.FindCoordinatorRequest;
import io.skiff.wire.message.FindCoordinatorResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * FindCoordinator (key 10), versions 0-6, one key (v0-3) or a batch of keys (v4+). For groups and
 * transactional ids the coordinator is the broker leading the key's internal partition (this node on
 * a single node; COORDINATOR_NOT_AVAILABLE while that broker is fenced); the first request of each key type creates
 * {@code __consumer_offsets} or {@code __transaction_state}, and the answer waits for it. Other key
 * types are INVALID_REQUEST. Each key needs DESCRIBE on its group or transactional id
 * (GROUP_AUTHORIZATION_FAILED or TRANSACTIONAL_ID_AUTHORIZATION_FAILED, with no node).
 */
public final class FindCoordinatorHandler extends ApiHandler<FindCoordinatorRequest> {
    static final byte GROUP = 0;
    static final byte TRANSACTION = 1;

    private final LocalNode node;
    private final GroupCoordinatorService groups;
    private final TransactionCoordinatorService transactions;
    private final Authorizer authorizer;

    public FindCoordinatorHandler(
            LocalNode node,
            GroupCoordinatorService groups,
            TransactionCoordinatorService transactions,
            Authorizer authorizer) {
        super(ApiKeys.FIND_COORDINATOR, 0, 6);
        this.authorizer = authorizer;
        this.node = node;
        this.groups = groups;
        this.transactions = transactions;
    }

    @Override
    public void handle(RequestContext context, FindCoordinatorRequest request) {
        short version = context.apiVersion;
        byte keyType = request.keyType();
        List<String> keys =
                version >= 4 ? request.coordinatorKeys() : List.of(request.key() == null ? "" : request.key());
        if (keyType != GROUP && keyType != TRANSACTION) {
            context.respond(answer(context, keyType, keys, Errors.INVALID_REQUEST));
            return;
        }
        boolean anyAllowed = false;
        for (String key : keys) {
            anyAllowed |= refusal(context, keyType, key) == Errors.NONE;
        }
        if (!anyAllowed) {
            context.respond(answer(context, keyType, keys, Errors.NONE));
            return;
        }
        CompletableFuture<Errors> topic =
                keyType == GROUP ? groups.ensureOffsetsTopic() : transactions.ensureTransactionStateTopic();
        topic.whenComplete((error, failure) -> {
            Errors e = failure != null ? Errors.COORDINATOR_NOT_AVAILABLE : error;
            context.respond(answer(context, keyType, keys, e));
        });
    }

    /**
     * The broker that coordinates {@code key} (this node on a single node; the leader of the key's
     * internal partition in a cluster), on the request's listener; null when it has no endpoint
     * there or is not live.
     */
    private LocalNode.Broker coordinatorOf(RequestContext context, byte keyType, String key) {
        int at = coordinatorNode(keyType, key);
        if (at < 0 || at == node.nodeId()) {
            EndPoint self = node.endPoint(context.listenerName);
            return self == null ? null : new LocalNode.Broker(node.nodeId(), self.host, self.port, null, false);
        }
        return node.broker(at, context.listenerName);
    }

    private int coordinatorNode(byte keyType, String key) {
        return keyType == GROUP
                ? groups.host().coordinatorNode(key)
                : transactions.host().coordinatorNode(key);
    }

    /** Whether another node (not live on this listener, when asked after {@link #coordinatorOf}) coordinates {@code key}. */
    private boolean elsewhere(byte keyType, String key) {
        int at = coordinatorNode(keyType, key);
        return at >= 0 && at != node.nodeId();
    }

    /** DESCRIBE on the key's group or transactional id: NONE when allowed. */
    private Errors refusal(RequestContext context, byte keyType, String key) {
        if (keyType == GROUP) {
            return authorizer.authorize(context, AclOperation.DESCRIBE, ResourceType.GROUP, key)
                    ? Errors.NONE
                    : Errors.GROUP_AUTHORIZATION_FAILED;
        }
        if (keyType != TRANSACTION) {
            return Errors.NONE;
        }
        return authorizer.authorize(context, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, key)
                ? Errors.NONE
                : Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
    }

    private FindCoordinatorResponse answer(RequestContext context, byte keyType, List<String> keys, Errors topicError) {
        FindCoordinatorResponse r = new FindCoordinatorResponse();
        if (context.apiVersion < 4) {
            Errors refused = refusal(context, keyType, keys.get(0));
            Errors error = refused != Errors.NONE ? refused : topicError;
            LocalNode.Broker at = error == Errors.NONE ? coordinatorOf(context, keyType, keys.get(0)) : null;
            if (at == null && error == Errors.NONE && elsewhere(keyType, keys.get(0))) {
                error = Errors.COORDINATOR_NOT_AVAILABLE;
            }
            return at != null
                    ? r.setErrorCode(Errors.NONE.code)
                            .setNodeId(at.nodeId())
                            .setHost(at.host())
                            .setPort(at.port())
                    : r.setErrorCode(error.code)
                            .setErrorMessage(context.apiVersion >= 1 ? error.message : null)
                            .setNodeId(-1)
                            .setHost("")
                            .setPort(-1);
        }
        List<FindCoordinatorResponse.Coordinator> out = new ArrayList<>(keys.size());
        for (String key : keys) {
            FindCoordinatorResponse.Coordinator c = new FindCoordinatorResponse.Coordinator().setKey(key);
            Errors refused = refusal(context, keyType, key);
            Errors error = refused != Errors.NONE ? refused : topicError;
            LocalNode.Broker at = error == Errors.NONE ? coordinatorOf(context, keyType, key) : null;
            if (at == null && error == Errors.NONE && elsewhere(keyType, key)) {
                error = Errors.COORDINATOR_NOT_AVAILABLE;
            }
            if (at != null) {
                c.setErrorCode(Errors.NONE.code)
                        .setNodeId(at.nodeId())
                        .setHost(at.host())
                        .setPort(at.port());
            } else {
                c.setErrorCode(error.code)
                        .setErrorMessage(error.message)
                        .setNodeId(-1)
                        .setHost("")
                        .setPort(-1);
            }
            out.add(c);
        }
        return r.setCoordinators(out);
    }
}
