package io.skiff.broker.handler;

import io.skiff.broker.network.Session;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.broker.security.authz.ResourceType;
import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.wire.message.ConsumerGroupDescribeRequest;
import io.skiff.wire.message.ConsumerGroupDescribeResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** ConsumerGroupDescribe (key 69), versions 0-1: answered by the group coordinator; each group needs DESCRIBE (GROUP_AUTHORIZATION_FAILED); authorized operations on request. */
public final class ConsumerGroupDescribeHandler extends GroupApiHandler<ConsumerGroupDescribeRequest> {
    public ConsumerGroupDescribeHandler(GroupCoordinator coordinator, Authorizer authorizer) {
        super(ApiKeys.CONSUMER_GROUP_DESCRIBE, 0, 1, coordinator, authorizer);
    }

    @Override
    CompletableFuture<ConsumerGroupDescribeResponse> call(RequestContext rc, ConsumerGroupDescribeRequest request) {
        return coordinator.consumerGroupDescribe(rc, request);
    }

    @Override
    CompletableFuture<ConsumerGroupDescribeResponse> authorizedCall(
            Session session, RequestContext rc, ConsumerGroupDescribeRequest request) {
        List<String> allowed = new ArrayList<>();
        List<ConsumerGroupDescribeResponse.DescribedGroup> refused = new ArrayList<>();
        for (String groupId : request.groupIds()) {
            if (group(session, AclOperation.DESCRIBE, groupId)) {
                allowed.add(groupId);
            } else {
                refused.add(new ConsumerGroupDescribeResponse.DescribedGroup()
                        .setGroupId(groupId)
                        .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code)
                        .setErrorMessage(Errors.GROUP_AUTHORIZATION_FAILED.message));
            }
        }
        boolean ops = request.includeAuthorizedOperations();
        if (allowed.isEmpty() && !refused.isEmpty()) {
            return CompletableFuture.completedFuture(new ConsumerGroupDescribeResponse().setGroups(refused));
        }
        request.setGroupIds(allowed);
        return call(rc, request).thenApply(response -> {
            List<ConsumerGroupDescribeResponse.DescribedGroup> all = new ArrayList<>(response.groups());
            if (ops) {
                for (ConsumerGroupDescribeResponse.DescribedGroup g : all) {
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
