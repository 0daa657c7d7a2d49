package io.skiff.coordinator.group.classic;

import io.skiff.coordinator.group.Group;
import io.skiff.coordinator.group.GroupMetrics;
import io.skiff.coordinator.record.GroupMetadataValue;
import io.skiff.coordinator.runtime.CoordinatorException;
import io.skiff.coordinator.runtime.OperationContext;
import io.skiff.wire.message.JoinGroupResponse;
import io.skiff.wire.message.ListGroupsResponse;
import io.skiff.wire.message.SyncGroupResponse;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A group of the classic protocol (JoinGroup / SyncGroup / Heartbeat / LeaveGroup).
 *
 * <p>Its durable part (generation, protocol type and name, leader, members with their metadata
 * and assignments, and the time of the last state change) is what a GroupMetadata record holds;
 * it is set when such a record is replayed. A rebalance in progress (joining members, parked
 * requests, the next generation before its assignment is written) is soft state, as in Kafka: it
 * is not persisted and a failover restarts the rebalance from the last written generation.
 * Shard-thread only.
 */
public final class ClassicGroup implements Group {
    private static final Logger LOG = LoggerFactory.getLogger(ClassicGroup.class);
    /** The protocol type of Kafka consumers, whose embedded protocol the coordinator can read. */
    public static final String CONSUMER_PROTOCOL_TYPE = "consumer";

    private final String groupId;
    private final GroupMetrics metrics;
    private ClassicGroupState state;
    private ClassicGroupState previousState = ClassicGroupState.DEAD;
    private long currentStateTimestampMs;
    private String protocolType;
    private String protocolName;
    private int generationId;
    private String leaderId;
    private final Map<String, ClassicGroupMember> members = new LinkedHashMap<>();
    private final Map<String, String> staticMembers = new HashMap<>();
    private final Set<String> pendingJoinMembers = new HashSet<>();
    private final Set<String> pendingSyncMembers = new HashSet<>();
    private final Map<String, Integer> supportedProtocols = new HashMap<>();
    private int numMembersAwaitingJoin;
    private boolean newMemberAdded;
    private Set<String> subscribedTopics;

    public ClassicGroup(String groupId, ClassicGroupState initialState, long nowMs, GroupMetrics metrics) {
        this.groupId = groupId;
        this.state = initialState;
        this.currentStateTimestampMs = nowMs;
        this.metrics = metrics;
    }

    /**
     * Builds a group from a GroupMetadata record, as loading does: Stable with the record's
     * members and assignments, or Empty without members.
     */
    public static ClassicGroup fromRecord(String groupId, GroupMetadataValue value, long nowMs, GroupMetrics metrics) {
        ClassicGroup g = new ClassicGroup(
                groupId,
                value.members().isEmpty() ? ClassicGroupState.EMPTY : ClassicGroupState.STABLE,
                nowMs,
                metrics);
        g.restore(
                value.generation(),
                value.protocolType(),
                value.protocol(),
                value.leader(),
                value.currentStateTimestamp());
        for (GroupMetadataValue.MemberMetadata m : value.members()) {
            int rebalanceTimeoutMs = m.rebalanceTimeout() == -1 ? m.sessionTimeout() : m.rebalanceTimeout();
            ClassicGroupMember member = new ClassicGroupMember(
                    m.memberId(),
                    m.groupInstanceId(),
                    m.clientId(),
                    m.clientHost(),
                    rebalanceTimeoutMs,
                    m.sessionTimeout(),
                    value.protocolType(),
                    List.of(new ClassicGroupMember.Protocol(
                            value.protocol() == null ? "" : value.protocol(), m.subscription())));
            member.setAssignment(m.assignment());
            g.add(member, null);
        }
        // add() makes the first member leader; the record names the real one.
        g.leaderId = value.leader();
        g.subscribedTopics = g.computeSubscribedTopics();
        return g;
    }

