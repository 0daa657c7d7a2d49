package io.skiff.coordinator.group.consumer;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.skiff.coordinator.group.Group;
import io.skiff.coordinator.group.GroupCoordinatorConfig;
import io.skiff.coordinator.group.GroupMetrics;
import io.skiff.coordinator.group.GroupRecords;
import io.skiff.coordinator.group.GroupStore;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.coordinator.group.TopicsView;
import io.skiff.coordinator.group.assignor.PartitionAssignor;
import io.skiff.coordinator.group.classic.ClassicGroup;
import io.skiff.coordinator.group.classic.ClassicGroupHandler;
import io.skiff.coordinator.runtime.CoordinatorException;
import io.skiff.coordinator.runtime.CoordinatorRecord;
import io.skiff.coordinator.runtime.OperationContext;
import io.skiff.wire.message.ConsumerGroupDescribeResponse;
import io.skiff.wire.message.ConsumerGroupHeartbeatRequest;
import io.skiff.wire.message.ConsumerGroupHeartbeatResponse;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer group protocol (KIP-848) on one shard: ConsumerGroupHeartbeat (join, heartbeat,
 * leave), the server-side target assignment, member reconciliation, session and rebalance
 * timeouts, regular expression subscriptions, and ConsumerGroupDescribe.
 *
 * <p>A heartbeat follows Kafka's three steps: (1) the member's subscription is created or
 * updated and, if the subscribed topics or their metadata changed, the group epoch is bumped;
 * (2) if the group epoch is ahead of the target assignment epoch, a new target assignment is
 * computed by the server assignor; (3) the member's current assignment is reconciled one step
 * towards its target. Every change is an appended record, replayed at once. Regular expressions
 * are RE2/J patterns, as in Kafka, resolved synchronously against {@link TopicsView} (Kafka
 * resolves them asynchronously).
 *
 * <p>The first ConsumerGroupHeartbeat to a classic group with members converts it (Kafka's online
 * upgrade, see {@link GroupMigration}); fencing the last member that uses the consumer protocol
 * may convert the group back. Members that use the classic protocol are served by
 * {@link ClassicMembersHandler}, with the reconciliation, epoch and fencing steps of this class.
 * Shard-thread only.
 */
