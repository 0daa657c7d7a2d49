package io.skiff.broker.handler;

import io.skiff.broker.network.Session;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.wire.message.OffsetFetchRequest;
import io.skiff.wire.message.OffsetFetchResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * OffsetFetch (key 9), versions 1-10: answered by the group coordinator. Each group needs DESCRIBE
 * (GROUP_AUTHORIZATION_FAILED, no offsets); offsets of topics the client may not DESCRIBE are left
 * out of an all-topics answer and answer TOPIC_AUTHORIZATION_FAILED when named, as in Kafka.
 */
public final class OffsetFetchHandler extends GroupApiHandler<OffsetFetchRequest> {
    public OffsetFetchHandler(GroupCoordinator coordinator, Authorizer authorizer) {
        super(ApiKeys.OFFSET_FETCH, 1, 10, coordinator, authorizer);
    }

    @Override
    CompletableFuture<OffsetFetchResponse> call(RequestContext rc, OffsetFetchRequest request) {
        return coordinator.fetchOffsets(rc, request);
    }

    @Override
    CompletableFuture<OffsetFetchResponse> authorizedCall(
            Session session, RequestContext rc, OffsetFetchRequest request) {
        if (!authorizer.enabled()) {
            return call(rc, request);
        }
        if (rc.apiVersion() < 8) {
            if (!group(session, AclOperation.DESCRIBE, request.groupId())) {
                return CompletableFuture.completedFuture(new OffsetFetchResponse()
                        .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code)
                        .setTopics(new ArrayList<>()));
            }
            boolean allTopics = request.topics() == null;
            return call(rc, request)
                    .thenApply(response -> response.setTopics(visible(session, response.topics(), allTopics)));
        }
        return call(rc, request).thenApply(response -> {
            List<OffsetFetchResponse.OffsetFetchResponseGroup> groups = new ArrayList<>();
            for (OffsetFetchResponse.OffsetFetchResponseGroup g : response.groups()) {
                if (!group(session, AclOperation.DESCRIBE, g.groupId())) {
                    groups.add(new OffsetFetchResponse.OffsetFetchResponseGroup()
                            .setGroupId(g.groupId())
                            .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code)
                            .setTopics(new ArrayList<>()));
                } else {
                    groups.add(g.setTopics(visibleTopics(session, g.topics(), allTopics(request, g.groupId()))));
                }
            }
            return response.setGroups(groups);
        });
    }

    private static boolean allTopics(OffsetFetchRequest request, String groupId) {
        for (OffsetFetchRequest.OffsetFetchRequestGroup g : request.groups()) {
            if (g.groupId().equals(groupId)) {
                return g.topics() == null;
            }
        }
        return true;
    }

    private List<OffsetFetchResponse.OffsetFetchResponseTopic> visible(
            Session session, List<OffsetFetchResponse.OffsetFetchResponseTopic> topics, boolean allTopics) {
        List<OffsetFetchResponse.OffsetFetchResponseTopic> out = new ArrayList<>(topics.size());
        for (OffsetFetchResponse.OffsetFetchResponseTopic t : topics) {
            if (topic(session, AclOperation.DESCRIBE, t.name())) {
                out.add(t);
            } else if (!allTopics) {
                for (OffsetFetchResponse.OffsetFetchResponsePartition p : t.partitions()) {
                    p.setCommittedOffset(-1)
                            .setCommittedLeaderEpoch(-1)
                            .setMetadata("")
                            .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code);
                }
                out.add(t);
            }
        }
        return out;
    }

    private List<OffsetFetchResponse.OffsetFetchResponseTopics> visibleTopics(
            Session session, List<OffsetFetchResponse.OffsetFetchResponseTopics> topics, boolean allTopics) {
        List<OffsetFetchResponse.OffsetFetchResponseTopics> out = new ArrayList<>(topics.size());
        for (OffsetFetchResponse.OffsetFetchResponseTopics t : topics) {
            if (topic(session, AclOperation.DESCRIBE, t.name())) {
                out.add(t);
            } else if (!allTopics) {
                for (OffsetFetchResponse.OffsetFetchResponsePartitions p : t.partitions()) {
                    p.setCommittedOffset(-1)
                            .setCommittedLeaderEpoch(-1)
                            .setMetadata("")
                            .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code);
                }
                out.add(t);
            }
        }
        return out;
    }
}