    /**
     * A Stable group of generation {@code generationId} holding {@code members} (each with every
     * protocol it supports and its assignment set by the caller), on the protocol they vote for:
     * what a consumer group whose members all use the classic protocol becomes. The first member
     * leads. The group is not registered anywhere; the GroupMetadata record of
     * {@link #toRecordValue} is what creates it in a shard.
     */
    public static ClassicGroup ofConvertedMembers(
            String groupId, int generationId, List<ClassicGroupMember> members, long nowMs, GroupMetrics metrics) {
        ClassicGroup g = new ClassicGroup(groupId, ClassicGroupState.STABLE, nowMs, metrics);
        g.generationId = generationId;
        for (ClassicGroupMember m : members) {
            g.add(m, null);
        }
        g.protocolName = g.selectProtocol();
        g.subscribedTopics = g.computeSubscribedTopics();
        return g;
    }

    /**
     * Whether {@code value} persists this live group's current generation: same generation, and
     * either no members (an empty generation, or a new group being created) or the same member
     * ids. Replaying such a record updates the group in place instead of rebuilding it.
     */
    public boolean isPersistedBy(GroupMetadataValue value) {
        if (value.generation() != generationId) {
            return false;
        }
        if (value.members().isEmpty()) {
            return true;
        }
        if (value.members().size() != members.size()) {
            return false;
        }
        for (GroupMetadataValue.MemberMetadata m : value.members()) {
            if (!members.containsKey(m.memberId())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Applies a record that persists the live generation: the members' assignments become the
     * record's, and a group completing its rebalance becomes Stable.
     */
    public void applyPersisted(GroupMetadataValue value, long nowMs) {
        if (value.members().isEmpty()) {
            return;
        }
        for (GroupMetadataValue.MemberMetadata m : value.members()) {
            members.get(m.memberId()).setAssignment(m.assignment());
        }
        if (state == ClassicGroupState.COMPLETING_REBALANCE) {
            transitionTo(ClassicGroupState.STABLE, nowMs);
        }
    }

    /** The GroupMetadata record value of the current generation with these assignments. */
    public GroupMetadataValue toRecordValue(Map<String, byte[]> assignments) {
        List<GroupMetadataValue.MemberMetadata> ms = new ArrayList<>(members.size());
        for (ClassicGroupMember m : members.values()) {
            byte[] assignment = assignments.get(m.memberId());
            ms.add(new GroupMetadataValue.MemberMetadata()
                    .setMemberId(m.memberId())
                    .setGroupInstanceId(m.groupInstanceId())
                    .setClientId(m.clientId())
                    .setClientHost(m.clientHost())
                    .setRebalanceTimeout(m.rebalanceTimeoutMs())
                    .setSessionTimeout(m.sessionTimeoutMs())
                    .setSubscription(protocolName == null ? new byte[0] : m.metadata(protocolName))
                    .setAssignment(assignment == null ? ClassicGroupMember.EMPTY_ASSIGNMENT : assignment));
        }
        return new GroupMetadataValue()
                .setProtocolType(protocolType == null ? "" : protocolType)
                .setGeneration(generationId)
                .setProtocol(protocolName)
                .setLeader(leaderId)
                .setCurrentStateTimestamp(currentStateTimestampMs)
                .setMembers(ms);
    }

    /** Restores the durable fields read from a GroupMetadata record. */
    void restore(int generationId, String protocolType, String protocolName, String leaderId, long stateTimestampMs) {
        this.generationId = generationId;
        this.protocolType = protocolType == null || protocolType.isEmpty() ? null : protocolType;
        this.protocolName = protocolName;
        this.leaderId = leaderId;
        this.currentStateTimestampMs = stateTimestampMs;
    }

    @Override
    public String groupId() {
        return groupId;
    }

    @Override
    public Type type() {
        return Type.CLASSIC;
    }

    public ClassicGroupState state() {
        return state;
    }

    public ClassicGroupState previousState() {
        return previousState;
    }

    public boolean isInState(ClassicGroupState s) {
        return state == s;
    }

    @Override
    public String stateAsString() {
        return state.toString();
    }

    @Override
    public boolean isEmpty() {
        return state == ClassicGroupState.EMPTY;
    }

    public int generationId() {
        return generationId;
    }

    public String protocolType() {
        return protocolType;
    }

    public String protocolName() {
        return protocolName;
    }

    public String leaderOrNull() {
        return leaderId;
    }

    public boolean isLeader(String memberId) {
        return leaderId != null && leaderId.equals(memberId);
    }

    public long currentStateTimestampMs() {
        return currentStateTimestampMs;
    }

    /** A group that only stores offsets: no protocol, no members, nobody joining. */
    public boolean isSimpleGroup() {
        return protocolType == null && members.isEmpty() && pendingJoinMembers.isEmpty();
    }

    public boolean usesConsumerProtocol() {
        return CONSUMER_PROTOCOL_TYPE.equals(protocolType);
    }

    /**
     * Moves the group to {@code target}: the one place a classic group changes state. An invalid
     * transition is counted, logged and refused with an {@link IllegalStateException}.
     */
    public void transitionTo(ClassicGroupState target, long nowMs) {
        if (!state.canTransitionTo(target)) {
            metrics.increment(GroupMetrics.rejectedTransition(state, target));
            LOG.error("Group {}: invalid transition from {} to {}", groupId, state, target);
            throw new IllegalStateException("Group " + groupId + " should be in one of "
                    + target.validPreviousStates() + " states before moving to " + target + " state. Instead it is in "
                    + state + " state.");
        }
        metrics.increment(GroupMetrics.transition(state, target));
        LOG.debug("Group {}: {} -> {} (generation {})", groupId, state, target, generationId);
        previousState = state;
        state = target;
        currentStateTimestampMs = nowMs;
    }

    // -------------------------------------------------------------------------------------------
    // Members.

    public boolean hasMember(String memberId) {
        return members.containsKey(memberId);
    }

    public ClassicGroupMember member(String memberId) {
        return members.get(memberId);
    }

    public Collection<ClassicGroupMember> allMembers() {
        return members.values();
    }

    public int numMembers() {
        return members.size();
    }

    public Set<String> allMemberIds() {
        return members.keySet();
    }

    public int numAwaitingJoinResponse() {
        return numMembersAwaitingJoin;
    }

    /** Adds a member, parking {@code joinFuture} (may be null) as its JoinGroup. */
    public void add(ClassicGroupMember member, CompletableFuture<JoinGroupResponse> joinFuture) {
        if (member.groupInstanceId() != null) {
            if (staticMembers.containsKey(member.groupInstanceId())) {
                throw new IllegalStateException(
                        "static member " + member.groupInstanceId() + " is already in group " + groupId);
            }
            staticMembers.put(member.groupInstanceId(), member.memberId());
        }
        if (members.isEmpty()) {
            protocolType = member.protocolType();
        }
        if (leaderId == null) {
            leaderId = member.memberId();
        }
        members.put(member.memberId(), member);
        countProtocols(member, 1);
        member.setAwaitingJoin(joinFuture);
        if (joinFuture != null) {
            numMembersAwaitingJoin++;
        }
        pendingJoinMembers.remove(member.memberId());
    }

    /** Removes a member (or a pending member); elects another leader if it led. */
    public void remove(String memberId) {
        ClassicGroupMember removed = members.remove(memberId);
        if (removed != null) {
            countProtocols(removed, -1);
            if (removed.isAwaitingJoin()) {
                numMembersAwaitingJoin--;
            }
            if (removed.groupInstanceId() != null) {
                staticMembers.remove(removed.groupInstanceId());
            }
        }
        if (isLeader(memberId)) {
            leaderId = members.isEmpty() ? null : members.keySet().iterator().next();
        }
        pendingJoinMembers.remove(memberId);
        pendingSyncMembers.remove(memberId);
    }

    /** Updates a member that rejoins; parks {@code joinFuture} (may be null). */
    public void updateMember(
            ClassicGroupMember member,
            List<ClassicGroupMember.Protocol> protocols,
            int rebalanceTimeoutMs,
            int sessionTimeoutMs,
            CompletableFuture<JoinGroupResponse> joinFuture) {
        countProtocols(member, -1);
        member.update(protocols, rebalanceTimeoutMs, sessionTimeoutMs);
        countProtocols(member, 1);
        if (joinFuture != null && !member.isAwaitingJoin()) {
            numMembersAwaitingJoin++;
        } else if (joinFuture == null && member.isAwaitingJoin()) {
            numMembersAwaitingJoin--;
        }
        member.setAwaitingJoin(joinFuture);
    }

    /**
     * Replaces the static member {@code oldMemberId} by a copy under {@code newMemberId}; the old
     * member's parked requests get FENCED_INSTANCE_ID.
     */
    public ClassicGroupMember replaceStaticMember(
            String instanceId, String oldMemberId, String newMemberId, OperationContext ctx) {
        ClassicGroupMember old = members.remove(oldMemberId);
        if (old == null) {
            throw new IllegalArgumentException("cannot replace unknown member " + oldMemberId);
        }
        if (old.isAwaitingJoin()) {
            ctx.completeWhenDurable(
                    old.awaitingJoin(),
                    new JoinGroupResponse()
                            .setMemberId(oldMemberId)
                            .setLeader("")
                            .setProtocolName(null)
                            .setErrorCode(Errors.FENCED_INSTANCE_ID.code));
            old.setAwaitingJoin(null);
            numMembersAwaitingJoin--;
        }
        if (old.isAwaitingSync()) {
            ctx.completeWhenDurable(
                    old.awaitingSync(),
                    new SyncGroupResponse().setAssignment(new byte[0]).setErrorCode(Errors.FENCED_INSTANCE_ID.code));
            old.setAwaitingSync(null);
        }
        ClassicGroupMember replacement = new ClassicGroupMember(
                newMemberId,
                old.groupInstanceId(),
                old.clientId(),
                old.clientHost(),
                old.rebalanceTimeoutMs(),
                old.sessionTimeoutMs(),
                old.protocolType(),
                old.supportedProtocols());
        replacement.setAssignment(old.assignment());
        members.put(newMemberId, replacement);
        if (isLeader(oldMemberId)) {
            leaderId = newMemberId;
        }
        staticMembers.put(instanceId, newMemberId);
        if (pendingSyncMembers.remove(oldMemberId)) {
            pendingSyncMembers.add(newMemberId);
        }
        return replacement;
    }

    public boolean hasStaticMember(String instanceId) {
        return staticMembers.containsKey(instanceId);
    }

    public String staticMemberId(String instanceId) {
        return staticMembers.get(instanceId);
    }

    public boolean isPendingMember(String memberId) {
        return pendingJoinMembers.contains(memberId);
    }

    public void addPendingMember(String memberId) {
        if (hasMember(memberId)) {
            throw new IllegalStateException("member " + memberId + " is already in group " + groupId);
        }
        pendingJoinMembers.add(memberId);
    }

    public int numPendingJoinMembers() {
        return pendingJoinMembers.size();
    }

    public void addPendingSyncMember(String memberId) {
        pendingSyncMembers.add(memberId);
    }

    public void removePendingSyncMember(String memberId) {
        pendingSyncMembers.remove(memberId);
    }

    public boolean hasReceivedSyncFromAllMembers() {
        return pendingSyncMembers.isEmpty();
    }

    public Set<String> allPendingSyncMembers() {
        return pendingSyncMembers;
    }

    public void clearPendingSyncMembers() {
        pendingSyncMembers.clear();
    }

    /** Whether every member has a parked JoinGroup and no member id is pending. */
    public boolean hasAllMembersJoined() {
        return members.size() == numMembersAwaitingJoin && pendingJoinMembers.isEmpty();
    }

    /** Members without a parked JoinGroup. */
    public List<ClassicGroupMember> notYetRejoinedMembers() {
        List<ClassicGroupMember> out = new ArrayList<>();
        for (ClassicGroupMember m : members.values()) {
            if (!m.isAwaitingJoin()) {
                out.add(m);
            }
        }
        return out;
    }

    /** The largest rebalance timeout of the members. */
    public int rebalanceTimeoutMs() {
        int max = 0;
        for (ClassicGroupMember m : members.values()) {
            max = Math.max(max, m.rebalanceTimeoutMs());
        }
        return max;
    }

    public boolean newMemberAdded() {
        return newMemberAdded;
    }

    public void setNewMemberAdded(boolean value) {
        newMemberAdded = value;
    }

    /**
     * Makes sure the leader is a member that rejoined: if the leader did not, the first member
     * that did becomes leader. False if nobody rejoined.
     */
    public boolean maybeElectNewJoinedLeader() {
        if (leaderId == null) {
            return false;
        }
        ClassicGroupMember leader = members.get(leaderId);
        if (leader != null && leader.isAwaitingJoin()) {
            return true;
        }
        for (ClassicGroupMember m : members.values()) {
            if (m.isAwaitingJoin()) {
                LOG.info(
                        "Group {}: leader {} did not rejoin in time; {} is the new leader",
                        groupId,
                        leaderId,
                        m.memberId());
                leaderId = m.memberId();
                return true;
            }
        }
        return false;
    }

    // -------------------------------------------------------------------------------------------
    // Protocols.

    private void countProtocols(ClassicGroupMember member, int delta) {
        for (ClassicGroupMember.Protocol p : member.supportedProtocols()) {
            supportedProtocols.merge(p.name(), delta, Integer::sum);
        }
    }

    /** Whether a member with these protocols may join (Kafka's rule: empty group, or a common protocol). */
    public boolean supportsProtocols(String memberProtocolType, Collection<String> memberProtocols) {
        if (state == ClassicGroupState.EMPTY) {
            return !memberProtocolType.isEmpty() && !memberProtocols.isEmpty();
        }
        if (protocolType == null || !protocolType.equals(memberProtocolType)) {
            return false;
        }
        for (String name : memberProtocols) {
            if (supportedProtocols.getOrDefault(name, 0) == members.size()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The protocol of the next generation: among the protocols every member supports, the one
     * that most members list first (each member votes for its most preferred candidate).
     */
    public String selectProtocol() {
        if (members.isEmpty()) {
            throw new IllegalStateException("cannot select a protocol for empty group " + groupId);
        }
        Set<String> candidates = new HashSet<>();
        for (Map.Entry<String, Integer> e : supportedProtocols.entrySet()) {
            if (e.getValue() == members.size()) {
                candidates.add(e.getKey());
            }
        }
        Map<String, Integer> votes = new LinkedHashMap<>();
        for (ClassicGroupMember m : members.values()) {
            votes.merge(m.vote(candidates), 1, Integer::sum);
        }
        String best = null;
        int bestVotes = -1;
        for (Map.Entry<String, Integer> e : votes.entrySet()) {
            if (e.getValue() > bestVotes) {
                best = e.getKey();
                bestVotes = e.getValue();
            }
        }
        return best;
    }

    /** Starts the next generation: CompletingRebalance with a protocol, or Empty. */
    public void initNextGeneration(long nowMs) {
        generationId++;
        if (!members.isEmpty()) {
            protocolName = selectProtocol();
            subscribedTopics = computeSubscribedTopics();
            transitionTo(ClassicGroupState.COMPLETING_REBALANCE, nowMs);
        } else {
            protocolName = null;
            subscribedTopics = computeSubscribedTopics();
            transitionTo(ClassicGroupState.EMPTY, nowMs);
        }
        pendingSyncMembers.clear();
    }

    /** Recomputes the topics the members subscribe to (consumer protocol only). */
    public void refreshSubscribedTopics() {
        subscribedTopics = computeSubscribedTopics();
    }

    private Set<String> computeSubscribedTopics() {
        if (!usesConsumerProtocol()) {
            return null;
        }
        if (members.isEmpty()) {
            return new HashSet<>();
        }
        if (protocolName == null) {
            return null;
        }
        Set<String> topics = new HashSet<>();
        for (ClassicGroupMember m : members.values()) {
            List<String> memberTopics = ConsumerProtocolCodec.subscribedTopics(m.metadata(protocolName));
            if (memberTopics == null) {
                LOG.warn(
                        "Group {}: cannot read the consumer protocol of member {}; subscribed topics unknown",
                        groupId,
                        m.memberId());
                return null;
            }
            topics.addAll(memberTopics);
        }
        return topics;
    }

    /** The subscribed topics, or null when unknown. */
    public Set<String> subscribedTopics() {
        return subscribedTopics;
    }

    @Override
    public boolean isSubscribedToTopic(String topic) {
        if (subscribedTopics == null) {
            return usesConsumerProtocol();
        }
        return subscribedTopics.contains(topic);
    }

    // -------------------------------------------------------------------------------------------
    // Parked requests.

    /** Answers the member's parked JoinGroup (once durable). */
    public boolean completeJoinFuture(ClassicGroupMember member, JoinGroupResponse response, OperationContext ctx) {
        if (member.isAwaitingJoin()) {
            ctx.completeWhenDurable(member.awaitingJoin(), response);
            member.setAwaitingJoin(null);
            numMembersAwaitingJoin--;
            return true;
        }
        return false;
    }

    /** Answers the member's parked SyncGroup (once durable). */
    public boolean completeSyncFuture(ClassicGroupMember member, SyncGroupResponse response, OperationContext ctx) {
        if (member.isAwaitingSync()) {
            ctx.completeWhenDurable(member.awaitingSync(), response);
            member.setAwaitingSync(null);
            return true;
        }
        return false;
    }

    public void setAwaitingSync(ClassicGroupMember member, CompletableFuture<SyncGroupResponse> future) {
        member.setAwaitingSync(future);
    }

    /** Answers every parked JoinGroup with {@code error}. */
    public void completeAllJoinFutures(Errors error, OperationContext ctx) {
        for (ClassicGroupMember m : members.values()) {
            completeJoinFuture(
                    m, new JoinGroupResponse().setMemberId(m.memberId()).setErrorCode(error.code), ctx);
        }
    }

    /** Answers every parked SyncGroup with {@code error}. */
    public void completeAllSyncFutures(Errors error, OperationContext ctx) {
        for (ClassicGroupMember m : members.values()) {
            completeSyncFuture(m, new SyncGroupResponse().setErrorCode(error.code), ctx);
        }
    }

    /** Fails every parked request at once (the shard stops; no write is awaited). */
    public void failAllParkedRequests(Errors error) {
        for (ClassicGroupMember m : members.values()) {
            if (m.isAwaitingJoin()) {
                m.awaitingJoin()
                        .complete(new JoinGroupResponse()
                                .setMemberId(m.memberId())
                                .setErrorCode(error.code));
                m.setAwaitingJoin(null);
            }
            if (m.isAwaitingSync()) {
                m.awaitingSync().complete(new SyncGroupResponse().setErrorCode(error.code));
                m.setAwaitingSync(null);
            }
        }
        numMembersAwaitingJoin = 0;
    }

    // -------------------------------------------------------------------------------------------
    // Validation and views.

    /**
     * Checks that {@code memberId} (with {@code instanceId}, if static) belongs to the group:
     * FENCED_INSTANCE_ID if another member holds the instance id, UNKNOWN_MEMBER_ID if unknown.
     */
    public void validateMember(String memberId, String instanceId) {
        if (instanceId != null) {
            String existing = staticMembers.get(instanceId);
            if (existing == null) {
                throw new CoordinatorException(Errors.UNKNOWN_MEMBER_ID);
            }
            if (!existing.equals(memberId)) {
                LOG.info(
                        "Group {}: member {} with instance id {} is fenced by {}",
                        groupId,
                        memberId,
                        instanceId,
                        existing);
                throw new CoordinatorException(Errors.FENCED_INSTANCE_ID);
            }
        }
        if (!hasMember(memberId)) {
            throw new CoordinatorException(Errors.UNKNOWN_MEMBER_ID);
        }
    }

    /** Kafka's checks of an OffsetCommit against a classic group. */
    public void validateOffsetCommit(String memberId, String instanceId, int generation) {
        validateOffsetCommit(memberId, instanceId, generation, false);
    }

    /**
     * Kafka's checks of an OffsetCommit ({@code transactional} false) or a TxnOffsetCommit: a
     * TxnOffsetCommit without member id, instance id and generation (versions 0-2, or a producer
     * given no group metadata) passes in any state, and one is accepted while the group completes
     * a rebalance.
     */
    public void validateOffsetCommit(String memberId, String instanceId, int generation, boolean transactional) {
        if (state == ClassicGroupState.DEAD) {
            throw new CoordinatorException(Errors.COORDINATOR_NOT_AVAILABLE);
        }
        if (generation < 0 && state == ClassicGroupState.EMPTY) {
            // Admin clients and consumers that manage partitions themselves commit to empty groups.
            return;
        }
        if (generation >= 0 || !memberId.isEmpty() || instanceId != null) {
            validateMember(memberId, instanceId);
            if (generation != generationId) {
                throw new CoordinatorException(Errors.ILLEGAL_GENERATION);
            }
        } else if (!transactional && state != ClassicGroupState.EMPTY) {
            throw new CoordinatorException(Errors.UNKNOWN_MEMBER_ID);
        }
        if (!transactional && state == ClassicGroupState.COMPLETING_REBALANCE) {
            throw new CoordinatorException(Errors.REBALANCE_IN_PROGRESS);
        }
    }

    /** Member id -> assignment of the current members. */
    public Map<String, byte[]> groupAssignment() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (ClassicGroupMember m : members.values()) {
            out.put(m.memberId(), m.assignment());
        }
        return out;
    }

    /** The members as the leader's JoinGroup response lists them. */
    public List<JoinGroupResponse.JoinGroupResponseMember> currentMembersForLeader() {
        List<JoinGroupResponse.JoinGroupResponseMember> out = new ArrayList<>(members.size());
        for (ClassicGroupMember m : members.values()) {
            out.add(new JoinGroupResponse.JoinGroupResponseMember()
                    .setMemberId(m.memberId())
                    .setGroupInstanceId(m.groupInstanceId())
                    .setMetadata(m.metadata(protocolName)));
        }
        return out;
    }

    @Override
    public ListGroupsResponse.ListedGroup asListedGroup() {
        return new ListGroupsResponse.ListedGroup()
                .setGroupId(groupId)
                .setProtocolType(protocolType == null ? "" : protocolType)
                .setGroupState(state.toString())
                .setGroupType(Type.CLASSIC.toString());
    }

    /** A member id for a new member: the instance id or client id, a dash and a random UUID. */
    public static String newMemberId(String clientId, String instanceId) {
        return (instanceId != null ? instanceId : clientId) + "-" + UUID.randomUUID();
    }

    @Override
    public String toString() {
        return "ClassicGroup(" + groupId + ", generation " + generationId + ", " + state + ", members "
                + members.keySet() + ")";
    }
}
