package io.skiff.coordinator.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.skiff.coordinator.group.GroupCoordinator;
import io.skiff.coordinator.group.GroupCoordinatorConfig;
import io.skiff.coordinator.group.GroupCoordinatorShard;
import io.skiff.coordinator.group.RequestContext;
import io.skiff.coordinator.group.SimpleTopicsView;
import io.skiff.coordinator.group.classic.ClassicGroup;
import io.skiff.coordinator.group.consumer.ConsumerGroup;
import io.skiff.coordinator.runtime.InMemoryCoordinatorLog;
import io.skiff.coordinator.runtime.ManualTimer;
import io.skiff.wire.message.ConsumerGroupHeartbeatRequest;
import io.skiff.wire.message.ConsumerGroupHeartbeatResponse;
import io.skiff.wire.message.ConsumerProtocolAssignment;
import io.skiff.wire.message.ConsumerProtocolSubscription;
import io.skiff.wire.message.HeartbeatRequest;
import io.skiff.wire.message.HeartbeatResponse;
import io.skiff.wire.message.JoinGroupRequest;
import io.skiff.wire.message.JoinGroupResponse;
import io.skiff.wire.message.LeaveGroupRequest;
import io.skiff.wire.message.LeaveGroupResponse;
import io.skiff.wire.message.OffsetCommitRequest;
import io.skiff.wire.message.OffsetCommitResponse;
import io.skiff.wire.message.OffsetFetchRequest;
import io.skiff.wire.message.OffsetFetchResponse;
import io.skiff.wire.message.SyncGroupRequest;
import io.skiff.wire.message.SyncGroupResponse;
import io.skiff.wire.message.TxnOffsetCommitRequest;
import io.skiff.wire.message.TxnOffsetCommitResponse;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import io.skiff.wire.util.ManualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A group coordinator on a manual clock and timer, a direct executor and in-memory logs, with
 * helpers that build requests the way clients send them. Everything runs on the test thread.
 */
public final class GroupTestContext {
    public static final String CLIENT_HOST = "/127.0.0.1";

    public final ManualClock clock = new ManualClock(1_000_000L);
    public final ManualTimer timer = new ManualTimer(clock);
    public final SimpleTopicsView topics = new SimpleTopicsView();
    public final DirectExecutor executor = new DirectExecutor();
    public final GroupCoordinatorConfig config;
    public final List<InMemoryCoordinatorLog> logs = new ArrayList<>();
    public GroupCoordinator coordinator;

    public GroupTestContext() {
        this(b -> {});
    }

    /**
     * Kafka's defaults except: one {@code __consumer_offsets} partition, and consumer groups
     * compute their target assignment on every heartbeat (group.consumer.assignment.interval.ms=0)
     * so that flows need no clock moves; the customizer may change both.
     */
    public GroupTestContext(Consumer<GroupCoordinatorConfig.Builder> customizer) {
        GroupCoordinatorConfig.Builder b =
                GroupCoordinatorConfig.builder().offsetsTopicPartitions(1).consumerGroupAssignmentIntervalMs(0);
        customizer.accept(b);
        this.config = b.build();
        for (int p = 0; p < config.offsetsTopicPartitions(); p++) {
            logs.add(new InMemoryCoordinatorLog());
        }
        start();
    }

    /** (Re)starts the coordinator over the same logs, as after a broker restart. */
    public void start() {
        if (coordinator != null) {
            coordinator.close();
        }
        coordinator = new GroupCoordinator(config, topics, clock, timer, p -> executor);
        for (int p = 0; p < logs.size(); p++) {
            coordinator.onElection(p, 0, logs.get(p)).join();
        }
    }

    public InMemoryCoordinatorLog log() {
        return logs.get(0);
    }

    public GroupCoordinatorShard shard() {
        return coordinator.shard(0).state();
    }

    public ClassicGroup classicGroup(String groupId) {
        return shard().groups().classicGroupOrNull(groupId);
    }

    public ConsumerGroup consumerGroup(String groupId) {
        return shard().groups().consumerGroupOrNull(groupId);
    }

    public void advance(long ms) {
        timer.advance(ms);
    }

    public static RequestContext rc(int version) {
        return new RequestContext((short) version, "client", CLIENT_HOST);
    }

