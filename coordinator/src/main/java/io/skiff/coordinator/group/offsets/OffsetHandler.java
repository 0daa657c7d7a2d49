package io.skiff.coordinator.group.offsets;

import io.skiff.coordinator.group.Group;
import io.skiff.coordinator.group.GroupCoordinatorConfig;
import io.skiff.coordinator.group.GroupRecords;
import io.skiff.coordinator.group.GroupStore;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.coordinator.group.TopicsView;
import io.skiff.coordinator.group.classic.ClassicGroup;
import io.skiff.coordinator.group.classic.ClassicGroupHandler;
import io.skiff.coordinator.group.classic.ClassicGroupState;
import io.skiff.coordinator.group.consumer.ConsumerGroup;
import io.skiff.coordinator.group.consumer.ConsumerGroupMember;
import io.skiff.coordinator.runtime.CoordinatorException;
import io.skiff.coordinator.runtime.OperationContext;
import io.skiff.wire.message.OffsetCommitRequest;
import io.skiff.wire.message.OffsetCommitResponse;
import io.skiff.wire.message.OffsetDeleteRequest;
import io.skiff.wire.message.OffsetDeleteResponse;
import io.skiff.wire.message.OffsetFetchRequest;
import io.skiff.wire.message.OffsetFetchResponse;
import io.skiff.wire.message.TxnOffsetCommitRequest;
import io.skiff.wire.message.TxnOffsetCommitResponse;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offsets on one shard: OffsetCommit, TxnOffsetCommit (offsets pending in a producer's
 * transaction until its marker), OffsetFetch, OffsetDelete, and the periodic expiry of offsets
 * ({@code offsets.retention.minutes}) that also removes empty groups whose offsets are all gone
 * (never an offset, nor a group, that an open transaction still holds offsets for). Also checks
 * that committed topics and partitions exist, which Kafka does in its request handler (the
 * group coordinator does it for TxnOffsetCommit). Shard-thread only.
 */
public final class OffsetHandler {
    private static final Logger LOG = LoggerFactory.getLogger(OffsetHandler.class);
    /** The retention time of OffsetCommit v2-v4 meaning "use the broker's". */
    private static final long DEFAULT_RETENTION_TIME = -1L;
    /** The generation of a TxnOffsetCommit without group metadata (Kafka's UNKNOWN_GENERATION_ID). */
    private static final int UNKNOWN_GENERATION = -1;

    private final GroupStore store;
    private final OffsetStore offsets;
    private final GroupCoordinatorConfig config;
    private final TopicsView topics;
    private final ClassicGroupHandler classic;

    public OffsetHandler(
            GroupStore store,
            OffsetStore offsets,
            GroupCoordinatorConfig config,
            TopicsView topics,
            ClassicGroupHandler classic) {
        this.store = store;
        this.offsets = offsets;
        this.config = config;
        this.topics = topics;
        this.classic = classic;
    }

    // -------------------------------------------------------------------------------------------
    // OffsetCommit.