public final class ConsumerGroupHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerGroupHandler.class);

    private final GroupStore store;
    private final GroupCoordinatorConfig config;
    private final TopicsView topics;
    private final GroupMetrics metrics;
    private final Map<String, PartitionAssignor> assignors;
    private final String defaultAssignor;
    private final MetadataHash metadataHash = new MetadataHash();
    private final GroupMigration migration;

    public ConsumerGroupHandler(
            GroupStore store,
            GroupCoordinatorConfig config,
            TopicsView topics,
            GroupMetrics metrics,
            Map<String, PartitionAssignor> assignors,
            ClassicGroupHandler classic) {
        this.store = store;
        this.config = config;
        this.topics = topics;
        this.metrics = metrics;
        this.assignors = assignors;
        this.defaultAssignor = config.consumerGroupAssignors().get(0);
        this.migration = new GroupMigration(store, config, topics, metrics, classic, metadataHash);
    }

    static String sessionTimeoutKey(String groupId, String memberId) {
        return "consumer-session-" + groupId + "-" + memberId;
    }

    static String rebalanceTimeoutKey(String groupId, String memberId) {
        return "consumer-rebalance-" + groupId + "-" + memberId;
    }

    /** A classic member told to rejoin must do so within its rebalance timeout. */
    static String joinTimeoutKey(String groupId, String memberId) {
        return "consumer-join-" + groupId + "-" + memberId;
    }

    /** A classic member that joined must send its SyncGroup within its rebalance timeout. */
    static String syncTimeoutKey(String groupId, String memberId) {
        return "consumer-sync-" + groupId + "-" + memberId;
    }

    GroupCoordinatorConfig config() {
        return config;
    }

    TopicsView topics() {
        return topics;
    }

    // -------------------------------------------------------------------------------------------
    // ConsumerGroupHeartbeat.

    /** Handles a ConsumerGroupHeartbeat; failures are thrown as {@link CoordinatorException}s. */
    public ConsumerGroupHeartbeatResponse heartbeat(
            OperationContext ctx, RequestContext rc, ConsumerGroupHeartbeatRequest request) {
        validate(request, rc.apiVersion());
        if (request.memberEpoch() == ConsumerGroupMember.LEAVE_GROUP_MEMBER_EPOCH
                || request.memberEpoch() == ConsumerGroupMember.LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
            return leave(ctx, request);
        }
        return regularHeartbeat(ctx, rc, request);
    }

    private void validate(ConsumerGroupHeartbeatRequest r, short apiVersion) {
        if (apiVersion >= 1 || r.memberEpoch() > 0 || r.memberEpoch() == ConsumerGroupMember.LEAVE_GROUP_MEMBER_EPOCH) {
            throwIfEmpty(r.memberId(), "MemberId can't be empty.");
        }
        throwIfEmpty(r.groupId(), "GroupId can't be empty.");
        throwIfEmpty(r.instanceId(), "InstanceId can't be empty.");
        throwIfEmpty(r.rackId(), "RackId can't be empty.");
        if (r.memberEpoch() == 0) {
            if (r.rebalanceTimeoutMs() == -1) {
                throw invalid("RebalanceTimeoutMs must be provided in first request.");
            }
            if (r.topicPartitions() == null || !r.topicPartitions().isEmpty()) {
                throw invalid("TopicPartitions must be empty when (re-)joining.");
            }
            boolean names = r.subscribedTopicNames() != null
                    && !r.subscribedTopicNames().isEmpty();
            boolean regex = r.subscribedTopicRegex() != null
                    && !r.subscribedTopicRegex().isEmpty();
            if (!names && !regex) {
                throw invalid("SubscribedTopicNames or SubscribedTopicRegex must be set in first request.");
            }
        } else if (r.memberEpoch() == ConsumerGroupMember.LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
            if (r.instanceId() == null) {
                throw invalid("InstanceId can't be null.");
            }
        } else if (r.memberEpoch() < ConsumerGroupMember.LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
            throw invalid("MemberEpoch is invalid.");
        }
        if (r.serverAssignor() != null && !assignors.containsKey(r.serverAssignor())) {
            throw new CoordinatorException(
                    Errors.UNSUPPORTED_ASSIGNOR,
                    "ServerAssignor " + r.serverAssignor() + " is not supported. Supported assignors: "
                            + String.join(", ", assignors.keySet()) + ".");
        }
        if (r.subscribedTopicRegex() != null && !r.subscribedTopicRegex().isEmpty()) {
            try {
                Pattern.compile(r.subscribedTopicRegex());
            } catch (PatternSyntaxException e) {
                throw new CoordinatorException(
                        Errors.INVALID_REGULAR_EXPRESSION,
                        "SubscribedTopicRegex `" + r.subscribedTopicRegex() + "` is not a valid regular expression: "
                                + e.getDescription() + ".");
            }
        }
    }

    private static void throwIfEmpty(String value, String message) {
        if (value != null && value.trim().isEmpty()) {
            throw invalid(message);
        }
    }

    private static CoordinatorException invalid(String message) {
        return new CoordinatorException(Errors.INVALID_REQUEST, message);
    }

    private void throwIfGroupIsFull(ConsumerGroup group, ConsumerGroupHeartbeatRequest request, String memberId) {
        if (group != null
                && group.numMembers() >= config.consumerGroupMaxSize()
                && (request.memberId().isEmpty() || !group.hasMember(memberId))) {
            throw new CoordinatorException(
                    Errors.GROUP_MAX_SIZE_REACHED,
                    "The consumer group has reached its maximum capacity of " + config.consumerGroupMaxSize()
                            + " members.");
        }
    }

    private ConsumerGroupHeartbeatResponse regularHeartbeat(
            OperationContext ctx, RequestContext rc, ConsumerGroupHeartbeatRequest request) {
        String groupId = request.groupId();
        int memberEpoch = request.memberEpoch();
        boolean create = memberEpoch == 0;
        String memberId = request.memberId().isEmpty() ? Uuid.random().toString() : request.memberId();
        String instanceId = request.instanceId();

        // Everything that can refuse the request is checked before the first record is appended.
        Group existing = store.group(groupId);
        ConsumerGroup group;
        boolean replaceEmptyClassicGroup = false;
        ClassicGroup upgraded = null;
        if (existing == null) {
            if (!create) {
                throw new CoordinatorException(Errors.GROUP_ID_NOT_FOUND, "Consumer group " + groupId + " not found.");
            }
            group = null;
        } else if (existing instanceof ConsumerGroup) {
            group = (ConsumerGroup) existing;
        } else if (create && existing.isEmpty()) {
            // An empty classic group (maybe just holding offsets) becomes a consumer group.
            replaceEmptyClassicGroup = true;
            group = null;
        } else if (create) {
            // The first member using the consumer protocol joins a classic group: online upgrade.
            // The checks below run against the group the classic group becomes.
            upgraded = (ClassicGroup) existing;
            group = migration.upgradeCandidate(upgraded);
        } else {
            throw new CoordinatorException(Errors.GROUP_ID_NOT_FOUND, "Group " + groupId + " is not a consumer group.");
        }
        throwIfGroupIsFull(group, request, memberId);

        ConsumerGroupMember member = heartbeatMember(group, request, memberId, create);
        // A static member joining (epoch 0) while another member holds its instance id replaces it.
        ConsumerGroupMember replacedStatic =
                instanceId == null || group == null || !create ? null : group.staticMember(instanceId);

        // From here on records are appended: nothing below may refuse the request.
        if (replaceEmptyClassicGroup) {
            ctx.append(GroupRecords.groupMetadataTombstone(groupId));
            LOG.info("Group {}: converted the empty classic group to a consumer group.", groupId);
        }
        if (upgraded != null) {
            migration.upgrade(ctx, upgraded, group);
            for (ConsumerGroupMember m : group.members().values()) {
                scheduleSessionTimeout(ctx, groupId, m.memberId(), m.classicSessionTimeoutMs());
            }
        }
        if (replacedStatic != null) {
            replaceStaticMember(ctx, group, replacedStatic, member, instanceId);
        }

        // 1. Create or update the member; bump the group epoch if the subscription changed.
        ConsumerGroupMember updated = heartbeatUpdatedMember(rc, request, member);
        boolean isNewMember = group == null || (replacedStatic == null && !group.hasMember(memberId));
        if (isNewMember || !updated.sameMetadata(member)) {
            ctx.append(GroupRecords.consumerGroupMember(groupId, memberId, updated.toMetadataValue()));
        }
        group = store.consumerGroupOrNull(groupId);
        boolean topicNamesChanged = !updated.subscribedTopicNames().equals(member.subscribedTopicNames());
        boolean regexChanged = !Objects.equals(updated.subscribedTopicRegex(), member.subscribedTopicRegex());
        if (regexChanged) {
            updateRegularExpressions(ctx, group, member.subscribedTopicRegex(), updated.subscribedTopicRegex());
        }
        refreshStaleRegex(ctx, group, updated.subscribedTopicRegex());
        boolean subscriptionChanged = topicNamesChanged || regexChanged;
        maybeBumpGroupEpoch(ctx, group, group.groupEpoch() == 0 || subscriptionChanged);

        // 2. Compute a new target assignment if the group epoch moved past it, at most once per
        //    group.consumer.assignment.interval.ms (KIP-1263); until then members reconcile
        //    towards the previous target and the group is Assigning.
        Map<Uuid, Set<Integer>> target;
        if (group.groupEpoch() > group.assignmentEpoch()
                && canComputeNextTargetAssignment(group.assignmentTimestampMs(), ctx.nowMs())) {
            target = updateTargetAssignment(ctx, group, memberId);
        } else {
            target = group.targetAssignment(memberId);
        }

        // 3. Reconcile the member towards its target.
        ConsumerGroupMember before = group.member(memberId);
        ConsumerGroupMember after = before;
        if (!before.isReconciledTo(group.assignmentEpoch()) || subscriptionChanged) {
            after = new Reconciler(
                            before,
                            group.assignmentEpoch(),
                            target,
                            group::currentPartitionEpoch,
                            request.topicPartitions(),
                            subscribedTopicIds(group, before),
                            subscriptionChanged)
                    .reconcile();
            if (!after.sameAssignment(before)) {
                appendCurrentAssignment(ctx, groupId, after);
                maybeScheduleRebalanceTimeout(ctx, groupId, after);
            }
        }
        scheduleSessionTimeout(ctx, groupId, memberId);

        ConsumerGroupHeartbeatResponse response = new ConsumerGroupHeartbeatResponse()
                .setMemberId(memberId)
                .setMemberEpoch(after.memberEpoch())
                .setHeartbeatIntervalMs(config.consumerGroupHeartbeatIntervalMs());
        boolean fullRequest = request.rebalanceTimeoutMs() != -1
                && (request.subscribedTopicNames() != null || request.subscribedTopicRegex() != null)
                && request.topicPartitions() != null;
        if (memberEpoch == 0
                || fullRequest
                || !after.assignedPartitions()
                        .keySet()
                        .equals(member.assignedPartitions().keySet())
                || !after.assignedPartitionSets().equals(member.assignedPartitionSets())) {
            response.setAssignment(responseAssignment(after));
        }
        return response;
    }

    /**
     * The member a heartbeat is for, as it is before the heartbeat: an existing member, a new one
     * (epoch 0), or, for a static member joining while another member holds its instance id, a copy
     * of that holder under the new member id. Refuses unknown members, instance ids that are not
     * released or are fenced, and invalid member epochs; appends nothing.
     */
    private ConsumerGroupMember heartbeatMember(
            ConsumerGroup group, ConsumerGroupHeartbeatRequest request, String memberId, boolean create) {
        String groupId = request.groupId();
        int memberEpoch = request.memberEpoch();
        String instanceId = request.instanceId();
        ConsumerGroupMember member;
        if (instanceId == null) {
            member = group == null ? null : group.member(memberId);
            if (member == null) {
                if (!create) {
                    throw new CoordinatorException(
                            Errors.UNKNOWN_MEMBER_ID,
                            "Member " + memberId + " is not a member of group " + groupId + ".");
                }
                member = new ConsumerGroupMember.Builder(memberId).build();
                LOG.info(
                        "Group {}: member {} joins the consumer group using the consumer protocol.", groupId, memberId);
            }
            throwIfMemberEpochIsInvalid(member, memberEpoch, request.topicPartitions());
            return member;
        }
        ConsumerGroupMember staticMember = group == null ? null : group.staticMember(instanceId);
        if (create) {
            if (staticMember == null) {
                member = group == null ? null : group.member(memberId);
                if (member == null) {
                    member = new ConsumerGroupMember.Builder(memberId).build();
                }
                LOG.info(
                        "Group {}: static member {} with instance id {} joins the consumer group.",
                        groupId,
                        memberId,
                        instanceId);
                return member;
            }
            if (!staticMember.useClassicProtocol()
                    && staticMember.memberEpoch() != ConsumerGroupMember.LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
                throw new CoordinatorException(
                        Errors.UNRELEASED_INSTANCE_ID,
                        "Static member " + memberId
                                + " with instance id " + instanceId + " cannot join the group because the instance id"
                                + " is owned by " + staticMember.memberId() + " member.");
            }
            return new ConsumerGroupMember.Builder(staticMember, memberId)
                    .memberEpoch(0)
                    .previousMemberEpoch(0)
                    .build();
        }
        if (staticMember == null) {
            throw new CoordinatorException(Errors.UNKNOWN_MEMBER_ID, "Instance id " + instanceId + " is unknown.");
        }
        throwIfInstanceIdIsFenced(staticMember, groupId, memberId, instanceId);
        throwIfMemberEpochIsInvalid(staticMember, memberEpoch, request.topicPartitions());
        return staticMember;
    }

    /**
     * Writes the records of a static member rejoining with a new member id: the old member's
     * records go, and {@code member} (the old member under its new id) takes over its target and
     * current assignments.
     */
    private static void replaceStaticMember(
            OperationContext ctx,
            ConsumerGroup group,
            ConsumerGroupMember replaced,
            ConsumerGroupMember member,
            String instanceId) {
        String groupId = group.groupId();
        String memberId = member.memberId();
        LOG.info(
                "Group {}: static member with instance id {} rejoins; member {} replaces {}",
                groupId,
                instanceId,
                memberId,
                replaced.memberId());
        Map<Uuid, Set<Integer>> previousTarget = group.targetAssignment(replaced.memberId());
        removeMemberRecords(ctx, groupId, replaced.memberId());
        ctx.append(GroupRecords.consumerGroupMember(groupId, memberId, member.toMetadataValue()));
        ctx.append(GroupRecords.targetAssignment(groupId, memberId, previousTarget));
        appendCurrentAssignment(ctx, groupId, member);
    }

    /** {@code member} with what the heartbeat sets: client, rack, timeouts, assignor, subscription. */
    private static ConsumerGroupMember heartbeatUpdatedMember(
            RequestContext rc, ConsumerGroupHeartbeatRequest request, ConsumerGroupMember member) {
        ConsumerGroupMember.Builder b = new ConsumerGroupMember.Builder(member)
                .clientId(rc.clientId())
                .clientHost(rc.clientHost())
                .classicMemberMetadata(null);
        if (request.instanceId() != null) {
            b.instanceId(request.instanceId());
        }
        if (request.rackId() != null) {
            b.rackId(request.rackId());
        }
        if (request.rebalanceTimeoutMs() != -1) {
            b.rebalanceTimeoutMs(request.rebalanceTimeoutMs());
        }
        if (request.serverAssignor() != null) {
            b.serverAssignor(request.serverAssignor());
        }
        if (request.subscribedTopicNames() != null) {
            b.subscribedTopicNames(request.subscribedTopicNames());
        }
        if (request.subscribedTopicRegex() != null) {
            b.subscribedTopicRegex(request.subscribedTopicRegex());
        }
        return b.build();
    }

    boolean canComputeNextTargetAssignment(long lastAssignmentMs, long nowMs) {
        int intervalMs = config.consumerGroupAssignmentIntervalMs();
        return lastAssignmentMs == 0 || intervalMs == 0 || nowMs >= lastAssignmentMs + intervalMs;
    }

    private static ConsumerGroupHeartbeatResponse.Assignment responseAssignment(ConsumerGroupMember m) {
        List<ConsumerGroupHeartbeatResponse.TopicPartitions> tps = new ArrayList<>();
        for (Map.Entry<Uuid, Set<Integer>> e : m.assignedPartitionSets().entrySet()) {
            tps.add(new ConsumerGroupHeartbeatResponse.TopicPartitions()
                    .setTopicId(e.getKey())
                    .setPartitions(new ArrayList<>(e.getValue())));
        }
        return new ConsumerGroupHeartbeatResponse.Assignment().setTopicPartitions(tps);
    }

    private static void throwIfMemberEpochIsInvalid(
            ConsumerGroupMember member, int receivedEpoch, List<ConsumerGroupHeartbeatRequest.TopicPartitions> owned) {
        if (receivedEpoch > member.memberEpoch()) {
            throw new CoordinatorException(
                    Errors.FENCED_MEMBER_EPOCH,
                    "The consumer group member has a greater member "
                            + "epoch (" + receivedEpoch + ") than the one known by the group coordinator ("
                            + member.memberEpoch()
                            + "). The member must abandon all its partitions and rejoin.");
        } else if (receivedEpoch < member.memberEpoch()) {
            // The previous epoch is fine if the response that bumped it was lost and the member
            // owns no more than its current assignment.
            if (receivedEpoch != member.previousMemberEpoch() || !isSubset(owned, member.assignedPartitions())) {
                throw new CoordinatorException(
                        Errors.FENCED_MEMBER_EPOCH,
                        "The consumer group member has a smaller "
                                + "member epoch (" + receivedEpoch + ") than the one known by the group coordinator ("
                                + member.memberEpoch() + "). The member must abandon all its partitions and rejoin.");
            }
        }
    }

    private static boolean isSubset(
            List<ConsumerGroupHeartbeatRequest.TopicPartitions> owned, Map<Uuid, Map<Integer, Integer>> assigned) {
        if (owned == null) {
            return false;
        }
        for (ConsumerGroupHeartbeatRequest.TopicPartitions tp : owned) {
            Map<Integer, Integer> ps = assigned.get(tp.topicId());
            if (ps == null) {
                if (!tp.partitions().isEmpty()) {
                    return false;
                }
                continue;
            }
            for (Integer p : tp.partitions()) {
                if (!ps.containsKey(p)) {
                    return false;
                }
            }
        }
        return true;
    }

    static void throwIfInstanceIdIsFenced(
            ConsumerGroupMember member, String groupId, String memberId, String instanceId) {
        if (!member.memberId().equals(memberId)) {
            LOG.info(
                    "Group {}: static member {} with instance id {} is fenced by existing member {}.",
                    groupId,
                    memberId,
                    instanceId,
                    member.memberId());
            throw new CoordinatorException(
                    Errors.FENCED_INSTANCE_ID,
                    "Static member " + memberId + " with instance id " + instanceId + " was fenced by member "
                            + member.memberId() + ".");
        }
    }

    static void appendCurrentAssignment(OperationContext ctx, String groupId, ConsumerGroupMember m) {
        ctx.append(GroupRecords.currentAssignment(
                groupId,
                m.memberId(),
                m.memberEpoch(),
                m.previousMemberEpoch(),
                m.state().value(),
                m.assignedPartitions(),
                m.partitionsPendingRevocation()));
    }

    static void removeMemberRecords(OperationContext ctx, String groupId, String memberId) {
        ctx.append(GroupRecords.currentAssignmentTombstone(groupId, memberId));
        ctx.append(GroupRecords.targetAssignmentTombstone(groupId, memberId));
        ctx.append(GroupRecords.consumerGroupMemberTombstone(groupId, memberId));
    }

    // -------------------------------------------------------------------------------------------
    // Subscriptions, regular expressions and the metadata hash.

    /** The ids of the existing topics a member subscribes to. */
    Set<Uuid> subscribedTopicIds(ConsumerGroup group, ConsumerGroupMember m) {
        Set<Uuid> ids = new HashSet<>();
        for (String name : group.subscribedTopics(m)) {
            Uuid id = topics.topicId(name);
            if (id != null) {
                ids.add(id);
            }
        }
        return ids;
    }

    void updateRegularExpressions(OperationContext ctx, ConsumerGroup group, String oldRegex, String newRegex) {
        if (oldRegex != null && group.numRegexSubscribers(oldRegex) == 0 && group.resolvedRegex(oldRegex) != null) {
            ctx.append(GroupRecords.regularExpressionTombstone(group.groupId(), oldRegex));
        }
        if (newRegex != null && group.resolvedRegex(newRegex) == null) {
            resolveRegex(ctx, group, newRegex);
        }
    }

    private void refreshStaleRegex(OperationContext ctx, ConsumerGroup group, String regex) {
        if (regex == null) {
            return;
        }
        ConsumerGroup.ResolvedRegex resolved = group.resolvedRegex(regex);
        if (resolved != null && resolved.version < topics.version()) {
            Set<String> matched = matchTopics(regex);
            if (!matched.equals(resolved.topics)) {
                resolveRegex(ctx, group, regex);
            }
        }
    }

    private void resolveRegex(OperationContext ctx, ConsumerGroup group, String regex) {
        Set<String> matched = matchTopics(regex);
        LOG.info("Group {}: regular expression {} matches {}", group.groupId(), regex, matched);
        ctx.append(GroupRecords.regularExpression(
                group.groupId(), regex, new ArrayList<>(matched), topics.version(), ctx.nowMs()));
    }

    private Set<String> matchTopics(String regex) {
        Pattern pattern = Pattern.compile(regex);
        Set<String> matched = new TreeSet<>();
        for (String name : topics.topicNames()) {
            if (!name.startsWith("__") && pattern.matcher(name).matches()) {
                matched.add(name);
            }
        }
        return matched;
    }

    /** Appends a new group epoch if asked to or if the subscribed topics' metadata changed. */
    void maybeBumpGroupEpoch(OperationContext ctx, ConsumerGroup group, boolean bump) {
        long hash = metadataHash.groupHash(group.subscribedTopicNames(), topics);
        if (bump || hash != group.metadataHash()) {
            int epoch = group.groupEpoch() + 1;
            ctx.append(GroupRecords.consumerGroupEpoch(group.groupId(), epoch, hash));
            metrics.increment("consumer.rebalances");
            LOG.info("Group {}: bumped group epoch to {} (metadata hash {})", group.groupId(), epoch, hash);
        }
    }

    /** Computes and appends a new target assignment; returns {@code memberId}'s part. */
    Map<Uuid, Set<Integer>> updateTargetAssignment(OperationContext ctx, ConsumerGroup group, String memberId) {
        String name = group.preferredServerAssignor();
        PartitionAssignor assignor =
                assignors.get(name != null && assignors.containsKey(name) ? name : defaultAssignor);
        Map<String, PartitionAssignor.MemberSubscription> specs = new HashMap<>();
        Map<Uuid, Integer> partitions = new HashMap<>();
        for (ConsumerGroupMember m : group.members().values()) {
            Set<Uuid> ids = new HashSet<>();
            for (String topic : group.subscribedTopics(m)) {
                Uuid id = topics.topicId(topic);
                int n = topics.numPartitions(topic);
                if (id != null && n >= 0) {
                    ids.add(id);
                    partitions.put(id, n);
                }
            }
            specs.put(
                    m.memberId(),
                    new PartitionAssignor.MemberSubscription(
                            m.instanceId(), m.rackId(), ids, group.targetAssignment(m.memberId())));
        }
        Map<String, Map<Uuid, Set<Integer>>> result = assignor.assign(specs, partitions);
        for (ConsumerGroupMember m : new ArrayList<>(group.members().values())) {
            Map<Uuid, Set<Integer>> next = result.getOrDefault(m.memberId(), Map.of());
            Map<Uuid, Set<Integer>> previous = group.targetAssignments().get(m.memberId());
            if (previous == null || !previous.equals(next)) {
                ctx.append(GroupRecords.targetAssignment(group.groupId(), m.memberId(), next));
            }
        }
        ctx.append(GroupRecords.targetAssignmentEpoch(group.groupId(), group.groupEpoch(), ctx.nowMs()));
        LOG.info(
                "Group {}: computed the target assignment of epoch {} with the {} assignor",
                group.groupId(),
                group.groupEpoch(),
                assignor.name());
        return group.targetAssignment(memberId);
    }

    // -------------------------------------------------------------------------------------------
    // Leaving and fencing.

    private ConsumerGroupHeartbeatResponse leave(OperationContext ctx, ConsumerGroupHeartbeatRequest request) {
        String groupId = request.groupId();
        Group any = store.group(groupId);
        if (any == null) {
            throw new CoordinatorException(Errors.GROUP_ID_NOT_FOUND, "Group " + groupId + " not found.");
        }
        if (!(any instanceof ConsumerGroup)) {
            throw new CoordinatorException(Errors.GROUP_ID_NOT_FOUND, "Group " + groupId + " is not a consumer group.");
        }
        ConsumerGroup group = (ConsumerGroup) any;
        String memberId = request.memberId();
        String instanceId = request.instanceId();
        ConsumerGroupHeartbeatResponse response =
                new ConsumerGroupHeartbeatResponse().setMemberId(memberId).setMemberEpoch(request.memberEpoch());
        if (instanceId == null) {
            ConsumerGroupMember member = group.member(memberId);
            if (member == null) {
                throw new CoordinatorException(
                        Errors.UNKNOWN_MEMBER_ID, "Member " + memberId + " is not a member of group " + groupId + ".");
            }
            LOG.info("Group {}: member {} left the consumer group.", groupId, memberId);
            fenceMember(ctx, group, member);
            return response;
        }
        ConsumerGroupMember member = group.staticMember(instanceId);
        if (member == null) {
            throw new CoordinatorException(Errors.UNKNOWN_MEMBER_ID, "Instance id " + instanceId + " is unknown.");
        }
        throwIfInstanceIdIsFenced(member, groupId, memberId, instanceId);
        if (request.memberEpoch() == ConsumerGroupMember.LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
            // A static member leaving temporarily keeps its partitions until its session expires.
            LOG.info(
                    "Group {}: static member {} with instance id {} temporarily left the consumer group.",
                    groupId,
                    memberId,
                    instanceId);
            ConsumerGroupMember leaving = new ConsumerGroupMember.Builder(member)
                    .memberEpoch(ConsumerGroupMember.LEAVE_GROUP_STATIC_MEMBER_EPOCH)
                    .partitionsPendingRevocation(Map.of())
                    .build();
            appendCurrentAssignment(ctx, groupId, leaving);
            return new ConsumerGroupHeartbeatResponse()
                    .setMemberId(memberId)
                    .setMemberEpoch(ConsumerGroupMember.LEAVE_GROUP_STATIC_MEMBER_EPOCH);
        }
        LOG.info(
                "Group {}: static member {} with instance id {} left the consumer group.",
                groupId,
                memberId,
                instanceId);
        fenceMember(ctx, group, member);
        return response;
    }

    /**
     * Removes members and bumps the group epoch so that their partitions are reassigned; or, when
     * every member left uses the classic protocol, turns the group into a classic group that
     * rebalances (Kafka's online downgrade).
     */
    void fenceMembers(OperationContext ctx, ConsumerGroup group, Collection<ConsumerGroupMember> members) {
        if (members.isEmpty()) {
            return;
        }
        String groupId = group.groupId();
        if (migration.canDowngradeWithout(group, members)) {
            Set<String> leaving = new HashSet<>();
            for (ConsumerGroupMember m : members) {
                leaving.add(m.memberId());
            }
            downgrade(
                    ctx,
                    group,
                    leaving,
                    null,
                    group.groupEpoch(),
                    "Downgrade group " + groupId + " from consumer to classic for member leaving.");
            return;
        }
        Set<String> regexes = new TreeSet<>();
        for (ConsumerGroupMember m : members) {
            removeMemberRecords(ctx, groupId, m.memberId());
            if (m.subscribedTopicRegex() != null) {
                regexes.add(m.subscribedTopicRegex());
            }
        }
        for (String regex : regexes) {
            if (group.numRegexSubscribers(regex) == 0 && group.resolvedRegex(regex) != null) {
                ctx.append(GroupRecords.regularExpressionTombstone(groupId, regex));
            }
        }
        maybeBumpGroupEpoch(ctx, group, true);
        for (ConsumerGroupMember m : members) {
            cancelTimers(ctx, groupId, m.memberId());
        }
    }

    /** {@link GroupMigration#downgrade}, after cancelling the timers of every member. */
    void downgrade(
            OperationContext ctx,
            ConsumerGroup group,
            Set<String> leaving,
            String lastMemberId,
            int generation,
            String rebalanceReason) {
        for (String memberId : new ArrayList<>(group.members().keySet())) {
            cancelTimers(ctx, group.groupId(), memberId);
        }
        migration.downgrade(ctx, group, leaving, lastMemberId, generation, rebalanceReason);
    }

    GroupMigration migration() {
        return migration;
    }

    private void fenceMember(OperationContext ctx, ConsumerGroup group, ConsumerGroupMember member) {
        fenceMembers(ctx, group, List.of(member));
    }

    private void cancelTimers(OperationContext ctx, String groupId, String memberId) {
        ctx.cancel(sessionTimeoutKey(groupId, memberId));
        ctx.cancel(rebalanceTimeoutKey(groupId, memberId));
        ctx.cancel(joinTimeoutKey(groupId, memberId));
        ctx.cancel(syncTimeoutKey(groupId, memberId));
    }

    private void scheduleSessionTimeout(OperationContext ctx, String groupId, String memberId) {
        scheduleSessionTimeout(ctx, groupId, memberId, config.consumerGroupSessionTimeoutMs());
    }

    void scheduleSessionTimeout(OperationContext ctx, String groupId, String memberId, int timeoutMs) {
        ctx.schedule(
                sessionTimeoutKey(groupId, memberId),
                timeoutMs,
                c -> fenceMemberOnTimeout(c, groupId, memberId, "the member session expired"));
    }

    /** A classic member told to rejoin is fenced if it has not rejoined within its rebalance timeout. */
    void scheduleJoinTimeoutIfAbsent(OperationContext ctx, String groupId, ConsumerGroupMember m) {
        String memberId = m.memberId();
        ctx.scheduleIfAbsent(
                joinTimeoutKey(groupId, memberId),
                m.rebalanceTimeoutMs(),
                c -> fenceMemberOnTimeout(
                        c, groupId, memberId, "the classic member failed to join within the rebalance timeout"));
    }

    /** A classic member that joined is fenced if it does not sync within {@code timeoutMs}. */
    void scheduleSyncTimeout(OperationContext ctx, String groupId, String memberId, int timeoutMs) {
        ctx.schedule(
                syncTimeoutKey(groupId, memberId),
                timeoutMs,
                c -> fenceMemberOnTimeout(c, groupId, memberId, "the member failed to sync within timeout"));
    }

    private void maybeScheduleRebalanceTimeout(OperationContext ctx, String groupId, ConsumerGroupMember m) {
        if (m.state() == MemberState.UNREVOKED_PARTITIONS) {
            String memberId = m.memberId();
            int epoch = m.memberEpoch();
            int timeoutMs = m.rebalanceTimeoutMs();
            ctx.schedule(rebalanceTimeoutKey(groupId, memberId), timeoutMs, c -> {
                ConsumerGroup group = store.consumerGroupOrNull(groupId);
                ConsumerGroupMember current = group == null ? null : group.member(memberId);
                if (current != null && current.memberEpoch() == epoch) {
                    LOG.info(
                            "Group {}: member {} fenced because it failed to transition from epoch {} within {}ms.",
                            groupId,
                            memberId,
                            epoch,
                            timeoutMs);
                    fenceMember(c, group, current);
                }
            });
        } else {
            ctx.cancel(rebalanceTimeoutKey(groupId, m.memberId()));
        }
    }

    private void fenceMemberOnTimeout(OperationContext ctx, String groupId, String memberId, String reason) {
        ConsumerGroup group = store.consumerGroupOrNull(groupId);
        ConsumerGroupMember member = group == null ? null : group.member(memberId);
        if (member != null) {
            LOG.info("Group {}: member {} fenced from the group because {}.", groupId, memberId, reason);
            metrics.increment("consumer.session-expirations");
            fenceMember(ctx, group, member);
        }
    }

    // -------------------------------------------------------------------------------------------
    // Group-wide events.

    /**
     * Re-evaluates every consumer group after a topic change: regular expressions are resolved
     * again and groups whose subscribed topics changed get a new epoch (their members are
     * reassigned on their next heartbeat).
     */
    public void onTopicsChanged(OperationContext ctx) {
        for (ConsumerGroup group : store.consumerGroups()) {
            if (group.isEmpty()) {
                continue;
            }
            for (String regex : new ArrayList<>(group.resolvedRegexes().keySet())) {
                if (!matchTopics(regex).equals(group.resolvedRegex(regex).topics)) {
                    resolveRegex(ctx, group, regex);
                }
            }
            maybeBumpGroupEpoch(ctx, group, false);
        }
    }

    /** Tombstones deleting a whole (empty) consumer group. */
    public static List<CoordinatorRecord> deletionRecords(ConsumerGroup group) {
        List<CoordinatorRecord> records = new ArrayList<>();
        String groupId = group.groupId();
        for (String memberId : group.members().keySet()) {
            records.add(GroupRecords.currentAssignmentTombstone(groupId, memberId));
        }
        for (String memberId : group.members().keySet()) {
            records.add(GroupRecords.targetAssignmentTombstone(groupId, memberId));
        }
        records.add(GroupRecords.targetAssignmentEpochTombstone(groupId));
        for (String memberId : group.members().keySet()) {
            records.add(GroupRecords.consumerGroupMemberTombstone(groupId, memberId));
        }
        for (String regex : new TreeMap<>(group.resolvedRegexes()).keySet()) {
            records.add(GroupRecords.regularExpressionTombstone(groupId, regex));
        }
        records.add(GroupRecords.consumerGroupPartitionMetadataTombstone(groupId));
        records.add(GroupRecords.consumerGroupEpochTombstone(groupId));
        return records;
    }

    /** Re-arms members' session timeouts (and rebalance timeouts of members revoking) after a load. */
    public void onLoaded(OperationContext ctx) {
        for (ConsumerGroup group : store.consumerGroups()) {
            for (ConsumerGroupMember m : group.members().values()) {
                scheduleSessionTimeout(ctx, group.groupId(), m.memberId());
                maybeScheduleRebalanceTimeout(ctx, group.groupId(), m);
            }
        }
    }

    // -------------------------------------------------------------------------------------------
    // ConsumerGroupDescribe.

    public ConsumerGroupDescribeResponse.DescribedGroup describe(String groupId) {
        Group any = store.group(groupId);
        if (any instanceof ConsumerGroup) {
            return ((ConsumerGroup) any).describe(defaultAssignor, topics);
        }
        return new ConsumerGroupDescribeResponse.DescribedGroup()
                .setGroupId(groupId)
                .setErrorCode(Errors.GROUP_ID_NOT_FOUND.code)
                .setErrorMessage(
                        any == null
                                ? "Group " + groupId + " not found."
                                : "Group " + groupId + " is not a consumer group.");
    }
}
