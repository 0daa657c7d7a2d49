package io.skiff.broker.handler;

import io.skiff.broker.network.Session;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.broker.security.authz.ResourceType;
import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.wire.message.DescribeGroupsRequest;
import io.skiff.wire.message.DescribeGroupsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** DescribeGroups (key 15), versions 0-6: answered by the group coordinator; each group needs DESCRIBE (GROUP_AUTHORIZATION_FAILED); authorized operations on request (v3+). */
public final class DescribeGroupsHandler extends GroupApiHandler<DescribeGroupsRequest> {
    public DescribeGroupsHandler(GroupCoordinator coordinator, Authorizer authorizer) {
        super(ApiKeys.DESCRIBE_GROUPS, 0, 6, coordinator, authorizer);
    }

    @Override
    CompletableFuture<DescribeGroupsResponse> call(RequestContext rc, DescribeGroupsRequest request) {
        return coordinator.describeGroups(rc, request);
    }

    @Override
    CompletableFuture<DescribeGroupsResponse> authorizedCall(
            Session session, RequestContext rc, DescribeGroupsRequest request) {
        List<String> allowed = new ArrayList<>();
        List<DescribeGroupsResponse.DescribedGroup> refused = new ArrayList<>();
        for (String groupId : request.groups()) {
            if (group(session, AclOperation.DESCRIBE, groupId)) {
                allowed.add(groupId);
            } else {
                refused.add(new DescribeGroupsResponse.DescribedGroup()
                        .setGroupId(groupId)
                        .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code)
                        .setGroupState("")
                        .setProtocolType("")
                        .setProtocolData(""));
            }
        }
        boolean ops = rc.apiVersion() >= 3 && request.includeAuthorizedOperations();
        if (allowed.isEmpty() && !refused.isEmpty()) {
            return CompletableFuture.completedFuture(new DescribeGroupsResponse().setGroups(refused));
        }
        request.setGroups(allowed);
        return call(rc, request).thenApply(response -> {
            List<DescribeGroupsResponse.DescribedGroup> all = new ArrayList<>(response.groups());
            if (ops) {
                for (DescribeGroupsResponse.DescribedGroup g : all) {
                    if (g.errorCode() == Errors.NONE.code) {
                        g.setAuthorizedOperations(
                                authorizer.authorizedOperations(session, ResourceType.GROUP, g.groupId()));
                    }
                }
            }
            all.addAll(refused);
            return response.setGroups(all);
        });
    }
}
