package io.skiff.broker.handler;

import io.skiff.broker.admin.TopicAdmin;
import io.skiff.broker.admin.TopicNames;
import io.skiff.broker.config.BrokerConfig;
import io.skiff.broker.config.EndPoint;
import io.skiff.broker.metadata.MetadataImage;
import io.skiff.broker.metadata.MetadataManager;
import io.skiff.broker.metadata.TopicImage;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.partition.Partition;
import io.skiff.broker.partition.PartitionManager;
import io.skiff.wire.message.MetadataRequest;
import io.skiff.wire.message.MetadataResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Metadata (key 3), versions 0-13: this node as the only broker and controller, the cluster id,
 * and the requested topics (all of them for a null list, or an empty one before version 1).
 * Unknown topics are created when both the request (v4+) and {@code auto.create.topics.enable}
 * allow it; the answer then waits for the creation and describes the new topic.
 */
public final class MetadataHandler extends ApiHandler<MetadataRequest> {
    private final LocalNode node;
    private final PartitionManager partitionManager;
    private final MetadataManager metadata;
    private final TopicAdmin admin;

    public MetadataHandler(
            LocalNode node, MetadataManager metadata, TopicAdmin admin, PartitionManager partitionManager) {
        super(ApiKeys.METADATA, 0, 13);
        this.node = node;
        this.partitionManager = partitionManager;
        this.metadata = metadata;
        this.admin = admin;
    }

    @Override
    public void handle(RequestContext context, MetadataRequest request) {
        short version = context.apiVersion;
        boolean allTopics =
                request.topics() == null || (version == 0 && request.topics().isEmpty());
        MetadataImage image = metadata.image();
        if (!allTopics) {
            Set<String> toCreate = new LinkedHashSet<>();
            boolean allowed = (version < 4 || request.allowAutoTopicCreation())
                    && node.config().getBoolean(BrokerConfig.AUTO_CREATE_TOPICS_ENABLE);
            for (MetadataRequest.MetadataRequestTopic t : request.topics()) {
                if (allowed
                        && t.name() != null
                        && image.topic(t.name()) == null
                        && TopicNames.invalidReason(t.name()) == null) {
                    toCreate.add(t.name());
                }
            }
            if (!toCreate.isEmpty()) {
                List<TopicAdmin.NewTopic> topics = new ArrayList<>();
                for (String name : toCreate) {
                    topics.add(new TopicAdmin.NewTopic(name, -1, (short) -1, Map.of(), Map.of()));
                }
                admin.create(topics, false)
                        .whenComplete((outcomes, error) -> context.respond(answer(context, request, metadata.image())));
                return;
            }
        }
        context.respond(answer(context, request, image));
    }

    private MetadataResponse answer(RequestContext context, MetadataRequest request, MetadataImage image) {
        short version = context.apiVersion;
        MetadataResponse response =
                new MetadataResponse().setClusterId(node.clusterId()).setControllerId(node.nodeId());
        EndPoint self = node.endPoint(context.listenerName);
        List<MetadataResponse.MetadataResponseBroker> brokers = new ArrayList<>(1);
        if (self != null) {
            brokers.add(new MetadataResponse.MetadataResponseBroker()
                    .setNodeId(node.nodeId())
                    .setHost(self.host)
                    .setPort(self.port)
                    .setRack(null));
        }
        response.setBrokers(brokers);
        boolean includeOps = version >= 8 && request.includeTopicAuthorizedOperations();
        List<MetadataResponse.MetadataResponseTopic> topics = new ArrayList<>();
        if (request.topics() == null || (version == 0 && request.topics().isEmpty())) {
            for (TopicImage t : image.topics()) {
                topics.add(describe(t, includeOps));
            }
        } else {
            for (MetadataRequest.MetadataRequestTopic rt : request.topics()) {
                TopicImage t = rt.name() != null
                        ? image.topic(rt.name())
                        : rt.topicId() != null && !rt.topicId().equals(Uuid.ZERO) ? image.topic(rt.topicId()) : null;
                if (t != null) {
                    topics.add(describe(t, includeOps));
                    continue;
                }
                MetadataResponse.MetadataResponseTopic out = new MetadataResponse.MetadataResponseTopic()
                        .setName(rt.name())
                        .setTopicId(rt.topicId() == null ? Uuid.ZERO : rt.topicId())
                        .setIsInternal(false);
                if (rt.name() == null) {
                    out.setErrorCode(Errors.UNKNOWN_TOPIC_ID.code);
                } else if (TopicNames.invalidReason(rt.name()) != null) {
                    out.setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code);
                } else {
                    out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code);
                }
                topics.add(out);
            }
        }
        response.setTopics(topics);
        if (version >= 8 && version <= 10 && request.includeClusterAuthorizedOperations()) {
            response.setClusterAuthorizedOperations(LocalNode.ALL_CLUSTER_OPERATIONS);
        }
        return response;
    }

    private MetadataResponse.MetadataResponseTopic describe(TopicImage t, boolean includeOps) {
        List<MetadataResponse.MetadataResponsePartition> partitions = new ArrayList<>(t.partitions());
        for (int p = 0; p < t.partitions(); p++) {
            Partition partition = partitionManager.partition(t, p);
            MetadataResponse.MetadataResponsePartition out = new MetadataResponse.MetadataResponsePartition()
                    .setPartitionIndex(p)
                    .setOfflineReplicas(List.of());
            if (partition == null) {
                // Published in the image a moment before its partitions exist here: as Kafka answers.
                out.setErrorCode(Errors.LEADER_NOT_AVAILABLE.code)
                        .setLeaderId(-1)
                        .setLeaderEpoch(-1)
                        .setReplicaNodes(List.of(node.nodeId()))
                        .setIsrNodes(List.of());
            } else {
                out.setLeaderId(partition.leaderId())
                        .setLeaderEpoch(partition.leaderEpoch())
                        .setReplicaNodes(partition.replicas())
                        .setIsrNodes(partition.inSyncReplicas());
            }
            partitions.add(out);
        }
        return new MetadataResponse.MetadataResponseTopic()
                .setName(t.name())
                .setTopicId(t.id())
                .setIsInternal(t.isInternal())
                .setPartitions(partitions)
                .setTopicAuthorizedOperations(
                        includeOps ? LocalNode.ALL_TOPIC_OPERATIONS : LocalNode.OPERATIONS_NOT_REQUESTED);
    }
}
