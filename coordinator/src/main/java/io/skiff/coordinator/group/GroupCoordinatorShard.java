package io.skiff.coordinator.group;

import io.skiff.coordinator.group.assignor.PartitionAssignor;
import io.skiff.coordinator.group.classic.ClassicGroup;
import io.skiff.coordinator.group.classic.ClassicGroupHandler;
import io.skiff.coordinator.group.classic.ClassicGroupMember;
import io.skiff.coordinator.group.classic.ClassicGroupState;
import io.skiff.coordinator.group.consumer.ClassicMembersHandler;
import io.skiff.coordinator.group.consumer.ConsumerGroup;
import io.skiff.coordinator.group.consumer.ConsumerGroupHandler;
import io.skiff.coordinator.group.consumer.ConsumerGroupMember;
import io.skiff.coordinator.group.offsets.OffsetHandler;
import io.skiff.coordinator.group.offsets.OffsetStore;
import io.skiff.coordinator.record.ConsumerGroupCurrentMemberAssignmentKey;
import io.skiff.coordinator.record.ConsumerGroupCurrentMemberAssignmentValue;
import io.skiff.coordinator.record.ConsumerGroupMemberMetadataKey;
import io.skiff.coordinator.record.ConsumerGroupMemberMetadataValue;
import io.skiff.coordinator.record.ConsumerGroupMetadataKey;
import io.skiff.coordinator.record.ConsumerGroupMetadataValue;
import io.skiff.coordinator.record.ConsumerGroupPartitionMetadataKey;
import io.skiff.coordinator.record.ConsumerGroupPartitionMetadataValue;
import io.skiff.coordinator.record.ConsumerGroupRegularExpressionKey;
import io.skiff.coordinator.record.ConsumerGroupRegularExpressionValue;
import io.skiff.coordinator.record.ConsumerGroupTargetAssignmentMemberKey;
import io.skiff.coordinator.record.ConsumerGroupTargetAssignmentMemberValue;
import io.skiff.coordinator.record.ConsumerGroupTargetAssignmentMetadataKey;
import io.skiff.coordinator.record.ConsumerGroupTargetAssignmentMetadataValue;
import io.skiff.coordinator.record.GroupMetadataKey;
import io.skiff.coordinator.record.GroupMetadataValue;
import io.skiff.coordinator.record.OffsetCommitKey;
import io.skiff.coordinator.record.OffsetCommitValue;
import io.skiff.coordinator.runtime.CoordinatorLog;
import io.skiff.coordinator.runtime.CoordinatorRecord;
import io.skiff.coordinator.runtime.CoordinatorStateMachine;
import io.skiff.coordinator.runtime.OperationContext;
import io.skiff.wire.message.ConsumerGroupDescribeResponse;
import io.skiff.wire.message.ConsumerGroupHeartbeatRequest;
import io.skiff.wire.message.ConsumerGroupHeartbeatResponse;
import io.skiff.wire.message.DeleteGroupsResponse;
import io.skiff.wire.message.DescribeGroupsResponse;
import io.skiff.wire.message.HeartbeatRequest;
import io.skiff.wire.message.HeartbeatResponse;
import io.skiff.wire.message.JoinGroupRequest;
import io.skiff.wire.message.JoinGroupResponse;
import io.skiff.wire.message.LeaveGroupRequest;
import io.skiff.wire.message.LeaveGroupResponse;
import io.skiff.wire.message.ListGroupsResponse;
import io.skiff.wire.message.OffsetCommitRequest;
import io.skiff.wire.message.OffsetCommitResponse;
import io.skiff.wire.message.OffsetDeleteRequest;
import io.skiff.wire.message.OffsetDeleteResponse;
import io.skiff.wire.message.OffsetFetchRequest;
import io.skiff.wire.message.OffsetFetchResponse;
import io.skiff.wire.message.SyncGroupRequest;
import io.skiff.wire.message.SyncGroupResponse;
import io.skiff.wire.message.TxnOffsetCommitRequest;
import io.skiff.wire.message.TxnOffsetCommitResponse;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import io.skiff.wire.util.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The group coordinator state of one {@code __consumer_offsets} partition: its groups and
 * committed offsets, the replay of every record type Kafka writes there, and one method per
 * operation (each run by the shard runtime on the shard's thread with an
 * {@link OperationContext}). The protocol logic lives in {@link ClassicGroupHandler},
 * {@link ConsumerGroupHandler}, {@link ClassicMembersHandler} (classic-protocol requests to a
 * consumer group) and {@link OffsetHandler}; this class routes and replays.
 * Shard-thread only.
 */
