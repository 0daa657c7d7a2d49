package io.skiff.broker.handler;

import io.skiff.broker.network.Session;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.broker.security.authz.ResourceType;
import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.wire.message.ListGroupsRequest;
import io.skiff.wire.message.ListGroupsResponse;
import io.skiff.wire.protocol.ApiKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** ListGroups (key 16), versions 0-5: answered by the group coordinator; without DESCRIBE on the cluster, only the groups the client may DESCRIBE. */
public final class ListGroupsHandler extends GroupApiHandler<ListGroupsRequest> {
    public ListGroupsHandler(GroupCoordinator coordinator, Authorizer authorizer) {
        super(ApiKeys.LIST_GROUPS, 0, 5, coordinator, authorizer);
    }

    @Override
    CompletableFuture<ListGroupsResponse> call(RequestContext rc, ListGroupsRequest request) {
        return coordinator.listGroups(rc, request);
    }

    @Override
    CompletableFuture<ListGroupsResponse> authorizedCall(
            Session session, RequestContext rc, ListGroupsRequest request) {
        if (authorizer.authorize(session, AclOperation.DESCRIBE, ResourceType.CLUSTER, ResourceType.CLUSTER_NAME)) {
            return call(rc, request);
        }
        return call(rc, request).thenApply(response -> {
            List<ListGroupsResponse.ListedGroup> visible = new ArrayList<>();
            for (ListGroupsResponse.ListedGroup g : response.groups()) {
                if (group(session, AclOperation.DESCRIBE, g.groupId())) {
                    visible.add(g);
                }
            }
            return response.setGroups(visible);
        });
    }
}
