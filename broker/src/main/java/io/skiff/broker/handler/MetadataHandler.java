package io.skiff.broker.handler;

import io.skiff.broker.admin.TopicAdmin;
import io.skiff.broker.admin.TopicNames;
import io.skiff.broker.config.BrokerConfig;
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
import io.skiff.wire.message.MetadataRequest;
import io.skiff.wire.message.MetadataResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Metadata (key 3), versions 0-13: the live brokers (this node alone on a single node) and the
 * active controller, the cluster id, and the requested topics, each partition with its leader
 * ({@code Placement}) (all of them for a null list, or an empty one before version 1).
 * Unknown topics are created when both the request (v4+) and {@code auto.create.topics.enable}
 * allow it; the answer then waits for the creation and describes the new topic.
 *
 * <p>Authorization as in Apache Kafka: only topics the client may DESCRIBE are listed (an
 * all-topics request silently leaves the others out; a named one answers
 * TOPIC_AUTHORIZATION_FAILED without saying whether the topic exists, a topic id one the id and no
 * name); auto-creation needs CREATE on the cluster or on the topic (otherwise
 * TOPIC_AUTHORIZATION_FAILED); the authorized-operations fields say what the client may do.
 */
public final class MetadataHandler extends ApiHandler<MetadataRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataHandler.class);
    private final LocalNode node;
    private final PartitionManager partitionManager;
    private final MetadataManager metadata;
    private final TopicAdmin admin;
    private final Authorizer authorizer;

    public MetadataHandler(
            LocalNode node,
            MetadataManager metadata,
            TopicAdmin admin,
            PartitionManager partitionManager,
            Authorizer authorizer) {
        super(ApiKeys.METADATA, 0, 13);
        this.authorizer = authorizer;
        this.node = node;
        this.partitionManager = partitionManager;
        this.metadata = metadata;
        this.admin = admin;
    }

    /** Topic names the client may not describe, and those it may not auto-create; null sets when none. */
    private record Denied(Set<String> describe, Set<String> create) {
        static final Denied NONE = new Denied(null, null);

        boolean describe(String name) {
            return describe != null && describe.contains(name);
        }

        boolean create(String name) {
            return create != null && create.contains(name);
        }
    }

    @Override
    public void handle(RequestContext context, MetadataRequest request) {
        short version = context.apiVersion;
        boolean allTopics =
                request.topics() == null || (version == 0 && request.topics().isEmpty());
        if (version < 12 && !allTopics && namesANullTopic(request)) {
            context.respond(nullNameAnswer(request));
            return;
        }
        MetadataImage image = metadata.image();
        boolean autoCreate = !allTopics
                && (version < 4 || request.allowAutoTopicCreation())
                && node.config().getBoolean(BrokerConfig.AUTO_CREATE_TOPICS_ENABLE);
        Denied denied = authorizer.enabled() ? denied(context, request, image, allTopics, autoCreate) : Denied.NONE;
        if (autoCreate) {
            Set<String> toCreate = new LinkedHashSet<>();
            for (MetadataRequest.MetadataRequestTopic t : request.topics()) {
                if (t.name() != null
                        && image.topic(t.name()) == null
                        && TopicNames.invalidReason(t.name()) == null
                        && !denied.describe(t.name())
                        && !denied.create(t.name())) {
                    toCreate.add(t.name());
                }
            }
            if (!toCreate.isEmpty()) {
                List<TopicAdmin.NewTopic> topics = new ArrayList<>();
                for (String name : toCreate) {
                    topics.add(new TopicAdmin.NewTopic(name, -1, (short) -1, Map.of(), Map.of()));
                }
                admin.create(topics, false).whenComplete((outcomes, error) -> {
                    // As a handler that throws on the event loop: the connection closes, the request is released.
                    MetadataResponse answer;
                    try {
                        answer = answer(context, request, metadata.image(), denied);
                    } catch (RuntimeException e) {
                        LOG.warn("Cannot answer a Metadata request after creating topics; closing the connection", e);
                        context.closeConnection();
                        return;
                    }
                    context.respond(answer);
                });
                return;
            }
        }
        context.respond(answer(context, request, image, denied));
    }

    private static boolean namesANullTopic(MetadataRequest request) {
        for (MetadataRequest.MetadataRequestTopic t : request.topics()) {
            if (t.name() == null) {
                return true;
            }
        }
        return false;
    }

    /**
     * Kafka's answer to a request before v12 (which has no topic ids in answers) naming a topic by
     * id only: the request is invalid; every topic is answered INVALID_REQUEST, with an empty name
     * where it had none, and no brokers.
     */
    private static MetadataResponse nullNameAnswer(MetadataRequest request) {
        MetadataResponse response = new MetadataResponse().setClusterId(null).setControllerId(-1);
        List<MetadataResponse.MetadataResponseTopic> topics = new ArrayList<>();
        for (MetadataRequest.MetadataRequestTopic t : request.topics()) {
            topics.add(new MetadataResponse.MetadataResponseTopic()
                    .setErrorCode(Errors.INVALID_REQUEST.code)
                    .setName(t.name() == null ? "" : t.name())
                    .setTopicId(t.topicId() == null ? Uuid.ZERO : t.topicId())
                    .setIsInternal(false)
                    .setTopicAuthorizedOperations(Integer.MIN_VALUE));
        }
        return response.setTopics(topics);
    }

    /** What the client may not see or create, as Kafka decides it (DESCRIBE, then CREATE for the missing ones). */
    private Denied denied(
            RequestContext context,
            MetadataRequest request,
            MetadataImage image,
            boolean allTopics,
            boolean autoCreate) {
        Set<String> describe = new HashSet<>();
        Set<String> create = new HashSet<>();
        if (allTopics) {
            for (TopicImage t : image.topics()) {
                if (!authorizer.authorize(context, AclOperation.DESCRIBE, ResourceType.TOPIC, t.name())) {
                    describe.add(t.name());
                }
            }
            return new Denied(describe, create);
        }
        Boolean clusterCreate = null;
        for (MetadataRequest.MetadataRequestTopic rt : request.topics()) {
            String name = rt.name();
            if (name == null && rt.topicId() != null) {
                TopicImage t = image.topic(rt.topicId());
                name = t == null ? null : t.name();
            }
            if (name == null) {
                continue;
            }
            if (!authorizer.authorize(context, AclOperation.DESCRIBE, ResourceType.TOPIC, name)) {
                describe.add(name);
            } else if (autoCreate && image.topic(name) == null) {
                if (clusterCreate == null) {
                    clusterCreate = authorizer.authorizeCluster(context, AclOperation.CREATE);
                }
                if (!clusterCreate && !authorizer.authorize(context, AclOperation.CREATE, ResourceType.TOPIC, name)) {
                    create.add(name);
                }
            }
        }
        return new Denied(describe, create);
    }

    private MetadataResponse answer(
            RequestContext context, MetadataRequest request, MetadataImage image, Denied denied) {
        short version = context.apiVersion;
        MetadataResponse response =
                new MetadataResponse().setClusterId(node.clusterId()).setControllerId(node.controllerId());
        List<MetadataResponse.MetadataResponseBroker> brokers = new ArrayList<>(1);
        for (LocalNode.Broker b : node.brokers(context.listenerName, false)) {
            brokers.add(new MetadataResponse.MetadataResponseBroker()
                    .setNodeId(b.nodeId())
                    .setHost(b.host())
                    .setPort(b.port())
                    .setRack(b.rack()));
        }
        response.setBrokers(brokers);
        boolean includeOps = version >= 8 && request.includeTopicAuthorizedOperations();
        List<MetadataResponse.MetadataResponseTopic> topics = new ArrayList<>();
        if (request.topics() == null || (version == 0 && request.topics().isEmpty())) {
            for (TopicImage t : image.topics()) {
                if (!denied.describe(t.name())) {
                    topics.add(describe(context, t, includeOps));
                }
            }
        } else {
            for (MetadataRequest.MetadataRequestTopic rt : request.topics()) {
                topics.add(requested(context, rt, image, denied, includeOps));
            }
        }
        response.setTopics(topics);
        if (version >= 8 && version <= 10 && request.includeClusterAuthorizedOperations()) {
            response.setClusterAuthorizedOperations(
                    authorizer.authorizeCluster(context, AclOperation.DESCRIBE)
                            ? authorizer.authorizedOperations(context, ResourceType.CLUSTER, ResourceType.CLUSTER_NAME)
                            : 0);
        }
        return response;
    }

    /** The answer for one requested topic: described, refused, or unknown. */
    private MetadataResponse.MetadataResponseTopic requested(
            RequestContext context,
            MetadataRequest.MetadataRequestTopic rt,
            MetadataImage image,
            Denied denied,
            boolean includeOps) {
        TopicImage t = rt.name() != null
                ? image.topic(rt.name())
                : rt.topicId() != null && !rt.topicId().equals(Uuid.ZERO) ? image.topic(rt.topicId()) : null;
        String name = rt.name() != null ? rt.name() : t == null ? null : t.name();
        MetadataResponse.MetadataResponseTopic out = new MetadataResponse.MetadataResponseTopic()
                .setIsInternal(false)
                .setTopicId(Uuid.ZERO);
        if (name != null && denied.describe(name)) {
            // Kafka: a topic id is no secret, a name's existence is.
            return rt.name() == null
                    ? out.setName(null).setTopicId(t.id()).setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code)
                    : out.setName(name).setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code);
        }
        if (t != null) {
            return describe(context, t, includeOps);
        }
        out.setName(rt.name()).setTopicId(rt.topicId() == null ? Uuid.ZERO : rt.topicId());
        if (rt.name() == null) {
            out.setErrorCode(Errors.UNKNOWN_TOPIC_ID.code);
        } else if (TopicNames.invalidReason(rt.name()) != null) {
            out.setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code);
        } else if (denied.create(rt.name())) {
            out.setTopicId(Uuid.ZERO).setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code);
        } else {
            out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code);
        }
        return out;
    }

    /**
     * A cluster partition as the image records it: leader, leader epoch, replicas, ISR; the replicas
     * on fenced or unregistered brokers are offline, and without a live leader the partition answers
     * LEADER_NOT_AVAILABLE, as Kafka's does.
     */
    private void fromImage(MetadataResponse.MetadataResponsePartition out, PartitionImage state) {
        List<Integer> offline = new ArrayList<>();
        for (int r : state.replicas()) {
            if (!node.isLive(r)) {
                offline.add(r);
            }
        }
        boolean live = state.hasLeader() && node.isLive(state.leader());
        out.setErrorCode(live ? Errors.NONE.code : Errors.LEADER_NOT_AVAILABLE.code)
                .setLeaderId(live ? state.leader() : -1)
                .setLeaderEpoch(state.leaderEpoch())
                .setReplicaNodes(state.replicas())
                .setIsrNodes(state.isr())
                .setOfflineReplicas(offline);
    }

    private MetadataResponse.MetadataResponseTopic describe(RequestContext context, TopicImage t, boolean includeOps) {
        List<MetadataResponse.MetadataResponsePartition> partitions = new ArrayList<>(t.partitions());
        for (int p = 0; p < t.partitions(); p++) {
            Partition partition = partitionManager.partition(t, p);
            MetadataResponse.MetadataResponsePartition out = new MetadataResponse.MetadataResponsePartition()
                    .setPartitionIndex(p)
                    .setOfflineReplicas(List.of());
            PartitionImage state = partitionManager.stateOf(t, p);
            int leader = partitionManager.leaderOf(t, p);
            if (state != null) {
                fromImage(out, state);
            } else if (partition == null && leader != node.nodeId() && node.isLive(leader)) {
                // Hosted by another broker: its one replica, at the first leader epoch.
                out.setLeaderId(leader)
                        .setLeaderEpoch(PartitionManager.INITIAL_LEADER_EPOCH)
                        .setReplicaNodes(List.of(leader))
                        .setIsrNodes(List.of(leader));
            } else if (partition == null) {
                // Published in the image a moment before its partitions exist here (or their broker is
                // fenced): as Kafka answers.
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
                        includeOps
                                ? authorizer.authorizedOperations(context, ResourceType.TOPIC, t.name())
                                : LocalNode.OPERATIONS_NOT_REQUESTED);
    }
}
