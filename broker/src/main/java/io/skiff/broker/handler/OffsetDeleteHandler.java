package io.skiff.broker.handler;

import io.skiff.broker.network.Session;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.wire.message.OffsetDeleteRequest;
import io.skiff.wire.message.OffsetDeleteResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** OffsetDelete (key 47), versions 0-0: answered by the group coordinator; needs DELETE on the group (GROUP_AUTHORIZATION_FAILED) and READ on each topic (its partitions TOPIC_AUTHORIZATION_FAILED). */
public final class OffsetDeleteHandler extends GroupApiHandler<OffsetDeleteRequest> {
    public OffsetDeleteHandler(GroupCoordinator coordinator, Authorizer authorizer) {
        super(ApiKeys.OFFSET_DELETE, 0, 0, coordinator, authorizer);
    }

    @Override
    CompletableFuture<OffsetDeleteResponse> call(RequestContext rc, OffsetDeleteRequest request) {
        return coordinator.deleteOffsets(rc, request);
    }

    @Override
    CompletableFuture<OffsetDeleteResponse> authorizedCall(
            Session session, RequestContext rc, OffsetDeleteRequest request) {
        if (!group(session, AclOperation.DELETE, request.groupId())) {
            return CompletableFuture.completedFuture(
                    new OffsetDeleteResponse().setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code));
        }
        List<OffsetDeleteRequest.OffsetDeleteRequestTopic> allowed = new ArrayList<>();
        List<OffsetDeleteResponse.OffsetDeleteResponseTopic> refused = new ArrayList<>();
        for (OffsetDeleteRequest.OffsetDeleteRequestTopic t : request.topics()) {
            if (topic(session, AclOperation.READ, t.name())) {
                allowed.add(t);
                continue;
            }
            List<OffsetDeleteResponse.OffsetDeleteResponsePartition> partitions = new ArrayList<>();
            for (OffsetDeleteRequest.OffsetDeleteRequestPartition p : t.partitions()) {
                partitions.add(new OffsetDeleteResponse.OffsetDeleteResponsePartition()
                        .setPartitionIndex(p.partitionIndex())
                        .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code));
            }
            refused.add(new OffsetDeleteResponse.OffsetDeleteResponseTopic()
                    .setName(t.name())
                    .setPartitions(partitions));
        }
        if (refused.isEmpty()) {
            return call(rc, request);
        }
        request.setTopics(allowed);
        return call(rc, request).thenApply(response -> {
            if (response.errorCode() != Errors.NONE.code) {
                return response;
            }
            List<OffsetDeleteResponse.OffsetDeleteResponseTopic> all = new ArrayList<>(response.topics());
            all.addAll(refused);
            return response.setTopics(all);
        });
    }
}