    /**
     * Handles an OffsetCommit. Group-level failures are thrown as {@link CoordinatorException}s
     * (every partition of the request gets the error); unknown topics and partitions and
     * oversized metadata are reported per partition.
     */
    public OffsetCommitResponse commit(OperationContext ctx, RequestContext rc, OffsetCommitRequest request) {
        boolean byId = rc.apiVersion() >= 10;
        // Partitions of unknown topics are answered without consulting the group, as Kafka does.
        List<OffsetCommitResponse.OffsetCommitResponseTopic> responseTopics = new ArrayList<>();
        boolean anyValid = false;
        List<String> names = new ArrayList<>();
        for (OffsetCommitRequest.OffsetCommitRequestTopic t : request.topics()) {
            String name = byId ? topics.topicName(t.topicId()) : t.name();
            names.add(name);
            int numPartitions = name == null ? -1 : topics.numPartitions(name);
            for (OffsetCommitRequest.OffsetCommitRequestPartition p : t.partitions()) {
                if (numPartitions >= 0 && p.partitionIndex() >= 0 && p.partitionIndex() < numPartitions) {
                    anyValid = true;
                }
            }
        }
        ConsumerGroupMember olderEpochMember = anyValid ? validateCommit(rc, request) : null;

        long nowMs = ctx.nowMs();
        long expireTimestampMs =
                request.retentionTimeMs() == DEFAULT_RETENTION_TIME ? -1L : nowMs + request.retentionTimeMs();
        int i = 0;
        for (OffsetCommitRequest.OffsetCommitRequestTopic t : request.topics()) {
            String name = names.get(i++);
            Uuid topicId = name == null ? null : topics.topicId(name);
            int numPartitions = name == null ? -1 : topics.numPartitions(name);
            OffsetCommitResponse.OffsetCommitResponseTopic rt = new OffsetCommitResponse.OffsetCommitResponseTopic();
            if (byId) {
                rt.setTopicId(t.topicId());
            } else {
                rt.setName(t.name());
            }
            for (OffsetCommitRequest.OffsetCommitRequestPartition p : t.partitions()) {
                Errors error;
                if (name == null) {
                    error = byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
                } else if (numPartitions < 0 || p.partitionIndex() < 0 || p.partitionIndex() >= numPartitions) {
                    error = Errors.UNKNOWN_TOPIC_OR_PARTITION;
                } else if (olderEpochMember != null
                        && !assignedAtOrBefore(
                                olderEpochMember, topicId, p.partitionIndex(), request.generationIdOrMemberEpoch())) {
                    error = olderEpochMember.useClassicProtocol()
                            ? Errors.ILLEGAL_GENERATION
                            : Errors.STALE_MEMBER_EPOCH;
                } else if (p.committedMetadata() != null
                        && p.committedMetadata().length() > config.offsetMetadataMaxBytes()) {
                    error = Errors.OFFSET_METADATA_TOO_LARGE;
                } else {
                    error = Errors.NONE;
                    ctx.append(GroupRecords.offsetCommit(
                            request.groupId(),
                            name,
                            p.partitionIndex(),
                            p.committedOffset(),
                            p.committedLeaderEpoch(),
                            p.committedMetadata(),
                            nowMs,
                            expireTimestampMs,
                            topicId));
                }
                rt.partitions()
                        .add(new OffsetCommitResponse.OffsetCommitResponsePartition()
                                .setPartitionIndex(p.partitionIndex())
                                .setErrorCode(error.code));
            }
            responseTopics.add(rt);
        }
        return new OffsetCommitResponse().setTopics(responseTopics);
    }

    /**
     * Kafka's group checks of an OffsetCommit. Returns the consumer group member when it commits
     * with an epoch older than its current one: since Kafka 4.3 (KIP-1251) such a commit is
     * accepted for the partitions the member got at or before that epoch, partition by partition.
     */
    private ConsumerGroupMember validateCommit(RequestContext rc, OffsetCommitRequest request) {
        Group group = store.group(request.groupId());
        int generation = request.generationIdOrMemberEpoch();
        if (group == null) {
            if (generation < 0) {
                // A "simple" group that only stores offsets; replaying the commit creates it.
                return null;
            }
            if (rc.apiVersion() >= 9) {
                throw new CoordinatorException(Errors.GROUP_ID_NOT_FOUND, "Group " + request.groupId() + " not found.");
            }
            throw new CoordinatorException(Errors.ILLEGAL_GENERATION);
        }
        if (group instanceof ClassicGroup) {
            ((ClassicGroup) group).validateOffsetCommit(request.memberId(), request.groupInstanceId(), generation);
            return null;
        }
        ConsumerGroup g = (ConsumerGroup) group;
        if (generation < 0 && g.numMembers() == 0) {
            return null;
        }
        ConsumerGroupMember member = g.member(request.memberId());
        if (member == null) {
            throw new CoordinatorException(
                    Errors.UNKNOWN_MEMBER_ID,
                    "Member " + request.memberId() + " is not a member of group " + g.groupId() + ".");
        }
        if (!member.useClassicProtocol() && rc.apiVersion() < 9) {
            throw new CoordinatorException(
                    Errors.UNSUPPORTED_VERSION,
                    "OffsetCommit version 9 or above must be used by members using the consumer group protocol");
        }
        if (generation == member.memberEpoch()) {
            return null;
        }
        if (generation > member.memberEpoch()) {
            if (member.useClassicProtocol()) {
                throw new CoordinatorException(
                        Errors.ILLEGAL_GENERATION,
                        "Received generation id " + generation + " is newer than current member epoch "
                                + member.memberEpoch() + ".");
            }
            throw new CoordinatorException(
                    Errors.STALE_MEMBER_EPOCH,
                    "Received member epoch " + generation + " is newer than current member epoch "
                            + member.memberEpoch() + ".");
        }
        return member;
    }

