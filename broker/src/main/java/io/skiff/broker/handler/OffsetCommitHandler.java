package io.skiff.broker.handler;

import io.skiff.broker.network.Session;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.wire.message.OffsetCommitRequest;
import io.skiff.wire.message.OffsetCommitResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** OffsetCommit (key 8), versions 2-10: answered by the group coordinator; needs READ on the group (every partition GROUP_AUTHORIZATION_FAILED) and on each topic (its partitions TOPIC_AUTHORIZATION_FAILED). */
public final class OffsetCommitHandler extends GroupApiHandler<OffsetCommitRequest> {
    public OffsetCommitHandler(GroupCoordinator coordinator, Authorizer authorizer) {
        super(ApiKeys.OFFSET_COMMIT, 2, 10, coordinator, authorizer);
    }

    @Override
    CompletableFuture<OffsetCommitResponse> call(RequestContext rc, OffsetCommitRequest request) {
        return coordinator.commitOffsets(rc, request);
    }

    @Override
    CompletableFuture<OffsetCommitResponse> authorizedCall(
            Session session, RequestContext rc, OffsetCommitRequest request) {
        boolean groupAllowed = group(session, AclOperation.READ, request.groupId());
        List<OffsetCommitRequest.OffsetCommitRequestTopic> allowed = new ArrayList<>();
        List<OffsetCommitResponse.OffsetCommitResponseTopic> refused = new ArrayList<>();
        for (OffsetCommitRequest.OffsetCommitRequestTopic t : request.topics()) {
            Errors error = !groupAllowed
                    ? Errors.GROUP_AUTHORIZATION_FAILED
                    : topic(session, AclOperation.READ, t.name()) ? Errors.NONE : Errors.TOPIC_AUTHORIZATION_FAILED;
            if (error == Errors.NONE) {
                allowed.add(t);
                continue;
            }
            List<OffsetCommitResponse.OffsetCommitResponsePartition> partitions = new ArrayList<>();
            for (OffsetCommitRequest.OffsetCommitRequestPartition p : t.partitions()) {
                partitions.add(new OffsetCommitResponse.OffsetCommitResponsePartition()
                        .setPartitionIndex(p.partitionIndex())
                        .setErrorCode(error.code));
            }
            refused.add(new OffsetCommitResponse.OffsetCommitResponseTopic()
                    .setName(t.name())
                    .setTopicId(t.topicId())
                    .setPartitions(partitions));
        }
        if (refused.isEmpty()) {
            return call(rc, request);
        }
        if (allowed.isEmpty()) {
            return CompletableFuture.completedFuture(new OffsetCommitResponse().setTopics(refused));
        }
        request.setTopics(allowed);
        return call(rc, request).thenApply(response -> {
            List<OffsetCommitResponse.OffsetCommitResponseTopic> all = new ArrayList<>(response.topics());
            all.addAll(refused);
            return response.setTopics(all);
        });
    }
}
