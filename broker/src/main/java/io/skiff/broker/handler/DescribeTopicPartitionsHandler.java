package io.skiff.broker.handler;

import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.PartitionImage;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.partition.Partition;
import io.skiff.broker.partition.PartitionManager;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.broker.security.authz.ResourceType;
import io.skiff.wire.message.DescribeTopicPartitionsRequest;
import io.skiff.wire.message.DescribeTopicPartitionsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * DescribeTopicPartitions (key 75), version 0: the requested topics (all when none are named)
 * in name order, paged by partition count: at most {@code min(ResponsePartitionLimit, 2000)}
 * partitions per answer, with a cursor that says where the next page starts. Only topics the
 * client may DESCRIBE: the others are left out of an all-topics answer and answer
 * TOPIC_AUTHORIZATION_FAILED when named.
 */
public final class DescribeTopicPartitionsHandler extends ApiHandler<DescribeTopicPartitionsRequest> {
    /** Apache Kafka's max.request.partition.size.limit default. */
    static final int MAX_PARTITIONS_PER_RESPONSE = 2000;

    private final LocalNode node;
    private final PartitionManager partitionManager;
    private final MetadataManager metadata;

    private final Authorizer authorizer;

    public DescribeTopicPartitionsHandler(
            LocalNode node, MetadataManager metadata, PartitionManager partitionManager, Authorizer authorizer) {
        super(ApiKeys.DESCRIBE_TOPIC_PARTITIONS, 0, 0);
        this.authorizer = authorizer;
        this.node = node;
        this.partitionManager = partitionManager;
        this.metadata = metadata;
    }

    @Override
    public void handle(RequestContext context, DescribeTopicPartitionsRequest request) {
        MetadataImage image = metadata.image();
        TreeMap<String, TopicImage> found = new TreeMap<>();
        List<DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponseTopic> missing = new ArrayList<>();
        if (request.topics().isEmpty()) {
            for (TopicImage t : image.topics()) {
                if (authorizer.authorize(context, AclOperation.DESCRIBE, ResourceType.TOPIC, t.name())) {
                    found.put(t.name(), t);
                }
            }
        } else {
            for (DescribeTopicPartitionsRequest.TopicRequest r : request.topics()) {
                TopicImage t = image.topic(r.name());
                if (!authorizer.authorize(context, AclOperation.DESCRIBE, ResourceType.TOPIC, r.name())) {
                    missing.add(new DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponseTopic()
                            .setName(r.name())
                            .setTopicId(Uuid.ZERO)
                            .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code)
                            .setTopicAuthorizedOperations(LocalNode.OPERATIONS_NOT_REQUESTED));
                } else if (t != null) {
                    found.put(t.name(), t);
                } else {
                    missing.add(new DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponseTopic()
                            .setName(r.name())
                            .setTopicId(Uuid.ZERO)
                            .setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code)
                            .setTopicAuthorizedOperations(LocalNode.OPERATIONS_NOT_REQUESTED));
                }
            }
        }
        int limit = Math.max(1, Math.min(request.responsePartitionLimit(), MAX_PARTITIONS_PER_RESPONSE));
        DescribeTopicPartitionsRequest.Cursor cursor = request.cursor();
        List<DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponseTopic> topics = new ArrayList<>(missing);
        DescribeTopicPartitionsResponse.Cursor next = null;
        int budget = limit;
        for (TopicImage t : (cursor == null ? found : found.tailMap(cursor.topicName(), true)).values()) {
            int first =
                    cursor != null && t.name().equals(cursor.topicName()) ? Math.max(0, cursor.partitionIndex()) : 0;
            if (budget == 0) {
                next = new DescribeTopicPartitionsResponse.Cursor()
                        .setTopicName(t.name())
                        .setPartitionIndex(first);
                break;
            }
            List<DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponsePartition> partitions =
                    new ArrayList<>();
            int p = first;
            for (; p < t.partitions() && budget > 0; p++, budget--) {
                partitions.add(describe(t, p));
            }
            topics.add(new DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponseTopic()
                    .setName(t.name())
                    .setTopicId(t.id())
                    .setIsInternal(t.isInternal())
                    .setPartitions(partitions)
                    .setTopicAuthorizedOperations(
                            authorizer.authorizedOperations(context, ResourceType.TOPIC, t.name())));
            if (p < t.partitions()) {
                next = new DescribeTopicPartitionsResponse.Cursor()
                        .setTopicName(t.name())
                        .setPartitionIndex(p);
                break;
            }
        }
        context.respond(new DescribeTopicPartitionsResponse().setTopics(topics).setNextCursor(next));
    }

    private DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponsePartition describe(TopicImage t, int p) {
        Partition partition = partitionManager.partition(t, p);
        DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponsePartition out =
                new DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponsePartition()
                        .setPartitionIndex(p)
                        .setEligibleLeaderReplicas(List.of())
                        .setLastKnownElr(List.of())
                        .setOfflineReplicas(List.of());
        PartitionImage state = partitionManager.stateOf(t, p);
        if (state != null) {
            List<Integer> offline = new ArrayList<>();
            for (int r : state.replicas()) {
                if (!node.isLive(r)) {
                    offline.add(r);
                }
            }
            boolean live = state.hasLeader() && node.isLive(state.leader());
            // As Kafka's: the recorded leader and epoch, and the replicas that are not live as offline.
            return out.setErrorCode(live ? Errors.NONE.code : Errors.LEADER_NOT_AVAILABLE.code)
                    .setLeaderId(live ? state.leader() : -1)
                    .setLeaderEpoch(state.leaderEpoch())
                    .setReplicaNodes(state.replicas())
                    .setIsrNodes(state.isr())
                    .setOfflineReplicas(offline);
        }
        int leader = partitionManager.leaderOf(t, p);
        if (partition == null && leader != node.nodeId() && node.isLive(leader)) {
            // Hosted by another broker: its one replica, at the first leader epoch.
            return out.setLeaderId(leader)
                    .setLeaderEpoch(PartitionManager.INITIAL_LEADER_EPOCH)
                    .setReplicaNodes(List.of(leader))
                    .setIsrNodes(List.of(leader));
        }
        if (partition == null) {
            // Published in the image a moment before its partitions exist here (or their broker is
            // fenced): as Kafka answers.
            return out.setErrorCode(Errors.LEADER_NOT_AVAILABLE.code)
                    .setLeaderId(-1)
                    .setLeaderEpoch(-1)
                    .setReplicaNodes(List.of(node.nodeId()))
                    .setIsrNodes(List.of());
        }
        return out.setLeaderId(partition.leaderId())
                .setLeaderEpoch(partition.leaderEpoch())
                .setReplicaNodes(partition.replicas())
                .setIsrNodes(partition.inSyncReplicas());
    }
}
