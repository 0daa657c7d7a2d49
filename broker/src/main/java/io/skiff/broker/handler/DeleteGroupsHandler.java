package io.skiff.broker.handler;

import io.skiff.broker.network.Session;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.wire.message.DeleteGroupsRequest;
import io.skiff.wire.message.DeleteGroupsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** DeleteGroups (key 42), versions 0-2: answered by the group coordinator; each group needs DELETE (GROUP_AUTHORIZATION_FAILED). */
public final class DeleteGroupsHandler extends GroupApiHandler<DeleteGroupsRequest> {
    public DeleteGroupsHandler(GroupCoordinator coordinator, Authorizer authorizer) {
        super(ApiKeys.DELETE_GROUPS, 0, 2, coordinator, authorizer);
    }

    @Override
    CompletableFuture<DeleteGroupsResponse> call(RequestContext rc, DeleteGroupsRequest request) {
        return coordinator.deleteGroups(rc, request);
    }

    @Override
    CompletableFuture<DeleteGroupsResponse> authorizedCall(
            Session session, RequestContext rc, DeleteGroupsRequest request) {
        List<String> allowed = new ArrayList<>();
        List<DeleteGroupsResponse.DeletableGroupResult> refused = new ArrayList<>();
        for (String groupId : request.groupsNames()) {
            if (group(session, AclOperation.DELETE, groupId)) {
                allowed.add(groupId);
            } else {
                refused.add(new DeleteGroupsResponse.DeletableGroupResult()
                        .setGroupId(groupId)
                        .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code));
            }
        }
        if (refused.isEmpty()) {
            return call(rc, request);
        }
        if (allowed.isEmpty()) {
            return CompletableFuture.completedFuture(new DeleteGroupsResponse().setResults(refused));
        }
        request.setGroupsNames(allowed);
        return call(rc, request).thenApply(response -> {
            List<DeleteGroupsResponse.DeletableGroupResult> all = new ArrayList<>(response.results());
            all.addAll(refused);
            return response.setResults(all);
        });
    }
}