    private static void validateMemberEpoch(int received, ConsumerGroupMember member) {
        if (received != member.memberEpoch()) {
            if (member.useClassicProtocol()) {
                throw new CoordinatorException(
                        Errors.ILLEGAL_GENERATION,
                        "The received generation id " + received + " does not match the expected member epoch "
                                + member.memberEpoch() + ".");
            }
            throw new CoordinatorException(
                    Errors.STALE_MEMBER_EPOCH,
                    "The received member epoch " + received + " does not match the expected member epoch "
                            + member.memberEpoch() + ".");
        }
    }

    /** Whether the member holds the partition (assigned or pending revocation) since at most {@code epoch}. */
    private static boolean assignedAtOrBefore(ConsumerGroupMember member, Uuid topicId, int partition, int epoch) {
        if (topicId == null) {
            return false;
        }
        Integer assignedAt =
                member.assignedPartitions().getOrDefault(topicId, Map.of()).get(partition);
        if (assignedAt == null) {
            assignedAt = member.partitionsPendingRevocation()
                    .getOrDefault(topicId, Map.of())
                    .get(partition);
        }
        return assignedAt != null && epoch >= assignedAt;
    }

    /** Keeps the committing classic member's session alive, as Kafka does in Stable and PreparingRebalance. */
    public void afterCommit(OperationContext ctx, OffsetCommitRequest request) {
        Group group = store.group(request.groupId());
        if (group instanceof ClassicGroup) {
            ClassicGroup g = (ClassicGroup) group;
            if (g.isInState(ClassicGroupState.STABLE) || g.isInState(ClassicGroupState.PREPARING_REBALANCE)) {
                classic.rescheduleHeartbeat(ctx, g, request.memberId());
            }
        }
    }

    // -------------------------------------------------------------------------------------------
    // TxnOffsetCommit.

