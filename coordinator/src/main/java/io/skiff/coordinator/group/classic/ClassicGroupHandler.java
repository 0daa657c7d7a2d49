package io.skiff.coordinator.group.classic;

import io.skiff.coordinator.group.Group;
import io.skiff.coordinator.group.GroupCoordinatorConfig;
import io.skiff.coordinator.group.GroupMetrics;
import io.skiff.coordinator.group.GroupRecords;
import io.skiff.coordinator.group.GroupStore;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.coordinator.record.GroupMetadataValue;
import io.skiff.coordinator.runtime.CoordinatorException;
import io.skiff.coordinator.runtime.CoordinatorRecord;
import io.skiff.coordinator.runtime.OperationContext;
import io.skiff.wire.message.HeartbeatRequest;
import io.skiff.wire.message.HeartbeatResponse;
import io.skiff.wire.message.JoinGroupRequest;
import io.skiff.wire.message.JoinGroupResponse;
import io.skiff.wire.message.LeaveGroupRequest;
import io.skiff.wire.message.LeaveGroupResponse;
import io.skiff.wire.message.SyncGroupRequest;
import io.skiff.wire.message.SyncGroupResponse;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classic group protocol on one shard: JoinGroup, SyncGroup, Heartbeat, LeaveGroup and the
 * timers behind them (session expiry, initial rebalance delay, rebalance and sync timeouts),
 * following Apache Kafka's group coordinator rule for rule.
 *
 * <p>Parked JoinGroup and SyncGroup requests live in the members as soft state and are answered
 * through {@link OperationContext#completeWhenDurable}. The generation's membership and
 * assignment become durable with the GroupMetadata record the leader's SyncGroup writes (or the
 * empty record of a generation without members). Shard-thread only.
 */