    // -------------------------------------------------------------------------------------------
    // Consumer embedded protocol.

    public static byte[] subscription(List<String> topics) {
        return subscription(topics, List.of());
    }

    /** A consumer protocol v1 subscription owning {@code owned} (topic -> partitions). */
    public static byte[] subscription(List<String> topics, List<Map.Entry<String, List<Integer>>> owned) {
        ConsumerProtocolSubscription s = new ConsumerProtocolSubscription().setTopics(new ArrayList<>(topics));
        List<ConsumerProtocolSubscription.TopicPartition> tps = new ArrayList<>();
        for (Map.Entry<String, List<Integer>> e : owned) {
            tps.add(new ConsumerProtocolSubscription.TopicPartition()
                    .setTopic(e.getKey())
                    .setPartitions(new ArrayList<>(e.getValue())));
        }
        s.setOwnedPartitions(tps);
        return serialize(s, (short) 1);
    }

    public static byte[] assignment(String topic, Integer... partitions) {
        ConsumerProtocolAssignment a = new ConsumerProtocolAssignment()
                .setAssignedPartitions(new ArrayList<>(List.of(new ConsumerProtocolAssignment.TopicPartition()
                        .setTopic(topic)
                        .setPartitions(new ArrayList<>(List.of(partitions))))));
        return serialize(a, (short) 1);
    }

    private static byte[] serialize(io.skiff.wire.protocol.Message m, short version) {
        byte[] out = new byte[2 + m.size(version)];
        ByteBuf buf = Unpooled.wrappedBuffer(out).writerIndex(0);
        buf.writeShort(version);
        m.write(buf, version);
        buf.release();
        return out;
    }

    // -------------------------------------------------------------------------------------------
    // Classic protocol.

    public static JoinGroupRequest joinRequest(String groupId, String memberId, String instanceId, byte[] metadata) {
        return new JoinGroupRequest()
                .setGroupId(groupId)
                .setMemberId(memberId)
                .setGroupInstanceId(instanceId)
                .setSessionTimeoutMs(10_000)
                .setRebalanceTimeoutMs(60_000)
                .setProtocolType("consumer")
                .setProtocols(new ArrayList<>(List.of(new JoinGroupRequest.JoinGroupRequestProtocol()
                        .setName("range")
                        .setMetadata(metadata))));
    }

    public CompletableFuture<JoinGroupResponse> join(int version, JoinGroupRequest request) {
        return coordinator.joinGroup(rc(version), request);
    }

    /** A dynamic member's full join (v5: MEMBER_ID_REQUIRED then the join with its id); not awaited. */
    public CompletableFuture<JoinGroupResponse> joinDynamic(String groupId, byte[] metadata) {
        JoinGroupResponse first =
                join(5, joinRequest(groupId, "", null, metadata)).join();
        if (first.errorCode() != Errors.MEMBER_ID_REQUIRED.code) {
            throw new AssertionError("expected MEMBER_ID_REQUIRED, got " + first);
        }
        return join(5, joinRequest(groupId, first.memberId(), null, metadata));
    }