    /**
     * Handles a TxnOffsetCommit whose topics and partitions exist: the offsets are appended as
     * records of the producer's transaction, pending until its marker. Group fencing failures
     * (KIP-447) are thrown as {@link CoordinatorException}s, so every partition gets the error, as
     * Kafka answers; oversized metadata is reported per partition.
     */
    public TxnOffsetCommitResponse commitTransactional(OperationContext ctx, TxnOffsetCommitRequest request) {
        ConsumerGroupMember olderEpochMember = validateTransactionalCommit(request);
        if (olderEpochMember != null) {
            // KIP-1251: an older epoch commits only partitions the member got at or before it.
            for (TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic t : request.topics()) {
                for (TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition p : t.partitions()) {
                    if (!metadataTooLarge(p.committedMetadata())
                            && !assignedAtOrBefore(
                                    olderEpochMember,
                                    topics.topicId(t.name()),
                                    p.partitionIndex(),
                                    request.generationId())) {
                        throw new CoordinatorException(
                                Errors.ILLEGAL_GENERATION,
                                "Member " + olderEpochMember.memberId() + " does not own " + t.name() + "-"
                                        + p.partitionIndex() + " at epoch " + request.generationId() + ".");
                    }
                }
            }
        }
        long nowMs = ctx.nowMs();
        List<TxnOffsetCommitResponse.TxnOffsetCommitResponseTopic> out = new ArrayList<>();
        for (TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic t : request.topics()) {
            TxnOffsetCommitResponse.TxnOffsetCommitResponseTopic rt =
                    new TxnOffsetCommitResponse.TxnOffsetCommitResponseTopic().setName(t.name());
            for (TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition p : t.partitions()) {
                Errors error = Errors.NONE;
                if (metadataTooLarge(p.committedMetadata())) {
                    error = Errors.OFFSET_METADATA_TOO_LARGE;
                } else {
                    ctx.appendTransactional(
                            request.producerId(),
                            request.producerEpoch(),
                            GroupRecords.offsetCommit(
                                    request.groupId(),
                                    t.name(),
                                    p.partitionIndex(),
                                    p.committedOffset(),
                                    p.committedLeaderEpoch(),
                                    p.committedMetadata(),
                                    nowMs,
                                    -1L,
                                    null));
                }
                rt.partitions()
                        .add(new TxnOffsetCommitResponse.TxnOffsetCommitResponsePartition()
                                .setPartitionIndex(p.partitionIndex())
                                .setErrorCode(error.code));
            }
            out.add(rt);
        }
        return new TxnOffsetCommitResponse().setTopics(out);
    }

    private boolean metadataTooLarge(String metadata) {
        return metadata != null && metadata.length() > config.offsetMetadataMaxBytes();
    }

    /**
     * Kafka's group checks of a TxnOffsetCommit (KIP-447 fencing). Returns the consumer group
     * member when it commits with an epoch older than its current one (then each partition is
     * checked); every refusal of an epoch is ILLEGAL_GENERATION, the error this API has for it.
     */
    private ConsumerGroupMember validateTransactionalCommit(TxnOffsetCommitRequest request) {
        Group group = store.group(request.groupId());
        int generation = request.generationId();
        if (group == null) {
            if (generation < 0) {
                // A "simple" group that only stores offsets; replaying the commit creates it.
                return null;
            }
            throw new CoordinatorException(Errors.ILLEGAL_GENERATION);
        }
        if (group instanceof ClassicGroup) {
            ((ClassicGroup) group)
                    .validateOffsetCommit(request.memberId(), request.groupInstanceId(), generation, true);
            return null;
        }
        ConsumerGroup g = (ConsumerGroup) group;
        if (generation < 0 && g.numMembers() == 0) {
            return null;
        }
        if (generation == UNKNOWN_GENERATION && request.memberId().isEmpty() && request.groupInstanceId() == null) {
            // The producer was given no group metadata: nothing to fence it with.
            return null;
        }
        ConsumerGroupMember member = g.member(request.memberId());
        if (member == null) {
            throw new CoordinatorException(
                    Errors.UNKNOWN_MEMBER_ID,
                    "Member " + request.memberId() + " is not a member of group " + g.groupId() + ".");
        }
        if (generation > member.memberEpoch()) {
            throw new CoordinatorException(
                    Errors.ILLEGAL_GENERATION,
                    "Received member epoch " + generation + " is newer than current member epoch "
                            + member.memberEpoch() + ".");
        }
        return generation == member.memberEpoch() ? null : member;
    }

    // -------------------------------------------------------------------------------------------
    // OffsetFetch.