public final class ClassicGroupHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ClassicGroupHandler.class);

    private final GroupStore store;
    private final GroupCoordinatorConfig config;
    private final GroupMetrics metrics;

    public ClassicGroupHandler(GroupStore store, GroupCoordinatorConfig config, GroupMetrics metrics) {
        this.store = store;
        this.config = config;
        this.metrics = metrics;
    }

    static String heartbeatKey(String groupId, String memberId) {
        return "classic-heartbeat-" + groupId + "-" + memberId;
    }

    static String joinKey(String groupId) {
        return "classic-join-" + groupId;
    }

    static String syncKey(String groupId) {
        return "classic-sync-" + groupId;
    }

    private static List<ClassicGroupMember.Protocol> protocols(JoinGroupRequest request) {
        List<ClassicGroupMember.Protocol> out =
                new ArrayList<>(request.protocols().size());
        for (JoinGroupRequest.JoinGroupRequestProtocol p : request.protocols()) {
            out.add(new ClassicGroupMember.Protocol(p.name(), p.metadata()));
        }
        return out;
    }

    private static List<String> protocolNames(JoinGroupRequest request) {
        List<String> out = new ArrayList<>(request.protocols().size());
        for (JoinGroupRequest.JoinGroupRequestProtocol p : request.protocols()) {
            out.add(p.name());
        }
        return out;
    }

    private static int rebalanceTimeoutMs(JoinGroupRequest request) {
        // Version 0 has no rebalance timeout: the session timeout stands in for it.
        return request.rebalanceTimeoutMs() == -1 ? request.sessionTimeoutMs() : request.rebalanceTimeoutMs();
    }

    // -------------------------------------------------------------------------------------------
    // JoinGroup.

    /**
     * Handles a JoinGroup for a classic group (creating it if needed). The response goes to
     * {@code future}, now or when the join phase completes.
     */
    public void join(
            OperationContext ctx,
            RequestContext rc,
            JoinGroupRequest request,
            CompletableFuture<JoinGroupResponse> future) {
        String groupId = request.groupId();
        String memberId = request.memberId();
        boolean isUnknownMember = memberId.isEmpty();
        ClassicGroup group = store.classicGroupOrNull(groupId);
        boolean isNewGroup = false;
        if (group == null) {
            if (!isUnknownMember) {
                ctx.completeWhenDurable(
                        future,
                        new JoinGroupResponse().setMemberId(memberId).setErrorCode(Errors.UNKNOWN_MEMBER_ID.code));
                return;
            }
            group = new ClassicGroup(groupId, ClassicGroupState.EMPTY, ctx.nowMs(), metrics);
            store.putClassicGroup(group);
            isNewGroup = true;
        }

        if (!acceptJoiningMember(group, memberId)) {
            group.remove(memberId);
            ctx.completeWhenDurable(
                    future, new JoinGroupResponse().setMemberId("").setErrorCode(Errors.GROUP_MAX_SIZE_REACHED.code));
        } else if (isUnknownMember) {
            joinNewMember(ctx, rc, request, group, future);
        } else {
            joinExistingMember(ctx, rc, request, group, future);
        }

        if (isNewGroup && store.classicGroupOrNull(groupId) == group) {
            // Make the new group durable, as Kafka does, with its protocol type and generation 0.
            ctx.append(GroupRecords.groupMetadata(groupId, emptyRecordValue(group)));
        }
    }

    private static GroupMetadataValue emptyRecordValue(ClassicGroup group) {
        return new GroupMetadataValue()
                .setProtocolType(group.protocolType() == null ? "" : group.protocolType())
                .setGeneration(group.generationId())
                .setProtocol(null)
                .setLeader(null)
                .setCurrentStateTimestamp(group.currentStateTimestampMs())
                .setMembers(new ArrayList<>());
    }

    private boolean acceptJoiningMember(ClassicGroup group, String memberId) {
        switch (group.state()) {
            case EMPTY:
            case DEAD:
                return true;
            case PREPARING_REBALANCE:
                // Count parked joins rather than members: the group may be above a lowered limit,
                // and this lets the last members to rejoin be the ones turned away.
                return (group.hasMember(memberId) && group.member(memberId).isAwaitingJoin())
                        || group.numAwaitingJoinResponse() < config.classicGroupMaxSize();
            case COMPLETING_REBALANCE:
            case STABLE:
                return group.hasMember(memberId) || group.numMembers() < config.classicGroupMaxSize();
            default:
                throw new IllegalStateException("unknown state " + group.state());
        }
    }

    private void joinNewMember(
            OperationContext ctx,
            RequestContext rc,
            JoinGroupRequest request,
            ClassicGroup group,
            CompletableFuture<JoinGroupResponse> future) {
        if (group.isInState(ClassicGroupState.DEAD)) {
            ctx.completeWhenDurable(
                    future,
                    new JoinGroupResponse().setMemberId("").setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code));
        } else if (!group.supportsProtocols(request.protocolType(), protocolNames(request))) {
            ctx.completeWhenDurable(
                    future,
                    new JoinGroupResponse().setMemberId("").setErrorCode(Errors.INCONSISTENT_GROUP_PROTOCOL.code));
        } else {
            String newMemberId = ClassicGroup.newMemberId(rc.clientId(), request.groupInstanceId());
            if (request.groupInstanceId() != null) {
                String existing = group.staticMemberId(request.groupInstanceId());
                if (existing != null) {
                    LOG.info(
                            "Group {}: static member {} rejoins with an unknown member id; {} replaces {}",
                            group.groupId(),
                            request.groupInstanceId(),
                            newMemberId,
                            existing);
                    updateStaticMemberThenRebalanceOrCompleteJoin(
                            ctx, rc, request, group, existing, newMemberId, future);
                } else {
                    addMemberThenRebalanceOrCompleteJoin(ctx, rc, request, group, newMemberId, future);
                }
            } else if (rc.apiVersion() >= 4) {
                // Since JoinGroup v4 a dynamic member first gets its id, then joins with it.
                group.addPendingMember(newMemberId);
                ctx.schedule(
                        heartbeatKey(group.groupId(), newMemberId),
                        request.sessionTimeoutMs(),
                        c -> expireHeartbeat(c, group.groupId(), newMemberId));
                ctx.completeWhenDurable(
                        future,
                        new JoinGroupResponse().setMemberId(newMemberId).setErrorCode(Errors.MEMBER_ID_REQUIRED.code));
            } else {
                addMemberThenRebalanceOrCompleteJoin(ctx, rc, request, group, newMemberId, future);
            }
        }
    }

    private void joinExistingMember(
            OperationContext ctx,
            RequestContext rc,
            JoinGroupRequest request,
            ClassicGroup group,
            CompletableFuture<JoinGroupResponse> future) {
        String memberId = request.memberId();
        String instanceId = request.groupInstanceId();
        if (group.isInState(ClassicGroupState.DEAD)) {
            ctx.completeWhenDurable(
                    future,
                    new JoinGroupResponse().setMemberId(memberId).setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code));
            return;
        }
        if (!group.supportsProtocols(request.protocolType(), protocolNames(request))) {
            ctx.completeWhenDurable(
                    future,
                    new JoinGroupResponse()
                            .setMemberId(memberId)
                            .setErrorCode(Errors.INCONSISTENT_GROUP_PROTOCOL.code));
            return;
        }
        if (group.isPendingMember(memberId)) {
            if (instanceId != null) {
                // A pending member is dynamic by construction.
                ctx.completeWhenDurable(
                        future,
                        new JoinGroupResponse().setMemberId(memberId).setErrorCode(Errors.UNKNOWN_MEMBER_ID.code));
                return;
            }
            LOG.info("Group {}: pending member {} joins in state {}", group.groupId(), memberId, group.state());
            addMemberThenRebalanceOrCompleteJoin(ctx, rc, request, group, memberId, future);
            return;
        }
        try {
            group.validateMember(memberId, instanceId);
        } catch (CoordinatorException e) {
            ctx.completeWhenDurable(
                    future,
                    new JoinGroupResponse()
                            .setMemberId(memberId)
                            .setErrorCode(e.error().code)
                            .setProtocolName(null));
            return;
        }
        ClassicGroupMember member = group.member(memberId);
        List<ClassicGroupMember.Protocol> protocols = protocols(request);
        switch (group.state()) {
            case PREPARING_REBALANCE:
                updateMemberThenRebalanceOrCompleteJoin(ctx, request, group, member, future);
                break;
            case COMPLETING_REBALANCE:
                if (member.matches(protocols)) {
                    // The member missed the JoinGroup response: give it the current generation again.
                    ctx.completeWhenDurable(
                            future,
                            joinResponse(
                                    group,
                                    memberId,
                                    group.isLeader(memberId) ? group.currentMembersForLeader() : new ArrayList<>(),
                                    false));
                } else {
                    updateMemberThenRebalanceOrCompleteJoin(ctx, request, group, member, future);
                }
                break;
            case STABLE:
                if (group.isLeader(memberId) || !member.matches(protocols)) {
                    // The leader rejoins to trigger a rebalance (for example after a metadata change).
                    updateMemberThenRebalanceOrCompleteJoin(ctx, request, group, member, future);
                } else {
                    ctx.completeWhenDurable(future, joinResponse(group, memberId, new ArrayList<>(), false));
                }
                break;
            default:
                LOG.warn(
                        "Group {}: member {} rejoins in unexpected state {}", group.groupId(), memberId, group.state());
                ctx.completeWhenDurable(
                        future,
                        new JoinGroupResponse().setMemberId(memberId).setErrorCode(Errors.UNKNOWN_MEMBER_ID.code));
        }
    }

    private static JoinGroupResponse joinResponse(
            ClassicGroup group,
            String memberId,
            List<JoinGroupResponse.JoinGroupResponseMember> members,
            boolean skipAssignment) {
        return new JoinGroupResponse()
                .setMembers(members)
                .setMemberId(memberId)
                .setGenerationId(group.generationId())
                .setProtocolName(group.protocolName())
                .setProtocolType(group.protocolType())
                .setLeader(group.leaderOrNull() == null ? "" : group.leaderOrNull())
                .setSkipAssignment(skipAssignment);
    }

    private void addMemberThenRebalanceOrCompleteJoin(
            OperationContext ctx,
            RequestContext rc,
            JoinGroupRequest request,
            ClassicGroup group,
            String memberId,
            CompletableFuture<JoinGroupResponse> future) {
        ClassicGroupMember member = new ClassicGroupMember(
                memberId,
                request.groupInstanceId(),
                rc.clientId(),
                rc.clientHost(),
                rebalanceTimeoutMs(request),
                request.sessionTimeoutMs(),
                request.protocolType(),
                protocols(request));
        member.setIsNew(true);
        if (group.isInState(ClassicGroupState.PREPARING_REBALANCE)
                && group.previousState() == ClassicGroupState.EMPTY) {
            group.setNewMemberAdded(true);
        }
        group.add(member, future);
        // A parked new member cannot heartbeat; its join times out if the rebalance takes too long.
        ctx.schedule(
                heartbeatKey(group.groupId(), memberId),
                GroupCoordinatorConfig.CLASSIC_NEW_MEMBER_JOIN_TIMEOUT_MS,
                c -> expireHeartbeat(c, group.groupId(), memberId));
        maybePrepareRebalanceOrCompleteJoin(ctx, group, "adding new member " + memberId);
    }

    private void updateMemberThenRebalanceOrCompleteJoin(
            OperationContext ctx,
            JoinGroupRequest request,
            ClassicGroup group,
            ClassicGroupMember member,
            CompletableFuture<JoinGroupResponse> future) {
        group.updateMember(member, protocols(request), rebalanceTimeoutMs(request), request.sessionTimeoutMs(), future);
        maybePrepareRebalanceOrCompleteJoin(ctx, group, "member " + member.memberId() + " rejoins");
    }

    private void updateStaticMemberThenRebalanceOrCompleteJoin(
            OperationContext ctx,
            RequestContext rc,
            JoinGroupRequest request,
            ClassicGroup group,
            String oldMemberId,
            String newMemberId,
            CompletableFuture<JoinGroupResponse> future) {
        String previousLeader = group.leaderOrNull();
        ClassicGroupMember newMember =
                group.replaceStaticMember(request.groupInstanceId(), oldMemberId, newMemberId, ctx);
        ctx.cancel(heartbeatKey(group.groupId(), oldMemberId));
        rescheduleHeartbeat(ctx, group, newMember);
        group.updateMember(
                newMember, protocols(request), rebalanceTimeoutMs(request), request.sessionTimeoutMs(), future);

        switch (group.state()) {
            case STABLE: {
                String nextProtocol = group.selectProtocol();
                if (nextProtocol.equals(group.protocolName())) {
                    // Same protocol: persist the new member id and keep the assignment, no rebalance.
                    LOG.info(
                            "Group {}: static member {} rejoined without changing the protocol; no rebalance",
                            group.groupId(),
                            request.groupInstanceId());
                    ctx.append(
                            GroupRecords.groupMetadata(group.groupId(), group.toRecordValue(group.groupAssignment())));
                    boolean isLeader = group.isLeader(newMemberId);
                    if (rc.apiVersion() >= 9) {
                        group.completeJoinFuture(
                                newMember,
                                joinResponse(
                                        group,
                                        newMemberId,
                                        isLeader ? group.currentMembersForLeader() : new ArrayList<>(),
                                        isLeader),
                                ctx);
                    } else {
                        JoinGroupResponse response = joinResponse(group, newMemberId, new ArrayList<>(), false);
                        response.setLeader(previousLeader == null ? "" : previousLeader);
                        group.completeJoinFuture(newMember, response, ctx);
                    }
                } else {
                    maybePrepareRebalanceOrCompleteJoin(
                            ctx,
                            group,
                            "static member " + request.groupInstanceId() + " rejoined with other protocols");
                }
                break;
            }
            case COMPLETING_REBALANCE:
                // The leader may already assign to the old member id: start over.
                prepareRebalance(ctx, group, "static member " + request.groupInstanceId() + " rejoined during sync");
                break;
            case PREPARING_REBALANCE:
                maybeCompleteJoinPhase(ctx, group);
                break;
            default:
                throw new IllegalStateException("group " + group.groupId() + " in state " + group.state()
                        + " when static member " + request.groupInstanceId() + " rejoins");
        }
    }

    private void maybePrepareRebalanceOrCompleteJoin(OperationContext ctx, ClassicGroup group, String reason) {
        if (group.state().canTransitionTo(ClassicGroupState.PREPARING_REBALANCE)) {
            prepareRebalance(ctx, group, reason);
        } else {
            maybeCompleteJoinPhase(ctx, group);
        }
    }

    /** Starts a rebalance of {@code group}. */
    void prepareRebalance(OperationContext ctx, ClassicGroup group, String reason) {
        if (group.isInState(ClassicGroupState.COMPLETING_REBALANCE)) {
            resetAndPropagateAssignmentWithError(ctx, group, Errors.REBALANCE_IN_PROGRESS);
        }
        group.clearPendingSyncMembers();
        ctx.cancel(syncKey(group.groupId()));

        boolean isInitialRebalance = group.isInState(ClassicGroupState.EMPTY);
        if (isInitialRebalance) {
            // A new group waits a little for more members before its first generation.
            int delayMs = config.initialRebalanceDelayMs();
            int remainingMs = Math.max(group.rebalanceTimeoutMs() - delayMs, 0);
            String groupId = group.groupId();
            ctx.schedule(joinKey(groupId), delayMs, c -> tryCompleteInitialRebalance(c, groupId, delayMs, remainingMs));
        }
        group.transitionTo(ClassicGroupState.PREPARING_REBALANCE, ctx.nowMs());
        metrics.increment("classic.rebalances");
        LOG.info(
                "Group {}: preparing to rebalance from generation {} ({})",
                group.groupId(),
                group.generationId(),
                reason);
        if (!isInitialRebalance) {
            maybeCompleteJoinElseSchedule(ctx, group);
        }
    }

    private void maybeCompleteJoinElseSchedule(OperationContext ctx, ClassicGroup group) {
        if (group.hasAllMembersJoined()) {
            completeJoin(ctx, group);
        } else {
            String groupId = group.groupId();
            ctx.schedule(joinKey(groupId), group.rebalanceTimeoutMs(), c -> completeJoin(c, groupId));
        }
    }

    private void tryCompleteInitialRebalance(OperationContext ctx, String groupId, int delayMs, int remainingMs) {
        ClassicGroup group = store.classicGroupOrNull(groupId);
        if (group == null) {
            return;
        }
        if (group.newMemberAdded() && remainingMs != 0) {
            group.setNewMemberAdded(false);
            int nextDelayMs = Math.min(config.initialRebalanceDelayMs(), remainingMs);
            int nextRemainingMs = Math.max(remainingMs - delayMs, 0);
            ctx.schedule(
                    joinKey(groupId),
                    nextDelayMs,
                    c -> tryCompleteInitialRebalance(c, groupId, nextDelayMs, nextRemainingMs));
        } else {
            completeJoin(ctx, group);
        }
    }

    private void maybeCompleteJoinPhase(OperationContext ctx, ClassicGroup group) {
        if (group.isInState(ClassicGroupState.PREPARING_REBALANCE)
                && group.previousState() != ClassicGroupState.EMPTY
                && group.hasAllMembersJoined()) {
            completeJoin(ctx, group);
        }
    }

    private void completeJoin(OperationContext ctx, String groupId) {
        ClassicGroup group = store.classicGroupOrNull(groupId);
        if (group != null) {
            completeJoin(ctx, group);
        }
    }

    /**
     * Ends the join phase: dynamic members that did not rejoin are dropped, the next generation
     * starts, and every parked JoinGroup is answered (the leader gets the members' metadata).
     */
    private void completeJoin(OperationContext ctx, ClassicGroup group) {
        String groupId = group.groupId();
        ctx.cancel(joinKey(groupId));
        for (ClassicGroupMember m : group.notYetRejoinedMembers()) {
            if (!m.isStaticMember()) {
                group.remove(m.memberId());
                ctx.cancel(heartbeatKey(groupId, m.memberId()));
                LOG.info("Group {}: removed member {} which did not rejoin", groupId, m.memberId());
            }
        }
        if (group.isInState(ClassicGroupState.DEAD)) {
            return;
        }
        if (!group.maybeElectNewJoinedLeader() && group.numMembers() > 0) {
            // Nobody rejoined: wait for the session timeouts to remove the silent members.
            LOG.error("Group {}: could not complete the rebalance because no member rejoined", groupId);
            ctx.schedule(joinKey(groupId), group.rebalanceTimeoutMs(), c -> completeJoin(c, groupId));
            return;
        }
        group.initNextGeneration(ctx.nowMs());
        if (group.isInState(ClassicGroupState.EMPTY)) {
            LOG.info("Group {}: generation {} is empty", groupId, group.generationId());
            ctx.append(GroupRecords.groupMetadata(groupId, group.toRecordValue(new HashMap<>())));
            return;
        }
        LOG.info(
                "Group {}: generation {} with {} members, protocol {}",
                groupId,
                group.generationId(),
                group.numMembers(),
                group.protocolName());
        for (ClassicGroupMember m : new ArrayList<>(group.allMembers())) {
            List<JoinGroupResponse.JoinGroupResponseMember> members =
                    group.isLeader(m.memberId()) ? group.currentMembersForLeader() : new ArrayList<>();
            group.completeJoinFuture(m, joinResponse(group, m.memberId(), members, false), ctx);
            rescheduleHeartbeat(ctx, group, m);
            m.setIsNew(false);
            group.addPendingSyncMember(m.memberId());
        }
        int generation = group.generationId();
        ctx.schedule(syncKey(groupId), group.rebalanceTimeoutMs(), c -> expirePendingSync(c, groupId, generation));
    }

    private void expirePendingSync(OperationContext ctx, String groupId, int generation) {
        ClassicGroup group = store.classicGroupOrNull(groupId);
        if (group == null || generation != group.generationId()) {
            return;
        }
        if ((group.isInState(ClassicGroupState.COMPLETING_REBALANCE) || group.isInState(ClassicGroupState.STABLE))
                && !group.hasReceivedSyncFromAllMembers()) {
            List<String> late = new ArrayList<>(group.allPendingSyncMembers());
            for (String memberId : late) {
                group.remove(memberId);
                ctx.cancel(heartbeatKey(groupId, memberId));
            }
            prepareRebalance(ctx, group, "members " + late + " did not sync in time");
        }
    }

    private void rescheduleHeartbeat(OperationContext ctx, ClassicGroup group, ClassicGroupMember member) {
        String groupId = group.groupId();
        String memberId = member.memberId();
        ctx.schedule(
                heartbeatKey(groupId, memberId), member.sessionTimeoutMs(), c -> expireHeartbeat(c, groupId, memberId));
    }

    /** Keeps a member's session alive (heartbeats, and offset commits in Stable/PreparingRebalance). */
    public void rescheduleHeartbeat(OperationContext ctx, ClassicGroup group, String memberId) {
        ClassicGroupMember m = group.member(memberId);
        if (m != null) {
            rescheduleHeartbeat(ctx, group, m);
        }
    }

    private void expireHeartbeat(OperationContext ctx, String groupId, String memberId) {
        ClassicGroup group = store.classicGroupOrNull(groupId);
        if (group == null || group.isInState(ClassicGroupState.DEAD)) {
            return;
        }
        if (group.isPendingMember(memberId)) {
            LOG.info("Group {}: pending member {} expired", groupId, memberId);
            group.remove(memberId);
            if (group.isInState(ClassicGroupState.PREPARING_REBALANCE) && group.hasAllMembersJoined()) {
                completeJoin(ctx, group);
            }
            return;
        }
        ClassicGroupMember member = group.member(memberId);
        if (member != null && !member.hasSatisfiedHeartbeat()) {
            LOG.info("Group {}: member {} failed (session timeout), removing it", groupId, memberId);
            metrics.increment("classic.session-expirations");
            removeMemberAndUpdateGroup(ctx, group, member, "session timeout of " + memberId);
        }
    }

    private void removeMemberAndUpdateGroup(
            OperationContext ctx, ClassicGroup group, ClassicGroupMember member, String reason) {
        group.completeJoinFuture(
                member, new JoinGroupResponse().setMemberId("").setErrorCode(Errors.UNKNOWN_MEMBER_ID.code), ctx);
        group.remove(member.memberId());
        if (group.isInState(ClassicGroupState.STABLE) || group.isInState(ClassicGroupState.COMPLETING_REBALANCE)) {
            maybePrepareRebalanceOrCompleteJoin(ctx, group, reason);
        } else if (group.isInState(ClassicGroupState.PREPARING_REBALANCE) && group.hasAllMembersJoined()) {
            completeJoin(ctx, group);
        }
    }

    private void resetAndPropagateAssignmentWithError(OperationContext ctx, ClassicGroup group, Errors error) {
        for (ClassicGroupMember m : group.allMembers()) {
            m.setAssignment(ClassicGroupMember.EMPTY_ASSIGNMENT);
        }
        propagateAssignment(ctx, group, error);
    }

    private void propagateAssignment(OperationContext ctx, ClassicGroup group, Errors error) {
        for (ClassicGroupMember m : group.allMembers()) {
            SyncGroupResponse response = new SyncGroupResponse()
                    .setProtocolName(error == Errors.NONE ? group.protocolName() : null)
                    .setProtocolType(error == Errors.NONE ? group.protocolType() : null)
                    .setAssignment(m.assignment())
                    .setErrorCode(error.code);
            if (group.completeSyncFuture(m, response, ctx)) {
                // The session restarts once the member has its assignment.
                rescheduleHeartbeat(ctx, group, m);
            }
        }
    }

    // -------------------------------------------------------------------------------------------
    // SyncGroup.

    /** Handles a SyncGroup; the response goes to {@code future}, now or when the assignment is written. */
    public void sync(OperationContext ctx, SyncGroupRequest request, CompletableFuture<SyncGroupResponse> future) {
        Group any = store.group(request.groupId());
        if (!(any instanceof ClassicGroup) || any.isEmpty()) {
            ctx.completeWhenDurable(future, new SyncGroupResponse().setErrorCode(Errors.UNKNOWN_MEMBER_ID.code));
            return;
        }
        ClassicGroup group = (ClassicGroup) any;
        String memberId = request.memberId();
        Errors error = validateSync(group, request);
        if (error != Errors.NONE) {
            ctx.completeWhenDurable(future, new SyncGroupResponse().setErrorCode(error.code));
            return;
        }
        switch (group.state()) {
            case PREPARING_REBALANCE:
                ctx.completeWhenDurable(
                        future, new SyncGroupResponse().setErrorCode(Errors.REBALANCE_IN_PROGRESS.code));
                break;
            case COMPLETING_REBALANCE: {
                group.setAwaitingSync(group.member(memberId), future);
                removePendingSyncMember(ctx, group, memberId);
                if (group.isLeader(memberId)) {
                    LOG.info(
                            "Group {}: assignment received from leader {} for generation {}",
                            group.groupId(),
                            memberId,
                            group.generationId());
                    Map<String, byte[]> assignment = new HashMap<>();
                    for (SyncGroupRequest.SyncGroupRequestAssignment a : request.assignments()) {
                        assignment.put(a.memberId(), a.assignment());
                    }
                    for (ClassicGroupMember m : group.allMembers()) {
                        assignment.putIfAbsent(m.memberId(), ClassicGroupMember.EMPTY_ASSIGNMENT);
                    }
                    CoordinatorRecord record =
                            GroupRecords.groupMetadata(group.groupId(), group.toRecordValue(assignment));
                    if (CoordinatorRecord.estimatedBatchSizeInBytes(List.of(record)) > config.maxMessageBytes()) {
                        // Kafka fails to write such an assignment (RecordTooLargeException): every
                        // member waiting for it gets UNKNOWN_SERVER_ERROR and the group rebalances.
                        LOG.warn(
                                "Group {}: the assignment of generation {} is too large to store",
                                group.groupId(),
                                group.generationId());
                        resetAndPropagateAssignmentWithError(ctx, group, Errors.UNKNOWN_SERVER_ERROR);
                        maybePrepareRebalanceOrCompleteJoin(ctx, group, "the assignment was too large to store");
                        break;
                    }
                    // Replaying the record sets the assignments and makes the group Stable; the
                    // members get their assignments once it is durable.
                    ctx.append(record);
                    metrics.increment("classic.completed-rebalances");
                    propagateAssignment(ctx, group, Errors.NONE);
                }
                break;
            }
            case STABLE: {
                removePendingSyncMember(ctx, group, memberId);
                ClassicGroupMember member = group.member(memberId);
                ctx.completeWhenDurable(
                        future,
                        new SyncGroupResponse()
                                .setProtocolType(group.protocolType())
                                .setProtocolName(group.protocolName())
                                .setAssignment(member.assignment()));
                break;
            }
            default:
                ctx.completeWhenDurable(
                        future, new SyncGroupResponse().setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code));
        }
    }

    private static Errors validateSync(ClassicGroup group, SyncGroupRequest request) {
        if (group.isInState(ClassicGroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        try {
            group.validateMember(request.memberId(), request.groupInstanceId());
        } catch (CoordinatorException e) {
            return e.error();
        }
        if (request.generationId() != group.generationId()) {
            return Errors.ILLEGAL_GENERATION;
        }
        if (inconsistent(request.protocolType(), group.protocolType())
                || inconsistent(request.protocolName(), group.protocolName())) {
            return Errors.INCONSISTENT_GROUP_PROTOCOL;
        }
        return Errors.NONE;
    }

    private static boolean inconsistent(String requested, String actual) {
        return requested != null && actual != null && !requested.equals(actual);
    }

    private void removePendingSyncMember(OperationContext ctx, ClassicGroup group, String memberId) {
        group.removePendingSyncMember(memberId);
        if (group.hasReceivedSyncFromAllMembers()
                || !(group.isInState(ClassicGroupState.COMPLETING_REBALANCE)
                        || group.isInState(ClassicGroupState.STABLE))) {
            ctx.cancel(syncKey(group.groupId()));
        }
    }

    // -------------------------------------------------------------------------------------------
    // Heartbeat.

    /** Handles a Heartbeat of a classic member. */
    public HeartbeatResponse heartbeat(OperationContext ctx, HeartbeatRequest request) {
        Group any = store.group(request.groupId());
        if (!(any instanceof ClassicGroup)) {
            // Unknown group, or a consumer group (which has no classic members here).
            throw new CoordinatorException(Errors.UNKNOWN_MEMBER_ID);
        }
        ClassicGroup group = (ClassicGroup) any;
        if (group.isInState(ClassicGroupState.DEAD)) {
            throw new CoordinatorException(Errors.COORDINATOR_NOT_AVAILABLE);
        }
        group.validateMember(request.memberId(), request.groupInstanceId());
        if (request.generationId() != group.generationId()) {
            throw new CoordinatorException(Errors.ILLEGAL_GENERATION);
        }
        switch (group.state()) {
            case EMPTY:
                return new HeartbeatResponse().setErrorCode(Errors.UNKNOWN_MEMBER_ID.code);
            case PREPARING_REBALANCE:
                rescheduleHeartbeat(ctx, group, request.memberId());
                return new HeartbeatResponse().setErrorCode(Errors.REBALANCE_IN_PROGRESS.code);
            default:
                // Members may heartbeat between their JoinGroup and SyncGroup responses.
                rescheduleHeartbeat(ctx, group, request.memberId());
                return new HeartbeatResponse();
        }
    }

    // -------------------------------------------------------------------------------------------
    // LeaveGroup.

    /** Handles a (batched) LeaveGroup; members are reported one by one, as in version 3+. */
    public LeaveGroupResponse leave(
            OperationContext ctx, String groupId, List<LeaveGroupRequest.MemberIdentity> leaving) {
        Group any = store.group(groupId);
        List<LeaveGroupResponse.MemberResponse> responses = new ArrayList<>();
        if (!(any instanceof ClassicGroup)) {
            if (any == null) {
                throw new CoordinatorException(Errors.UNKNOWN_MEMBER_ID);
            }
            for (LeaveGroupRequest.MemberIdentity m : leaving) {
                responses.add(memberResponse(m, Errors.UNKNOWN_MEMBER_ID));
            }
            return new LeaveGroupResponse().setMembers(responses);
        }
        ClassicGroup group = (ClassicGroup) any;
        if (group.isInState(ClassicGroupState.DEAD)) {
            return new LeaveGroupResponse().setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code);
        }
        List<String> left = new ArrayList<>();
        for (LeaveGroupRequest.MemberIdentity m : leaving) {
            String reason = m.reason() != null ? m.reason() : "not provided";
            if (m.memberId().isEmpty()) {
                // Administrative removal of a static member by instance id.
                if (m.groupInstanceId() != null && group.hasStaticMember(m.groupInstanceId())) {
                    String memberId = group.staticMemberId(m.groupInstanceId());
                    removeLeavingMember(ctx, group, memberId, reason);
                    left.add(memberId);
                    responses.add(memberResponse(m, Errors.NONE));
                } else {
                    responses.add(memberResponse(m, Errors.UNKNOWN_MEMBER_ID));
                }
            } else if (group.isPendingMember(m.memberId())) {
                group.remove(m.memberId());
                ctx.cancel(heartbeatKey(groupId, m.memberId()));
                LOG.info("Group {}: pending member {} left ({})", groupId, m.memberId(), reason);
                left.add(m.memberId());
                responses.add(memberResponse(m, Errors.NONE));
            } else {
                try {
                    group.validateMember(m.memberId(), m.groupInstanceId());
                    removeLeavingMember(ctx, group, m.memberId(), reason);
                    left.add(m.memberId());
                    responses.add(memberResponse(m, Errors.NONE));
                } catch (CoordinatorException e) {
                    responses.add(memberResponse(m, e.error()));
                }
            }
        }
        if (!left.isEmpty()) {
            switch (group.state()) {
                case STABLE:
                case COMPLETING_REBALANCE:
                    maybePrepareRebalanceOrCompleteJoin(ctx, group, "members " + left + " left");
                    break;
                case PREPARING_REBALANCE:
                    maybeCompleteJoinPhase(ctx, group);
                    break;
                default:
                    break;
            }
        }
        return new LeaveGroupResponse().setMembers(responses);
    }

    private static LeaveGroupResponse.MemberResponse memberResponse(LeaveGroupRequest.MemberIdentity m, Errors error) {
        return new LeaveGroupResponse.MemberResponse()
                .setMemberId(m.memberId())
                .setGroupInstanceId(m.groupInstanceId())
                .setErrorCode(error.code);
    }

    private void removeLeavingMember(OperationContext ctx, ClassicGroup group, String memberId, String reason) {
        ClassicGroupMember member = group.member(memberId);
        ctx.cancel(heartbeatKey(group.groupId(), memberId));
        LOG.info("Group {}: member {} left ({})", group.groupId(), memberId, reason);
        group.completeJoinFuture(
                member, new JoinGroupResponse().setMemberId("").setErrorCode(Errors.UNKNOWN_MEMBER_ID.code), ctx);
        group.remove(memberId);
    }

    // -------------------------------------------------------------------------------------------
    // Load and unload.

    /** Re-arms the session timers of the loaded groups' members. */
    public void onLoaded(OperationContext ctx) {
        for (ClassicGroup group : store.classicGroups()) {
            for (ClassicGroupMember m : group.allMembers()) {
                rescheduleHeartbeat(ctx, group, m);
            }
            if (group.isInState(ClassicGroupState.PREPARING_REBALANCE)) {
                maybeCompleteJoinElseSchedule(ctx, group);
            }
        }
    }

    /** Answers every parked request with {@code error}. */
    public void onUnloaded(Errors error) {
        for (ClassicGroup group : store.classicGroups()) {
            group.failAllParkedRequests(error);
        }
    }

    // -------------------------------------------------------------------------------------------
    // Online migration between the classic and the consumer protocol.

    /**
     * Lets go of a classic group that becomes a consumer group: its parked JoinGroup and
     * SyncGroup requests get REBALANCE_IN_PROGRESS (the members then rejoin the consumer group)
     * and its timers are cancelled.
     */
    public void onUpgrade(OperationContext ctx, ClassicGroup group) {
        completeAllWithError(ctx, group, Errors.REBALANCE_IN_PROGRESS);
        String groupId = group.groupId();
        for (ClassicGroupMember m : group.allMembers()) {
            ctx.cancel(heartbeatKey(groupId, m.memberId()));
        }
        ctx.cancel(joinKey(groupId));
        ctx.cancel(syncKey(groupId));
    }

    /**
     * Takes over a classic group that a consumer group has just become ({@code live}, created by
     * replaying the record of {@code converted}): the members get back every protocol they
     * support (the record keeps only the selected one), their sessions start, and the group
     * rebalances if {@code rebalanceReason} is not null.
     */
    public void onDowngrade(OperationContext ctx, ClassicGroup live, ClassicGroup converted, String rebalanceReason) {
        for (ClassicGroupMember m : new ArrayList<>(live.allMembers())) {
            ClassicGroupMember source = converted.member(m.memberId());
            if (source != null) {
                live.updateMember(
                        m, source.supportedProtocols(), source.rebalanceTimeoutMs(), source.sessionTimeoutMs(), null);
            }
            rescheduleHeartbeat(ctx, live, m);
        }
        if (rebalanceReason != null) {
            prepareRebalance(ctx, live, rebalanceReason);
        }
    }

    /** Ends a classic group that is being replaced or deleted: parked requests are told to retry. */
    public void completeAllWithError(OperationContext ctx, ClassicGroup group, Errors error) {
        group.completeAllJoinFutures(error, ctx);
        group.completeAllSyncFutures(error, ctx);
    }
}