    public CompletableFuture<SyncGroupResponse> sync(
            String groupId, String memberId, int generation, Map<String, byte[]> assignments) {
        List<SyncGroupRequest.SyncGroupRequestAssignment> as = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : assignments.entrySet()) {
            as.add(new SyncGroupRequest.SyncGroupRequestAssignment()
                    .setMemberId(e.getKey())
                    .setAssignment(e.getValue()));
        }
        return coordinator.syncGroup(
                rc(5),
                new SyncGroupRequest()
                        .setGroupId(groupId)
                        .setMemberId(memberId)
                        .setGenerationId(generation)
                        .setProtocolType("consumer")
                        .setProtocolName("range")
                        .setAssignments(as));
    }

    public HeartbeatResponse heartbeat(String groupId, String memberId, int generation) {
        return coordinator
                .heartbeat(
                        rc(4),
                        new HeartbeatRequest()
                                .setGroupId(groupId)
                                .setMemberId(memberId)
                                .setGenerationId(generation))
                .join();
    }

    public LeaveGroupResponse leave(String groupId, String... memberIds) {
        List<LeaveGroupRequest.MemberIdentity> ms = new ArrayList<>();
        for (String m : memberIds) {
            ms.add(new LeaveGroupRequest.MemberIdentity().setMemberId(m));
        }
        return coordinator
                .leaveGroup(rc(5), new LeaveGroupRequest().setGroupId(groupId).setMembers(ms))
                .join();
    }

    // -------------------------------------------------------------------------------------------
    // Offsets.

    public static OffsetCommitRequest commitRequest(
            String groupId, String memberId, int generation, String topic, int partition, long offset) {
        return new OffsetCommitRequest()
                .setGroupId(groupId)
                .setMemberId(memberId)
                .setGenerationIdOrMemberEpoch(generation)
                .setTopics(new ArrayList<>(List.of(new OffsetCommitRequest.OffsetCommitRequestTopic()
                        .setName(topic)
                        .setPartitions(new ArrayList<>(List.of(new OffsetCommitRequest.OffsetCommitRequestPartition()
                                .setPartitionIndex(partition)
                                .setCommittedOffset(offset)
                                .setCommittedMetadata("m")))))));
    }

    public OffsetCommitResponse commit(int version, OffsetCommitRequest request) {
        return coordinator.commitOffsets(rc(version), request).join();
    }

    /** The error of the single partition of a one-partition commit. */
    public short commitError(int version, OffsetCommitRequest request) {
        return commit(version, request).topics().get(0).partitions().get(0).errorCode();
    }

    public OffsetFetchResponse fetch(int version, OffsetFetchRequest request) {
        return coordinator.fetchOffsets(rc(version), request).join();
    }

    /** Fetches one partition with OffsetFetch v8; returns the committed offset (or -1), or throws on errors. */
    public long committed(String groupId, String topic, int partition) {
        OffsetFetchResponse r = fetch(
                8,
                new OffsetFetchRequest()
                        .setGroups(new ArrayList<>(List.of(new OffsetFetchRequest.OffsetFetchRequestGroup()
                                .setGroupId(groupId)
                                .setTopics(new ArrayList<>(List.of(new OffsetFetchRequest.OffsetFetchRequestTopics()
                                        .setName(topic)
                                        .setPartitionIndexes(new ArrayList<>(List.of(partition))))))))));
        OffsetFetchResponse.OffsetFetchResponseGroup g = r.groups().get(0);
        if (g.errorCode() != 0) {
            throw new AssertionError("group error " + g.errorCode());
        }
        return g.topics().get(0).partitions().get(0).committedOffset();
    }

    // -------------------------------------------------------------------------------------------
    // Transactional offsets.

    /** A TxnOffsetCommit of one partition by {@code producerId}/{@code producerEpoch}, with group metadata. */
    public static TxnOffsetCommitRequest txnCommitRequest(
            String groupId,
            long producerId,
            short producerEpoch,
            String memberId,
            int generation,
            String topic,
            int partition,
            long offset) {
        return new TxnOffsetCommitRequest()
                .setTransactionalId("txn-" + producerId)
                .setGroupId(groupId)
                .setProducerId(producerId)
                .setProducerEpoch(producerEpoch)
                .setMemberId(memberId)
                .setGenerationId(generation)
                .setTopics(new ArrayList<>(List.of(new TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic()
                        .setName(topic)
                        .setPartitions(
                                new ArrayList<>(List.of(new TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition()
                                        .setPartitionIndex(partition)
                                        .setCommittedOffset(offset)
                                        .setCommittedMetadata("txn")))))));
    }

    /** A TxnOffsetCommit of one partition without group metadata (a simple consumer's, or versions 0-2). */
    public static TxnOffsetCommitRequest txnCommitRequest(
            String groupId, long producerId, String topic, int partition, long offset) {
        return txnCommitRequest(groupId, producerId, (short) 0, "", -1, topic, partition, offset);
    }

    public TxnOffsetCommitResponse txnCommit(int version, TxnOffsetCommitRequest request) {
        return coordinator.commitTransactionalOffsets(rc(version), request).join();
    }

    /** The error of the single partition of a one-partition TxnOffsetCommit (v5). */
    public Errors txnCommitError(TxnOffsetCommitRequest request) {
        TxnOffsetCommitResponse r = txnCommit(5, request);
        return Errors.forCode(r.topics().get(0).partitions().get(0).errorCode());
    }

    /** Writes {@code producerId}'s commit or abort marker to partition 0 (coordinator epoch 0). */
    public Errors endTransaction(long producerId, short producerEpoch, boolean commit) {
        return coordinator
                .completeTransaction(0, producerId, producerEpoch, 0, commit)
                .join();
    }

    /** One partition as OffsetFetch v8 answers it, with or without {@code require_stable}. */
    public OffsetFetchResponse.OffsetFetchResponsePartitions fetchPartition(
            String groupId, String topic, int partition, boolean requireStable) {
        OffsetFetchResponse r = fetch(
                8,
                new OffsetFetchRequest()
                        .setRequireStable(requireStable)
                        .setGroups(new ArrayList<>(List.of(new OffsetFetchRequest.OffsetFetchRequestGroup()
                                .setGroupId(groupId)
                                .setTopics(new ArrayList<>(List.of(new OffsetFetchRequest.OffsetFetchRequestTopics()
                                        .setName(topic)
                                        .setPartitionIndexes(new ArrayList<>(List.of(partition))))))))));
        OffsetFetchResponse.OffsetFetchResponseGroup g = r.groups().get(0);
        if (g.errorCode() != 0) {
            throw new AssertionError("group error " + g.errorCode());
        }
        return g.topics().get(0).partitions().get(0);
    }

    // -------------------------------------------------------------------------------------------
    // Consumer protocol.

    public ConsumerGroupHeartbeatResponse consumerHeartbeat(ConsumerGroupHeartbeatRequest request) {
        return coordinator.consumerGroupHeartbeat(rc(1), request).join();
    }

    /** The first heartbeat of a member subscribing to {@code topics}. */
    public static ConsumerGroupHeartbeatRequest consumerJoin(String groupId, String memberId, List<String> topics) {
        return new ConsumerGroupHeartbeatRequest()
                .setGroupId(groupId)
                .setMemberId(memberId)
                .setMemberEpoch(0)
                .setRebalanceTimeoutMs(30_000)
                .setSubscribedTopicNames(new ArrayList<>(topics))
                .setTopicPartitions(new ArrayList<>());
    }

    /** A regular heartbeat reporting {@code owned} (null = not reported). */
    public static ConsumerGroupHeartbeatRequest consumerBeat(
            String groupId, String memberId, int epoch, List<ConsumerGroupHeartbeatRequest.TopicPartitions> owned) {
        return new ConsumerGroupHeartbeatRequest()
                .setGroupId(groupId)
                .setMemberId(memberId)
                .setMemberEpoch(epoch)
                .setTopicPartitions(owned);
    }

    /** The partitions of a heartbeat response's assignment, as owned partitions for the next heartbeat. */
    public static List<ConsumerGroupHeartbeatRequest.TopicPartitions> owned(
            ConsumerGroupHeartbeatResponse.Assignment a) {
        List<ConsumerGroupHeartbeatRequest.TopicPartitions> out = new ArrayList<>();
        if (a != null) {
            for (ConsumerGroupHeartbeatResponse.TopicPartitions tp : a.topicPartitions()) {
                out.add(new ConsumerGroupHeartbeatRequest.TopicPartitions()
                        .setTopicId(tp.topicId())
                        .setPartitions(new ArrayList<>(tp.partitions())));
            }
        }
        return out;
    }

    public static List<ConsumerGroupHeartbeatRequest.TopicPartitions> owned(Uuid topicId, Integer... partitions) {
        List<ConsumerGroupHeartbeatRequest.TopicPartitions> out = new ArrayList<>();
        if (partitions.length > 0) {
            out.add(new ConsumerGroupHeartbeatRequest.TopicPartitions()
                    .setTopicId(topicId)
                    .setPartitions(new ArrayList<>(List.of(partitions))));
        }
        return out;
    }

    /** Partition count of a heartbeat response's assignment (0 if none). */
    public static int count(ConsumerGroupHeartbeatResponse.Assignment a) {
        int n = 0;
        if (a != null) {
            for (ConsumerGroupHeartbeatResponse.TopicPartitions tp : a.topicPartitions()) {
                n += tp.partitions().size();
            }
        }
        return n;
    }
}