    /**
     * Fetches the offsets of one group (all of them when {@code request.topics()} is null). A
     * group-level failure is returned as the group's error code. Pending transactional offsets are
     * never returned; with {@code requireStable} a partition that has some is answered
     * UNSTABLE_OFFSET_COMMIT (without an offset), as Kafka does, so that the client retries.
     */
    public OffsetFetchResponse.OffsetFetchResponseGroup fetch(
            RequestContext rc, OffsetFetchRequest.OffsetFetchRequestGroup request, boolean requireStable) {
        boolean byId = rc.apiVersion() >= 10;
        OffsetFetchResponse.OffsetFetchResponseGroup response =
                new OffsetFetchResponse.OffsetFetchResponseGroup().setGroupId(request.groupId());
        boolean groupKnown;
        try {
            groupKnown = validateFetch(request);
        } catch (CoordinatorException e) {
            return response.setErrorCode(e.error().code);
        }
        String groupId = request.groupId();
        List<OffsetFetchResponse.OffsetFetchResponseTopics> out = new ArrayList<>();
        if (request.topics() == null) {
            if (groupKnown) {
                for (Map.Entry<String, Map<Integer, OffsetAndMetadata>> t :
                        offsets.offsets(groupId).entrySet()) {
                    OffsetFetchResponse.OffsetFetchResponseTopics rt =
                            new OffsetFetchResponse.OffsetFetchResponseTopics();
                    if (byId) {
                        Uuid id = topics.topicId(t.getKey());
                        if (id == null) {
                            continue;
                        }
                        rt.setTopicId(id);
                    } else {
                        rt.setName(t.getKey());
                    }
                    for (Map.Entry<Integer, OffsetAndMetadata> p : t.getValue().entrySet()) {
                        if (requireStable && offsets.hasPendingTransactionalOffsets(groupId, t.getKey(), p.getKey())) {
                            rt.partitions().add(unstable(p.getKey()));
                        } else {
                            rt.partitions().add(partition(p.getKey(), p.getValue()));
                        }
                    }
                    out.add(rt);
                }
            }
        } else {
            for (OffsetFetchRequest.OffsetFetchRequestTopics t : request.topics()) {
                OffsetFetchResponse.OffsetFetchResponseTopics rt = new OffsetFetchResponse.OffsetFetchResponseTopics();
                String name;
                if (byId) {
                    rt.setTopicId(t.topicId());
                    name = topics.topicName(t.topicId());
                } else {
                    rt.setName(t.name());
                    name = t.name();
                }
                for (Integer p : t.partitionIndexes()) {
                    if (name == null) {
                        rt.partitions().add(partition(p, null).setErrorCode(Errors.UNKNOWN_TOPIC_ID.code));
                    } else if (requireStable
                            && groupKnown
                            && offsets.hasPendingTransactionalOffsets(groupId, name, p)) {
                        rt.partitions().add(unstable(p));
                    } else {
                        rt.partitions().add(partition(p, groupKnown ? offsets.get(groupId, name, p) : null));
                    }
                }
                out.add(rt);
            }
        }
        return response.setTopics(out);
    }

    private static OffsetFetchResponse.OffsetFetchResponsePartitions unstable(int index) {
        return partition(index, null).setErrorCode(Errors.UNSTABLE_OFFSET_COMMIT.code);
    }

    private static OffsetFetchResponse.OffsetFetchResponsePartitions partition(int index, OffsetAndMetadata o) {
        OffsetFetchResponse.OffsetFetchResponsePartitions p =
                new OffsetFetchResponse.OffsetFetchResponsePartitions().setPartitionIndex(index);
        if (o == null) {
            return p.setCommittedOffset(-1L).setCommittedLeaderEpoch(-1).setMetadata("");
        }
        return p.setCommittedOffset(o.committedOffset)
                .setCommittedLeaderEpoch(o.leaderEpoch)
                .setMetadata(o.metadata);
    }

    /** Whether the group exists (offsets of unknown groups read as none); throws member errors. */
    private boolean validateFetch(OffsetFetchRequest.OffsetFetchRequestGroup request) {
        Group group = store.group(request.groupId());
        if (group == null) {
            return false;
        }
        if (group instanceof ClassicGroup) {
            return !((ClassicGroup) group).isInState(ClassicGroupState.DEAD);
        }
        ConsumerGroup g = (ConsumerGroup) group;
        if (request.memberId() == null && request.memberEpoch() < 0) {
            return true;
        }
        ConsumerGroupMember member = g.member(request.memberId());
        if (member == null) {
            throw new CoordinatorException(
                    Errors.UNKNOWN_MEMBER_ID,
                    "Member " + request.memberId() + " is not a member of group " + g.groupId() + ".");
        }
        validateMemberEpoch(request.memberEpoch(), member);
        return true;
    }