public final class GroupCoordinatorShard implements CoordinatorStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCoordinatorShard.class);
    static final String EXPIRATION_TIMER = "offsets-expiration";

    private final int partition;
    private final GroupCoordinatorConfig config;
    private final GroupMetrics metrics;
    private final Clock clock;
    private final GroupStore groups = new GroupStore();
    private final OffsetStore offsets = new OffsetStore();
    private final ClassicGroupHandler classic;
    private final ConsumerGroupHandler consumer;
    private final ClassicMembersHandler classicMembers;
    private final OffsetHandler offsetHandler;
    private final Replayer replayer = new Replayer();

    public GroupCoordinatorShard(
            int partition,
            GroupCoordinatorConfig config,
            TopicsView topics,
            GroupMetrics metrics,
            Map<String, PartitionAssignor> assignors,
            Clock clock) {
        this.partition = partition;
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
        this.classic = new ClassicGroupHandler(groups, config, metrics);
        this.consumer = new ConsumerGroupHandler(groups, config, topics, metrics, assignors, classic);
        this.classicMembers = new ClassicMembersHandler(consumer);
        this.offsetHandler = new OffsetHandler(groups, offsets, config, topics, classic);
    }

    public int partition() {
        return partition;
    }

    /** The groups (for tests and diagnostics; shard thread only). */
    public GroupStore groups() {
        return groups;
    }

    /** The offsets (for tests and diagnostics; shard thread only). */
    public OffsetStore offsets() {
        return offsets;
    }

    // -------------------------------------------------------------------------------------------
    // Replay.

    /**
     * Applies one record through {@link GroupRecordType#dispatch}; types this coordinator does not
     * know (share and streams groups) are skipped. The offset and producer matter to offset
     * commits: one of a transactional batch is pending until its producer's marker, and the record
     * offset orders transactional and plain commits of a partition.
     */
    @Override
    public void replay(long offset, long producerId, short producerEpoch, CoordinatorRecord record) {
        GroupRecordType type = GroupRecordType.of(record.type());
        if (type == null) {
            LOG.debug("Partition {}: ignoring record of type {}", partition, record.type());
            return;
        }
        replayer.recordOffset = offset;
        replayer.producerId = producerId;
        type.dispatch(record, replayer);
    }

    /**
     * A transaction marker settles the producer's pending transactional offset commits: a commit
     * makes them the committed offsets, an abort drops them (the producer epoch is not checked, as
     * in Kafka: the transaction coordinator only writes markers of the current epoch).
     */
    @Override
    public void replayEndTransactionMarker(long offset, long producerId, short producerEpoch, boolean commit) {
        LOG.debug(
                "Partition {}: {} marker of producer {} at offset {}",
                partition,
                commit ? "commit" : "abort",
                producerId,
                offset);
        offsets.replayEndTransactionMarker(producerId, commit);
    }

    private ConsumerGroup consumerGroupForReplay(String groupId) {
        Group existing = groups.group(groupId);
        if (existing instanceof ConsumerGroup) {
            return (ConsumerGroup) existing;
        }
        if (existing != null && !existing.isEmpty()) {
            throw new IllegalStateException(
                    "consumer group record for " + groupId + ", which is a non-empty " + existing.type() + " group");
        }
        ConsumerGroup group = new ConsumerGroup(groupId, metrics);
        groups.putConsumerGroup(group);
        return group;
    }

    /** The replay of each record type: the only place durable group and offset state changes. */
    private final class Replayer implements GroupRecordHandler {
        /** The offset and batch producer of the record being replayed. */
        long recordOffset;

        long producerId = CoordinatorLog.NO_PRODUCER_ID;

        @Override
        public void offsetCommit(OffsetCommitKey key, OffsetCommitValue value) {
            if (value != null && groups.group(key.group()) == null) {
                // Offsets without a group belong to a "simple" group: an empty classic group without protocol.
                groups.putClassicGroup(
                        new ClassicGroup(key.group(), ClassicGroupState.EMPTY, clock.milliseconds(), metrics));
            }
            offsets.replay(recordOffset, producerId, key, value);
        }

        @Override
        public void groupMetadata(GroupMetadataKey key, GroupMetadataValue value) {
            String groupId = key.group();
            Group existing = groups.group(groupId);
            if (value == null) {
                if (existing instanceof ClassicGroup) {
                    ClassicGroup g = (ClassicGroup) existing;
                    if (!g.isInState(ClassicGroupState.DEAD)) {
                        g.transitionTo(ClassicGroupState.DEAD, clock.milliseconds());
                    }
                    groups.remove(groupId);
                }
                return;
            }
            if (existing instanceof ClassicGroup && ((ClassicGroup) existing).isPersistedBy(value)) {
                ((ClassicGroup) existing).applyPersisted(value, clock.milliseconds());
                return;
            }
            groups.putClassicGroup(ClassicGroup.fromRecord(groupId, value, clock.milliseconds(), metrics));
        }

        @Override
        public void consumerGroupMetadata(ConsumerGroupMetadataKey key, ConsumerGroupMetadataValue value) {
            if (value != null) {
                consumerGroupForReplay(key.groupId()).setGroupEpoch(value.epoch(), value.metadataHash());
            } else if (groups.consumerGroupOrNull(key.groupId()) != null) {
                groups.remove(key.groupId());
            }
        }

        @Override
        public void consumerGroupPartitionMetadata(
                ConsumerGroupPartitionMetadataKey key, ConsumerGroupPartitionMetadataValue value) {
            // Replaced by the metadata hash since Kafka 4.1; nothing to keep.
        }

        /** A builder from the member's replayed state, or a new member's when it has none yet. */
        private ConsumerGroupMember.Builder memberBuilder(ConsumerGroup group, String memberId) {
            ConsumerGroupMember old = group.member(memberId);
            return old == null ? new ConsumerGroupMember.Builder(memberId) : new ConsumerGroupMember.Builder(old);
        }

        @Override
        public void consumerGroupMemberMetadata(
                ConsumerGroupMemberMetadataKey key, ConsumerGroupMemberMetadataValue value) {
            if (value != null) {
                ConsumerGroup group = consumerGroupForReplay(key.groupId());
                ConsumerGroupMember.Builder b = memberBuilder(group, key.memberId());
                group.updateMember(b.updateWith(value).build());
            } else {
                ConsumerGroup group = groups.consumerGroupOrNull(key.groupId());
                if (group != null) {
                    group.removeMember(key.memberId());
                }
            }
        }

        @Override
        public void consumerGroupTargetAssignmentMetadata(
                ConsumerGroupTargetAssignmentMetadataKey key, ConsumerGroupTargetAssignmentMetadataValue value) {
            if (value != null) {
                consumerGroupForReplay(key.groupId())
                        .setTargetAssignmentEpoch(value.assignmentEpoch(), value.assignmentTimestamp());
            }
        }

        @Override
        public void consumerGroupTargetAssignmentMember(
                ConsumerGroupTargetAssignmentMemberKey key, ConsumerGroupTargetAssignmentMemberValue value) {
            if (value != null) {
                Map<Uuid, Set<Integer>> assignment = new TreeMap<>();
                for (ConsumerGroupTargetAssignmentMemberValue.TopicPartition tp : value.topicPartitions()) {
                    if (!tp.partitions().isEmpty()) {
                        assignment
                                .computeIfAbsent(tp.topicId(), k -> new TreeSet<>())
                                .addAll(tp.partitions());
                    }
                }
                consumerGroupForReplay(key.groupId()).setTargetAssignment(key.memberId(), assignment);
            } else {
                ConsumerGroup group = groups.consumerGroupOrNull(key.groupId());
                if (group != null) {
                    group.removeTargetAssignment(key.memberId());
                }
            }
        }

        @Override
        public void consumerGroupCurrentMemberAssignment(
                ConsumerGroupCurrentMemberAssignmentKey key, ConsumerGroupCurrentMemberAssignmentValue value) {
            if (value != null) {
                ConsumerGroup group = consumerGroupForReplay(key.groupId());
                ConsumerGroupMember.Builder b = memberBuilder(group, key.memberId());
                group.updateMember(b.updateWith(value).build());
            } else {
                ConsumerGroup group = groups.consumerGroupOrNull(key.groupId());
                ConsumerGroupMember old = group == null ? null : group.member(key.memberId());
                if (old != null) {
                    group.updateMember(new ConsumerGroupMember.Builder(old)
                            .memberEpoch(ConsumerGroupMember.LEAVE_GROUP_MEMBER_EPOCH)
                            .previousMemberEpoch(ConsumerGroupMember.LEAVE_GROUP_MEMBER_EPOCH)
                            .assignedPartitions(Map.of())
                            .partitionsPendingRevocation(Map.of())
                            .build());
                }
            }
        }

        @Override
        public void consumerGroupRegularExpression(
                ConsumerGroupRegularExpressionKey key, ConsumerGroupRegularExpressionValue value) {
            if (value != null) {
                consumerGroupForReplay(key.groupId())
                        .setResolvedRegex(
                                key.regularExpression(),
                                new ConsumerGroup.ResolvedRegex(
                                        new HashSet<>(value.topics()), value.version(), value.timestamp()));
            } else {
                ConsumerGroup group = groups.consumerGroupOrNull(key.groupId());
                if (group != null) {
                    group.setResolvedRegex(key.regularExpression(), null);
                }
            }
        }
    }

    // -------------------------------------------------------------------------------------------
    // Load and unload.

    @Override
    public void onLoaded(OperationContext ctx) {
        classic.onLoaded(ctx);
        consumer.onLoaded(ctx);
        scheduleExpiration(ctx);
        LOG.atLevel(groups.size() + offsets.numOffsets() == 0 ? Level.DEBUG : Level.INFO)
                .log(
                        "Partition {}: {} groups, {} offsets, {} open transactions with pending offsets",
                        partition,
                        groups.size(),
                        offsets.numOffsets(),
                        offsets.producersWithPendingOffsets().size());
    }

    @Override
    public void onUnloaded(Errors error) {
        classic.onUnloaded(error);
    }

    private void scheduleExpiration(OperationContext ctx) {
        ctx.schedule(EXPIRATION_TIMER, config.offsetsRetentionCheckIntervalMs(), c -> {
            expireOffsetsAndGroups(c);
            scheduleExpiration(c);
        });
    }

    /** Expires offsets past retention and deletes empty groups left without offsets. */
    public void expireOffsetsAndGroups(OperationContext ctx) {
        for (String groupId : groups.groupIds()) {
            Group group = groups.group(groupId);
            if (group == null) {
                continue;
            }
            boolean noOffsetsLeft = offsetHandler.expireOffsets(ctx, group);
            Group after = groups.group(groupId);
            if (noOffsetsLeft && after != null && after.isEmpty()) {
                LOG.info("Partition {}: deleting empty group {} (no offsets left)", partition, groupId);
                appendGroupTombstones(ctx, after);
            }
        }
    }

    private void appendGroupTombstones(OperationContext ctx, Group group) {
        if (group instanceof ClassicGroup) {
            ctx.append(GroupRecords.groupMetadataTombstone(group.groupId()));
        } else {
            for (CoordinatorRecord r : ConsumerGroupHandler.deletionRecords((ConsumerGroup) group)) {
                ctx.append(r);
            }
        }
    }

    // -------------------------------------------------------------------------------------------
    // Operations.

    /**
     * JoinGroup; the response goes to {@code future}. A consumer group with members serves it
     * for a member using the classic protocol; an empty one becomes a classic group first.
     */
    public Void joinGroup(
            OperationContext ctx,
            RequestContext rc,
            JoinGroupRequest request,
            CompletableFuture<JoinGroupResponse> future) {
        Group existing = groups.group(request.groupId());
        if (existing instanceof ConsumerGroup) {
            if (!existing.isEmpty()) {
                classicMembers.join(ctx, rc, request, (ConsumerGroup) existing, future);
                return null;
            }
            // An empty consumer group becomes a classic group.
            LOG.info(
                    "Partition {}: converting the empty consumer group {} to a classic group",
                    partition,
                    request.groupId());
            appendGroupTombstones(ctx, existing);
        }
        classic.join(ctx, rc, request, future);
        return null;
    }

    /** SyncGroup; the response goes to {@code future}. */
    public Void syncGroup(OperationContext ctx, SyncGroupRequest request, CompletableFuture<SyncGroupResponse> future) {
        Group existing = groups.group(request.groupId());
        if (existing instanceof ConsumerGroup && !existing.isEmpty()) {
            classicMembers.sync(ctx, request, (ConsumerGroup) existing, future);
        } else {
            classic.sync(ctx, request, future);
        }
        return null;
    }

    public HeartbeatResponse heartbeat(OperationContext ctx, HeartbeatRequest request) {
        Group existing = groups.group(request.groupId());
        if (existing instanceof ConsumerGroup) {
            return classicMembers.heartbeat(ctx, request, (ConsumerGroup) existing);
        }
        return classic.heartbeat(ctx, request);
    }

    public LeaveGroupResponse leaveGroup(
            OperationContext ctx, String groupId, List<LeaveGroupRequest.MemberIdentity> members) {
        Group existing = groups.group(groupId);
        if (existing instanceof ConsumerGroup) {
            return classicMembers.leave(ctx, (ConsumerGroup) existing, members);
        }
        return classic.leave(ctx, groupId, members);
    }

    public OffsetCommitResponse commitOffsets(OperationContext ctx, RequestContext rc, OffsetCommitRequest request) {
        OffsetCommitResponse response = offsetHandler.commit(ctx, rc, request);
        offsetHandler.afterCommit(ctx, request);
        return response;
    }

    /** TxnOffsetCommit: the offsets are pending in the producer's transaction until its marker. */
    public TxnOffsetCommitResponse commitTransactionalOffsets(OperationContext ctx, TxnOffsetCommitRequest request) {
        return offsetHandler.commitTransactional(ctx, request);
    }

    /**
     * Ends a producer's transaction in this partition: writes the marker, whose replay commits or
     * aborts the producer's pending offsets.
     */
    public Errors completeTransaction(
            OperationContext ctx, long producerId, short producerEpoch, int coordinatorEpoch, boolean commit) {
        LOG.debug(
                "Partition {}: writing the {} marker of producer {} epoch {}",
                partition,
                commit ? "commit" : "abort",
                producerId,
                producerEpoch);
        ctx.appendEndTransactionMarker(producerId, producerEpoch, coordinatorEpoch, commit);
        return Errors.NONE;
    }

    /**
     * OffsetFetch of one group; with {@code requireStable}, partitions with pending transactional
     * offsets are answered UNSTABLE_OFFSET_COMMIT.
     */
    public OffsetFetchResponse.OffsetFetchResponseGroup fetchOffsets(
            RequestContext rc, OffsetFetchRequest.OffsetFetchRequestGroup request, boolean requireStable) {
        return offsetHandler.fetch(rc, request, requireStable);
    }

    public OffsetDeleteResponse deleteOffsets(OperationContext ctx, OffsetDeleteRequest request) {
        return offsetHandler.delete(ctx, request);
    }

    public ConsumerGroupHeartbeatResponse consumerGroupHeartbeat(
            OperationContext ctx, RequestContext rc, ConsumerGroupHeartbeatRequest request) {
        return consumer.heartbeat(ctx, rc, request);
    }

    public List<ConsumerGroupDescribeResponse.DescribedGroup> consumerGroupDescribe(List<String> groupIds) {
        List<ConsumerGroupDescribeResponse.DescribedGroup> out = new ArrayList<>();
        for (String groupId : groupIds) {
            out.add(consumer.describe(groupId));
        }
        return out;
    }

    /** ListGroups on this shard: filters are case-insensitive; an unknown type matches nothing. */
    public List<ListGroupsResponse.ListedGroup> listGroups(
            Collection<String> statesFilter, Collection<String> typesFilter) {
        Set<String> states = new HashSet<>();
        for (String s : statesFilter) {
            states.add(s.trim().toLowerCase(Locale.ROOT));
        }
        Set<String> types = new HashSet<>();
        for (String t : typesFilter) {
            Group.Type type = Group.Type.parse(t);
            types.add(type == null ? "unknown" : type.toString());
        }
        List<ListGroupsResponse.ListedGroup> out = new ArrayList<>();
        for (Group g : groups.all()) {
            boolean stateOk =
                    states.isEmpty() || states.contains(g.stateAsString().toLowerCase(Locale.ROOT));
            boolean typeOk = types.isEmpty() || types.contains(g.type().toString());
            if (stateOk && typeOk) {
                out.add(g.asListedGroup());
            }
        }
        return out;
    }

    /** DescribeGroups (classic groups) on this shard. */
    public List<DescribeGroupsResponse.DescribedGroup> describeGroups(short apiVersion, List<String> groupIds) {
        List<DescribeGroupsResponse.DescribedGroup> out = new ArrayList<>();
        for (String groupId : groupIds) {
            Group any = groups.group(groupId);
            if (!(any instanceof ClassicGroup)) {
                DescribeGroupsResponse.DescribedGroup dead = new DescribeGroupsResponse.DescribedGroup()
                        .setGroupId(groupId)
                        .setGroupState(ClassicGroupState.DEAD.toString());
                if (apiVersion >= 6) {
                    dead.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code)
                            .setErrorMessage(
                                    any == null
                                            ? "Group " + groupId + " not found."
                                            : "Group " + groupId + " is not a classic group.");
                }
                out.add(dead);
                continue;
            }
            ClassicGroup g = (ClassicGroup) any;
            List<DescribeGroupsResponse.DescribedGroupMember> members = new ArrayList<>();
            boolean stable = g.isInState(ClassicGroupState.STABLE);
            for (ClassicGroupMember m : g.allMembers()) {
                members.add(new DescribeGroupsResponse.DescribedGroupMember()
                        .setMemberId(m.memberId())
                        .setGroupInstanceId(m.groupInstanceId())
                        .setClientId(m.clientId())
                        .setClientHost(m.clientHost())
                        .setMemberMetadata(stable ? m.metadata(g.protocolName()) : new byte[0])
                        .setMemberAssignment(m.assignment()));
            }
            out.add(new DescribeGroupsResponse.DescribedGroup()
                    .setGroupId(groupId)
                    .setGroupState(g.stateAsString())
                    .setProtocolType(g.protocolType() == null ? "" : g.protocolType())
                    .setProtocolData(stable ? g.protocolName() : "")
                    .setMembers(members));
        }
        return out;
    }

    /** DeleteGroups on this shard: empty groups lose their offsets and their records. */
    public List<DeleteGroupsResponse.DeletableGroupResult> deleteGroups(OperationContext ctx, List<String> groupIds) {
        List<DeleteGroupsResponse.DeletableGroupResult> out = new ArrayList<>();
        for (String groupId : groupIds) {
            Errors error = Errors.NONE;
            Group g = groups.group(groupId);
            if (g == null || (g instanceof ClassicGroup && ((ClassicGroup) g).isInState(ClassicGroupState.DEAD))) {
                error = Errors.GROUP_ID_NOT_FOUND;
            } else if (!g.isEmpty()) {
                error = Errors.NON_EMPTY_GROUP;
            } else {
                offsetHandler.deleteAllOffsets(ctx, groupId);
                Group stillThere = groups.group(groupId);
                if (stillThere != null) {
                    appendGroupTombstones(ctx, stillThere);
                }
                LOG.info("Partition {}: deleted group {}", partition, groupId);
            }
            out.add(new DeleteGroupsResponse.DeletableGroupResult()
                    .setGroupId(groupId)
                    .setErrorCode(error.code));
        }
        return out;
    }

    /** Re-evaluates consumer groups after a topic change. */
    public Void onTopicsChanged(OperationContext ctx) {
        consumer.onTopicsChanged(ctx);
        return null;
    }

    /** Deletes the offsets of deleted topics. */
    public Void onTopicsDeleted(OperationContext ctx, Collection<String> topicNames) {
        offsetHandler.onTopicsDeleted(ctx, topicNames);
        consumer.onTopicsChanged(ctx);
        return null;
    }
}
