package io.skiff.coordinator.group.consumer;

import io.skiff.coordinator.group.GroupCoordinatorConfig;
import io.skiff.coordinator.group.GroupRecords;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.coordinator.group.TopicsView;
import io.skiff.coordinator.group.classic.ConsumerProtocolCodec;
import io.skiff.coordinator.record.ConsumerGroupMemberMetadataValue;
import io.skiff.coordinator.runtime.CoordinatorException;
import io.skiff.coordinator.runtime.OperationContext;
import io.skiff.wire.message.ConsumerGroupHeartbeatRequest;
import io.skiff.wire.message.ConsumerProtocolSubscription;
import io.skiff.wire.message.HeartbeatRequest;
import io.skiff.wire.message.HeartbeatResponse;
import io.skiff.wire.message.JoinGroupRequest;
import io.skiff.wire.message.JoinGroupResponse;
import io.skiff.wire.message.LeaveGroupRequest;
import io.skiff.wire.message.LeaveGroupResponse;
import io.skiff.wire.message.SyncGroupRequest;
import io.skiff.wire.message.SyncGroupResponse;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classic protocol (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) for the members of a
 * consumer group that still use it, as Kafka serves them during an online migration. Such a
 * member is an ordinary consumer group member carrying ClassicMemberMetadata (its session
 * timeout and the protocols of its JoinGroup): the consumer group's epoch and target assignment
 * drive it.
 * <ul>
 *   <li>JoinGroup updates its subscription (from the embedded consumer protocol), may bump the
 *       group epoch and compute a new target assignment, and reconciles its assignment against
 *       the partitions it says it owns. The generation it gets back is its member epoch; it is
 *       never the leader and gets no member list.</li>
 *   <li>SyncGroup returns its current assignment as a ConsumerProtocolAssignment (no leader
 *       assignment is read), or REBALANCE_IN_PROGRESS if its epoch is behind the target.</li>
 *   <li>Heartbeat answers REBALANCE_IN_PROGRESS while the member is behind the target
 *       assignment, must revoke partitions, or may now collect released ones.</li>
 *   <li>LeaveGroup fences the members, which may turn the group back into a classic group.</li>
 * </ul>
 * Timers: the session timeout (the member's own), a join timeout once the member was told to
 * rejoin, a sync timeout after each join; each fences the member when it fires. Requests that
 * cannot be served throw {@link CoordinatorException}s before any record is appended.
 * Shard-thread only.
 */
public final class ClassicMembersHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ClassicMembersHandler.class);

    private final ConsumerGroupHandler consumer;
    private final GroupCoordinatorConfig config;
    private final TopicsView topics;

    public ClassicMembersHandler(ConsumerGroupHandler consumer) {
        this.consumer = consumer;
        this.config = consumer.config();
        this.topics = consumer.topics();
    }

    // -------------------------------------------------------------------------------------------
    // JoinGroup.

    /** A JoinGroup to the non-empty consumer group {@code group}; the response goes to {@code future}. */
    public void join(
            OperationContext ctx,
            RequestContext rc,
            JoinGroupRequest request,
            ConsumerGroup group,
            CompletableFuture<JoinGroupResponse> future) {
        String groupId = group.groupId();
        consumer.migration().throwIfClassicMembersCannotJoin(group);
        String instanceId = request.groupInstanceId();
        boolean unknownMember = request.memberId().isEmpty();
        String memberId = unknownMember ? Uuid.random().toString() : request.memberId();
        throwIfCannotJoin(group, request, memberId);
        if (unknownMember && instanceId == null && rc.apiVersion() >= 4) {
            LOG.info(
                    "Group {}: dynamic member with unknown member id joins the consumer group; it gets member id {} "
                            + "and must rejoin with it.",
                    groupId,
                    memberId);
            ctx.completeWhenDurable(
                    future, new JoinGroupResponse().setMemberId(memberId).setErrorCode(Errors.MEMBER_ID_REQUIRED.code));
            return;
        }

        // The member: new, existing, or a static member replacing the holder of its instance id.
        ConsumerGroupMember existingStatic = group.staticMember(instanceId);
        JoiningMember joining = joiningMember(group, memberId, instanceId, unknownMember, existingStatic);
        ConsumerGroupMember member = joining.member();
        ConsumerGroupMember replaced = joining.replaced();
        ConsumerProtocolSubscription subscription =
                ConsumerProtocolCodec.subscription(request.protocols().get(0).metadata(), false);
        if (subscription == null) {
            throw new CoordinatorException(
                    Errors.UNKNOWN_SERVER_ERROR,
                    "Malformed embedded consumer protocol in subscription deserialization.");
        }
        boolean downgrade = existingStatic != null && consumer.migration().canDowngradeReplacing(group, existingStatic);
        int epochBefore = group.groupEpoch();

        // From here on records are appended: nothing below may refuse the request.
        if (replaced != null) {
            replaceStaticMember(ctx, group, replaced, member, instanceId);
        }

        // 1. The member's subscription and classic metadata; a new group epoch if the topics changed.
        ConsumerGroupMember updated = joinedMember(rc, request, member, subscription);
        boolean isNewMember = replaced == null && !group.hasMember(memberId);
        if (isNewMember || !updated.sameMetadata(member)) {
            ctx.append(GroupRecords.consumerGroupMember(groupId, memberId, updated.toMetadataValue()));
        }
        boolean regexDropped = member.subscribedTopicRegex() != null;
        if (regexDropped) {
            consumer.updateRegularExpressions(ctx, group, member.subscribedTopicRegex(), null);
        }
        boolean subscriptionChanged =
                regexDropped || !updated.subscribedTopicNames().equals(member.subscribedTopicNames());
        consumer.maybeBumpGroupEpoch(ctx, group, subscriptionChanged);

        List<ConsumerGroupHeartbeatRequest.TopicPartitions> owned = ownedPartitions(subscription);
        ConsumerGroupMember after;
        if (downgrade) {
            // 2'. The last consumer-protocol member was replaced: the group becomes classic. It
            //     keeps the current target assignment unless the group epoch moved past it.
            boolean rebalance = group.assignmentEpoch() < group.groupEpoch();
            after = rebalance
                    ? group.member(memberId)
                    : reconcile(
                            ctx,
                            group,
                            group.member(memberId),
                            group.targetAssignment(memberId),
                            owned,
                            subscriptionChanged);
            consumer.downgrade(
                    ctx,
                    group,
                    Set.of(),
                    memberId,
                    epochBefore,
                    rebalance
                            ? "Downgrade group " + groupId + " from consumer to classic with stale assignment."
                            : null);
        } else {
            // 2. A new target assignment if due, 3. reconciliation against the owned partitions.
            Map<Uuid, Set<Integer>> target;
            if (group.groupEpoch() > group.assignmentEpoch()
                    && consumer.canComputeNextTargetAssignment(group.assignmentTimestampMs(), ctx.nowMs())) {
                target = consumer.updateTargetAssignment(ctx, group, memberId);
            } else {
                target = group.targetAssignment(memberId);
            }
            after = reconcile(ctx, group, group.member(memberId), target, owned, subscriptionChanged);
            ctx.cancel(ConsumerGroupHandler.joinTimeoutKey(groupId, memberId));
            consumer.scheduleSessionTimeout(ctx, groupId, memberId, request.sessionTimeoutMs());
            consumer.scheduleSyncTimeout(ctx, groupId, memberId, after.rebalanceTimeoutMs());
        }
        if (downgrade) {
            ctx.cancel(ConsumerGroupHandler.joinTimeoutKey(groupId, memberId));
        }
        ctx.completeWhenDurable(
                future,
                new JoinGroupResponse()
                        .setMemberId(memberId)
                        .setGenerationId(after.memberEpoch())
                        .setProtocolType(ConsumerGroup.PROTOCOL_TYPE)
                        .setProtocolName(updated.preferredClassicProtocol().name()));
    }

    /** The member a JoinGroup names, and the static member it replaces if any. */
    private record JoiningMember(ConsumerGroupMember member, ConsumerGroupMember replaced) {}

    private static JoiningMember joiningMember(
            ConsumerGroup group,
            String memberId,
            String instanceId,
            boolean unknownMember,
            ConsumerGroupMember existingStatic) {
        String groupId = group.groupId();
        ConsumerGroupMember member;
        ConsumerGroupMember replaced = null;
        if (instanceId == null) {
            member = group.member(memberId);
            if (member == null) {
                member = new ConsumerGroupMember.Builder(memberId).build();
                LOG.info("Group {}: member {} joins the consumer group using the classic protocol.", groupId, memberId);
            }
        } else if (unknownMember) {
            if (existingStatic == null) {
                member = group.member(memberId);
                if (member == null) {
                    member = new ConsumerGroupMember.Builder(memberId).build();
                }
                LOG.info(
                        "Group {}: static member {} with instance id {} joins the consumer group using the classic "
                                + "protocol.",
                        groupId,
                        memberId,
                        instanceId);
            } else {
                replaced = existingStatic;
                member = new ConsumerGroupMember.Builder(existingStatic, memberId)
                        .memberEpoch(0)
                        .previousMemberEpoch(0)
                        .build();
            }
        } else {
            if (existingStatic == null) {
                throw new CoordinatorException(Errors.UNKNOWN_MEMBER_ID, "Instance id " + instanceId + " is unknown.");
            }
            ConsumerGroupHandler.throwIfInstanceIdIsFenced(existingStatic, groupId, memberId, instanceId);
            member = existingStatic;
        }
        return new JoiningMember(member, replaced);
    }

    /** Refuses a join to a full group, or with protocols the group does not support. */
    private void throwIfCannotJoin(ConsumerGroup group, JoinGroupRequest request, String memberId) {
        if (group.numMembers() >= config.consumerGroupMaxSize() && !group.hasMember(memberId)) {
            throw new CoordinatorException(
                    Errors.GROUP_MAX_SIZE_REACHED,
                    "The consumer group has reached its maximum " + "capacity of " + config.consumerGroupMaxSize()
                            + " members.");
        }
        List<String> protocolNames = new ArrayList<>();
        for (JoinGroupRequest.JoinGroupRequestProtocol p : request.protocols()) {
            protocolNames.add(p.name());
        }
        if (!group.supportsClassicProtocols(request.protocolType(), protocolNames)) {
            throw new CoordinatorException(
                    Errors.INCONSISTENT_GROUP_PROTOCOL, "Member " + memberId + "'s protocols are not supported.");
        }
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
                "Group {}: static member with instance id {} rejoins using the classic protocol; member {} "
                        + "replaces {}",
                groupId,
                instanceId,
                memberId,
                replaced.memberId());
        Map<Uuid, Set<Integer>> previousTarget = group.targetAssignment(replaced.memberId());
        ConsumerGroupHandler.removeMemberRecords(ctx, groupId, replaced.memberId());
        ctx.append(GroupRecords.consumerGroupMember(groupId, memberId, member.toMetadataValue()));
        ctx.append(GroupRecords.targetAssignment(groupId, memberId, previousTarget));
        ConsumerGroupHandler.appendCurrentAssignment(ctx, groupId, member);
    }

    /** {@code member} as the JoinGroup describes it: subscription, client, classic metadata, timeouts. */
    private static ConsumerGroupMember joinedMember(
            RequestContext rc,
            JoinGroupRequest request,
            ConsumerGroupMember member,
            ConsumerProtocolSubscription subscription) {
        List<ConsumerGroupMemberMetadataValue.ClassicProtocol> protocols = new ArrayList<>();
        for (JoinGroupRequest.JoinGroupRequestProtocol p : request.protocols()) {
            protocols.add(new ConsumerGroupMemberMetadataValue.ClassicProtocol()
                    .setName(p.name())
                    .setMetadata(p.metadata()));
        }
        ConsumerGroupMember.Builder b = new ConsumerGroupMember.Builder(member)
                .subscribedTopicNames(subscription.topics())
                .subscribedTopicRegex(null)
                .clientId(rc.clientId())
                .clientHost(rc.clientHost())
                .classicMemberMetadata(new ConsumerGroupMemberMetadataValue.ClassicMemberMetadata()
                        .setSessionTimeoutMs(request.sessionTimeoutMs())
                        .setSupportedProtocols(protocols));
        String instanceId = request.groupInstanceId();
        if (instanceId != null) {
            b.instanceId(instanceId);
        }
        if (subscription.rackId() != null) {
            b.rackId(subscription.rackId());
        }
        if (request.rebalanceTimeoutMs() != -1) {
            b.rebalanceTimeoutMs(request.rebalanceTimeoutMs());
        } else if (member.rebalanceTimeoutMs() == -1) {
            // JoinGroup v0 has no rebalance timeout: the session timeout stands in for it.
            b.rebalanceTimeoutMs(request.sessionTimeoutMs());
        }
        return b.build();
    }

    /** The partitions the subscription says the member owns, by topic id (unknown topics left out). */
    private List<ConsumerGroupHeartbeatRequest.TopicPartitions> ownedPartitions(ConsumerProtocolSubscription s) {
        List<ConsumerGroupHeartbeatRequest.TopicPartitions> out = new ArrayList<>();
        if (s.ownedPartitions() == null) {
            return out;
        }
        for (ConsumerProtocolSubscription.TopicPartition tp : s.ownedPartitions()) {
            Uuid id = topics.topicId(tp.topic());
            if (id != null) {
                out.add(new ConsumerGroupHeartbeatRequest.TopicPartitions()
                        .setTopicId(id)
                        .setPartitions(new ArrayList<>(tp.partitions())));
            }
        }
        return out;
    }

    private ConsumerGroupMember reconcile(
            OperationContext ctx,
            ConsumerGroup group,
            ConsumerGroupMember before,
            Map<Uuid, Set<Integer>> target,
            List<ConsumerGroupHeartbeatRequest.TopicPartitions> owned,
            boolean subscriptionChanged) {
        if (before.isReconciledTo(group.assignmentEpoch()) && !subscriptionChanged) {
            return before;
        }
        ConsumerGroupMember after = new Reconciler(
                        before,
                        group.assignmentEpoch(),
                        target,
                        group::currentPartitionEpoch,
                        owned,
                        consumer.subscribedTopicIds(group, before),
                        subscriptionChanged)
                .reconcile();
        if (!after.sameAssignment(before)) {
            ConsumerGroupHandler.appendCurrentAssignment(ctx, group.groupId(), after);
        }
        return after;
    }

    // -------------------------------------------------------------------------------------------
    // SyncGroup.

    /** A SyncGroup to the non-empty consumer group {@code group}; the response goes to {@code future}. */
    public void sync(
            OperationContext ctx,
            SyncGroupRequest request,
            ConsumerGroup group,
            CompletableFuture<SyncGroupResponse> future) {
        String groupId = group.groupId();
        ConsumerGroupMember member = classicMember(group, request.memberId(), request.groupInstanceId());
        throwIfGenerationIsNotTheEpoch(member, request.generationId());
        String protocolName = member.preferredClassicProtocol().name();
        if (request.protocolType() != null && !ConsumerGroup.PROTOCOL_TYPE.equals(request.protocolType())) {
            throw new CoordinatorException(
                    Errors.INCONSISTENT_GROUP_PROTOCOL,
                    "The protocol type "
                            + request.protocolType() + " from member " + member.memberId()
                            + " request is not equal to the group "
                            + "protocol type " + ConsumerGroup.PROTOCOL_TYPE + ".");
        }
        if (request.protocolName() != null && !protocolName.equals(request.protocolName())) {
            throw new CoordinatorException(
                    Errors.INCONSISTENT_GROUP_PROTOCOL,
                    "The protocol name "
                            + request.protocolName() + " from member " + member.memberId()
                            + " request is not equal to the "
                            + "protocol name " + protocolName + " returned in the join response.");
        }
        if (group.assignmentEpoch() > member.memberEpoch() && member.state() != MemberState.UNREVOKED_PARTITIONS) {
            consumer.scheduleJoinTimeoutIfAbsent(ctx, groupId, member);
            throw new CoordinatorException(
                    Errors.REBALANCE_IN_PROGRESS,
                    "A new rebalance is triggered in group " + groupId + " and member " + member.memberId()
                            + " should rejoin to catch up.");
        }
        ctx.cancel(ConsumerGroupHandler.syncTimeoutKey(groupId, member.memberId()));
        consumer.scheduleSessionTimeout(ctx, groupId, member.memberId(), member.classicSessionTimeoutMs());
        short version =
                ConsumerProtocolCodec.version(member.preferredClassicProtocol().metadata());
        ctx.completeWhenDurable(
                future,
                new SyncGroupResponse()
                        .setProtocolType(request.protocolType())
                        .setProtocolName(request.protocolName())
                        .setAssignment(GroupConversion.serializeAssignment(
                                member.assignedPartitionSets(), (short) Math.max(version, 0), topics)));
    }

    // -------------------------------------------------------------------------------------------
    // Heartbeat.

    /** A Heartbeat to the consumer group {@code group}. */
    public HeartbeatResponse heartbeat(OperationContext ctx, HeartbeatRequest request, ConsumerGroup group) {
        String groupId = group.groupId();
        ConsumerGroupMember member = classicMember(group, request.memberId(), request.groupInstanceId());
        throwIfGenerationIsNotTheEpoch(member, request.generationId());
        consumer.scheduleSessionTimeout(ctx, groupId, member.memberId(), member.classicSessionTimeoutMs());
        boolean mustRejoin = member.memberEpoch() < group.assignmentEpoch()
                || member.state() == MemberState.UNREVOKED_PARTITIONS
                || (member.state() == MemberState.UNRELEASED_PARTITIONS && !group.waitingOnUnreleasedPartition(member));
        if (mustRejoin) {
            consumer.scheduleJoinTimeoutIfAbsent(ctx, groupId, member);
            return new HeartbeatResponse().setErrorCode(Errors.REBALANCE_IN_PROGRESS.code);
        }
        return new HeartbeatResponse();
    }

    // -------------------------------------------------------------------------------------------
    // LeaveGroup.

    /** A (batched) LeaveGroup to the consumer group {@code group}: valid members are fenced together. */
    public LeaveGroupResponse leave(
            OperationContext ctx, ConsumerGroup group, List<LeaveGroupRequest.MemberIdentity> leaving) {
        String groupId = group.groupId();
        List<LeaveGroupResponse.MemberResponse> responses = new ArrayList<>();
        Map<String, ConsumerGroupMember> fenced = new LinkedHashMap<>();
        for (LeaveGroupRequest.MemberIdentity id : leaving) {
            String reason = id.reason() != null ? id.reason() : "not provided";
            LeaveGroupResponse.MemberResponse response = new LeaveGroupResponse.MemberResponse()
                    .setMemberId(id.memberId())
                    .setGroupInstanceId(id.groupInstanceId());
            try {
                ConsumerGroupMember member;
                if (id.groupInstanceId() == null) {
                    member = memberOrThrow(group, id.memberId());
                    LOG.info(
                            "Group {}: dynamic member {} left the group through LeaveGroup ({}).",
                            groupId,
                            id.memberId(),
                            reason);
                } else {
                    member = group.staticMember(id.groupInstanceId());
                    if (member == null) {
                        throw new CoordinatorException(
                                Errors.UNKNOWN_MEMBER_ID, "Instance id " + id.groupInstanceId() + " is unknown.");
                    }
                    if (!id.memberId().isEmpty()) {
                        ConsumerGroupHandler.throwIfInstanceIdIsFenced(
                                member, groupId, id.memberId(), id.groupInstanceId());
                    }
                    LOG.info(
                            "Group {}: static member {} with instance id {} left the group through LeaveGroup ({}).",
                            groupId,
                            id.memberId(),
                            id.groupInstanceId(),
                            reason);
                }
                fenced.put(member.memberId(), member);
            } catch (CoordinatorException e) {
                response.setErrorCode(e.error().code);
            }
            responses.add(response);
        }
        consumer.fenceMembers(ctx, group, new ArrayList<>(fenced.values()));
        return new LeaveGroupResponse().setMembers(responses);
    }

    // -------------------------------------------------------------------------------------------
    // Validation.

    private static ConsumerGroupMember memberOrThrow(ConsumerGroup group, String memberId) {
        ConsumerGroupMember member = group.member(memberId);
        if (member == null) {
            throw new CoordinatorException(
                    Errors.UNKNOWN_MEMBER_ID,
                    "Member " + memberId + " is not a member of group " + group.groupId() + ".");
        }
        return member;
    }

    /** The member a SyncGroup or Heartbeat names, which must use the classic protocol. */
    private static ConsumerGroupMember classicMember(ConsumerGroup group, String memberId, String instanceId) {
        ConsumerGroupMember member;
        if (instanceId == null) {
            member = memberOrThrow(group, memberId);
        } else {
            member = group.staticMember(instanceId);
            if (member == null) {
                throw new CoordinatorException(
                        Errors.UNKNOWN_MEMBER_ID,
                        "Member with instance id " + instanceId + " is not a member of group " + group.groupId() + ".");
            }
            ConsumerGroupHandler.throwIfInstanceIdIsFenced(member, group.groupId(), memberId, instanceId);
        }
        if (!member.useClassicProtocol()) {
            throw new CoordinatorException(
                    Errors.UNKNOWN_MEMBER_ID, "Member " + member.memberId() + " does not use the classic protocol.");
        }
        return member;
    }

    private static void throwIfGenerationIsNotTheEpoch(ConsumerGroupMember member, int generationId) {
        if (member.memberEpoch() != generationId) {
            throw new CoordinatorException(
                    Errors.ILLEGAL_GENERATION,
                    "The request generation id " + generationId + " is not equal to the member epoch "
                            + member.memberEpoch() + " of member " + member.memberId() + ".");
        }
    }
}