    // -------------------------------------------------------------------------------------------
    // OffsetDelete.

    /** Handles an OffsetDelete; group-level failures are thrown. */
    public OffsetDeleteResponse delete(OperationContext ctx, OffsetDeleteRequest request) {
        Group group = store.group(request.groupId());
        if (group == null) {
            throw new CoordinatorException(Errors.GROUP_ID_NOT_FOUND, "Group " + request.groupId() + " not found.");
        }
        if (group instanceof ClassicGroup) {
            ClassicGroup g = (ClassicGroup) group;
            switch (g.state()) {
                case DEAD:
                    throw new CoordinatorException(
                            Errors.GROUP_ID_NOT_FOUND, "Group " + g.groupId() + " is in dead state.");
                case STABLE:
                case PREPARING_REBALANCE:
                case COMPLETING_REBALANCE:
                    if (!g.usesConsumerProtocol()) {
                        throw new CoordinatorException(Errors.NON_EMPTY_GROUP);
                    }
                    break;
                default:
                    break;
            }
        }
        List<OffsetDeleteResponse.OffsetDeleteResponseTopic> out = new ArrayList<>();
        for (OffsetDeleteRequest.OffsetDeleteRequestTopic t : request.topics()) {
            OffsetDeleteResponse.OffsetDeleteResponseTopic rt =
                    new OffsetDeleteResponse.OffsetDeleteResponseTopic().setName(t.name());
            boolean subscribed = group.isSubscribedToTopic(t.name());
            for (OffsetDeleteRequest.OffsetDeleteRequestPartition p : t.partitions()) {
                Errors error = Errors.NONE;
                if (subscribed) {
                    error = Errors.GROUP_SUBSCRIBED_TO_TOPIC;
                } else if (offsets.get(request.groupId(), t.name(), p.partitionIndex()) != null
                        || offsets.hasPendingTransactionalOffsets(request.groupId(), t.name(), p.partitionIndex())) {
                    // As Kafka: the tombstone also drops the partition's pending transactional offsets.
                    ctx.append(GroupRecords.offsetCommitTombstone(request.groupId(), t.name(), p.partitionIndex()));
                }
                rt.partitions()
                        .add(new OffsetDeleteResponse.OffsetDeleteResponsePartition()
                                .setPartitionIndex(p.partitionIndex())
                                .setErrorCode(error.code));
            }
            out.add(rt);
        }
        return new OffsetDeleteResponse().setTopics(out);
    }

    /**
     * Appends tombstones for every offset of the group (DeleteGroups): the committed ones, and, as
     * Kafka does, those of partitions that only have pending transactional offsets (a tombstone
     * drops them; the transaction's marker then finds nothing to commit).
     */
    public void deleteAllOffsets(OperationContext ctx, String groupId) {
        List<String[]> keys = new ArrayList<>();
        for (Map.Entry<String, Map<Integer, OffsetAndMetadata>> t :
                offsets.offsets(groupId).entrySet()) {
            for (Integer p : t.getValue().keySet()) {
                keys.add(new String[] {t.getKey(), Integer.toString(p)});
            }
        }
        for (Map.Entry<String, Map<Integer, Set<Long>>> t :
                offsets.pendingPartitions(groupId).entrySet()) {
            for (Integer p : t.getValue().keySet()) {
                if (offsets.get(groupId, t.getKey(), p) == null) {
                    keys.add(new String[] {t.getKey(), Integer.toString(p)});
                }
            }
        }
        for (String[] k : keys) {
            ctx.append(GroupRecords.offsetCommitTombstone(groupId, k[0], Integer.parseInt(k[1])));
        }
    }

