package io.skiff.broker.handler;

import io.skiff.broker.config.EndPoint;
import io.skiff.broker.coordinator.GroupCoordinatorService;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.wire.message.FindCoordinatorRequest;
import io.skiff.wire.message.FindCoordinatorResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.List;

/**
 * FindCoordinator (key 10), versions 0-6, one key (v0-3) or a batch of keys (v4+). For groups
 * this node is always the coordinator; the first request creates {@code __consumer_offsets}, and
 * the answer waits for it. There is no transaction coordinator yet: transaction keys get
 * COORDINATOR_NOT_AVAILABLE. Other key types are INVALID_REQUEST.
 */
public final class FindCoordinatorHandler extends ApiHandler<FindCoordinatorRequest> {
    static final byte GROUP = 0;
    static final byte TRANSACTION = 1;

    private final LocalNode node;
    private final GroupCoordinatorService groups;

    public FindCoordinatorHandler(LocalNode node, GroupCoordinatorService groups) {
        super(ApiKeys.FIND_COORDINATOR, 0, 6);
        this.node = node;
        this.groups = groups;
    }

    @Override
    public void handle(RequestContext context, FindCoordinatorRequest request) {
        short version = context.apiVersion;
        byte keyType = request.keyType();
        List<String> keys =
                version >= 4 ? request.coordinatorKeys() : List.of(request.key() == null ? "" : request.key());
        if (keyType == GROUP) {
            groups.ensureOffsetsTopic().whenComplete((error, failure) -> {
                Errors e = failure != null ? Errors.COORDINATOR_NOT_AVAILABLE : error;
                context.respond(answer(context, keys, e));
            });
            return;
        }
        context.respond(answer(
                context, keys, keyType == TRANSACTION ? Errors.COORDINATOR_NOT_AVAILABLE : Errors.INVALID_REQUEST));
    }

    private FindCoordinatorResponse answer(RequestContext context, List<String> keys, Errors error) {
        EndPoint self = node.endPoint(context.listenerName);
        boolean found = error == Errors.NONE && self != null;
        FindCoordinatorResponse r = new FindCoordinatorResponse();
        if (context.apiVersion < 4) {
            return found
                    ? r.setErrorCode(Errors.NONE.code)
                            .setNodeId(node.nodeId())
                            .setHost(self.host)
                            .setPort(self.port)
                    : r.setErrorCode(error.code)
                            .setErrorMessage(context.apiVersion >= 1 ? error.message : null)
                            .setNodeId(-1)
                            .setHost("")
                            .setPort(-1);
        }
        List<FindCoordinatorResponse.Coordinator> out = new ArrayList<>(keys.size());
        for (String key : keys) {
            FindCoordinatorResponse.Coordinator c = new FindCoordinatorResponse.Coordinator().setKey(key);
            if (found) {
                c.setErrorCode(Errors.NONE.code)
                        .setNodeId(node.nodeId())
                        .setHost(self.host)
                        .setPort(self.port);
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