    /**
     * Appends tombstones for every offset of the deleted topics, in every group, pending
     * transactional ones included.
     */
    public void onTopicsDeleted(OperationContext ctx, Collection<String> deletedTopics) {
        Set<String> groupIds = new TreeSet<>(offsets.groupIds());
        groupIds.addAll(offsets.groupIdsWithPendingOffsets());
        for (String groupId : groupIds) {
            for (String topic : deletedTopics) {
                Set<Integer> partitions = new TreeSet<>();
                Map<Integer, OffsetAndMetadata> committed =
                        offsets.offsets(groupId).get(topic);
                if (committed != null) {
                    partitions.addAll(committed.keySet());
                }
                Map<Integer, Set<Long>> pending =
                        offsets.pendingPartitions(groupId).get(topic);
                if (pending != null) {
                    partitions.addAll(pending.keySet());
                }
                for (Integer p : partitions) {
                    ctx.append(GroupRecords.offsetCommitTombstone(groupId, topic, p));
                }
            }
        }
    }

    // -------------------------------------------------------------------------------------------
    // Expiry.

    /**
     * Expires offsets past retention and returns whether the group has none left (so that an
     * empty group may be deleted). Kafka's rules: an empty classic group's offsets expire
     * {@code offsets.retention.minutes} after the group became empty; a group of a simple
     * consumer's, or of a Stable consumer-protocol classic group or a consumer group (for topics
     * it no longer subscribes to), after the commit; explicit expiry timestamps (OffsetCommit
     * v2-v4) win.
     */
    public boolean expireOffsets(OperationContext ctx, Group group) {
        String groupId = group.groupId();
        Map<String, Map<Integer, OffsetAndMetadata>> groupOffsets = offsets.offsets(groupId);
        if (groupOffsets.isEmpty()) {
            // A group with an open transaction's offsets is kept, as in Kafka.
            return !offsets.hasPendingTransactionalOffsets(groupId);
        }
        long baseFromState = -1;
        boolean expiryAllowed;
        if (group instanceof ClassicGroup) {
            ClassicGroup g = (ClassicGroup) group;
            if (g.protocolType() == null) {
                expiryAllowed = true;
            } else if (g.isInState(ClassicGroupState.EMPTY)) {
                expiryAllowed = true;
                baseFromState = g.currentStateTimestampMs();
            } else {
                expiryAllowed = g.usesConsumerProtocol()
                        && g.subscribedTopics() != null
                        && g.isInState(ClassicGroupState.STABLE);
            }
        } else {
            expiryAllowed = true;
        }
        if (!expiryAllowed) {
            return false;
        }
        long nowMs = ctx.nowMs();
        long retentionMs = config.offsetsRetentionMs();
        boolean allExpired = true;
        List<Object[]> expired = new ArrayList<>();
        for (Map.Entry<String, Map<Integer, OffsetAndMetadata>> t : groupOffsets.entrySet()) {
            if (group.isSubscribedToTopic(t.getKey())) {
                allExpired = false;
                continue;
            }
            for (Map.Entry<Integer, OffsetAndMetadata> p : t.getValue().entrySet()) {
                OffsetAndMetadata o = p.getValue();
                boolean isExpired;
                if (o.expireTimestampMs >= 0) {
                    isExpired = nowMs >= o.expireTimestampMs;
                } else {
                    long base = baseFromState >= 0 ? baseFromState : o.commitTimestampMs;
                    isExpired = nowMs - base >= retentionMs;
                }
                if (isExpired && !offsets.hasPendingTransactionalOffsets(groupId, t.getKey(), p.getKey())) {
                    expired.add(new Object[] {t.getKey(), p.getKey()});
                } else {
                    allExpired = false;
                }
            }
        }
        for (Object[] e : expired) {
            LOG.debug("Group {}: offset of {}-{} expired", groupId, e[0], e[1]);
            ctx.append(GroupRecords.offsetCommitTombstone(groupId, (String) e[0], (Integer) e[1]));
        }
        if (!expired.isEmpty()) {
            LOG.info("Group {}: expired {} offsets", groupId, expired.size());
        }
        return allExpired && !offsets.hasPendingTransactionalOffsets(groupId);
    }
}
