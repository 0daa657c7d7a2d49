package io.skiff.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.Readable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Group requests that no well-behaved client sends, written with kafka-clients' own message
 * classes over a bare socket: a JoinGroup without protocols or with metadata too large to store,
 * a SyncGroup for a group that does not exist, offset commits for unknown topics and by unknown,
 * fenced or stale members. Each gets the error Apache Kafka 4.3.1 gives (the same requests were
 * sent to it), nothing is committed that should not be, and the group and the broker go on
 * working afterwards.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class GroupBadRequestsCompatTest {
    private static final String TOPIC = "bad-group-target";
    private static final short JOIN_V = 9;
    private static final short SYNC_V = 5;
    private static final short COMMIT_V = 9;
    private static final short COMMIT_BY_ID_V = 10;
    private static final short LEAVE_V = 5;
    private static final short CGH_V = 1;
    private static final short DESCRIBE_V = 6;
    private static final int SESSION_TIMEOUT_MS = 5000;

    @RegisterExtension
    static final SkiffBrokerExtension BROKER = Groups.broker(6000);

    /** Reads a response body of one version. */
    interface Parser<R> {
        R parse(Readable readable, short version);
    }

    private static <R> R call(ApiKeys api, short version, ApiMessage request, Parser<R> parser) throws Exception {
        try (RawConnection c = new RawConnection("127.0.0.1", BROKER.port())) {
            int corr = c.send(api, version, request);
            R response =
                    parser.parse(new ByteBufferAccessor(c.receive(corr, api.responseHeaderVersion(version))), version);
            System.out.println(api + " v" + version + " -> " + response);
            return response;
        }
    }

    @BeforeAll
    static void topicAndCoordinator() throws Exception {
        try (Admin admin = Clients.admin(BROKER)) {
            admin.createTopics(List.of(new NewTopic(TOPIC, Groups.PARTITIONS, (short) 1)))
                    .all()
                    .get();
        }
        // The first FindCoordinator creates __consumer_offsets; then every group's coordinator
        // partition must be loaded before the requests below get their real answers.
        List<String> groups = List.of(
                "bad-no-protocols",
                "bad-oversized",
                "bad-sync-unknown",
                "bad-unknown-topics",
                "bad-classic-members",
                "bad-fenced",
                "bad-consumer-members",
                "bad-then-restart",
                "bad-then-restart-huge");
        GroupMember.await(() -> "the coordinators of " + groups, 60, () -> {
            try {
                FindCoordinatorResponseData r = call(
                        ApiKeys.FIND_COORDINATOR,
                        (short) 6,
                        new FindCoordinatorRequestData().setKeyType((byte) 0).setCoordinatorKeys(groups),
                        FindCoordinatorResponseData::new);
                for (FindCoordinatorResponseData.Coordinator c : r.coordinators()) {
                    if (c.errorCode() != Errors.NONE.code()) {
                        return false;
                    }
                }
                for (String g : groups) {
                    short e = describe(g).errorCode();
                    if (e == Errors.NOT_COORDINATOR.code()
                            || e == Errors.COORDINATOR_LOAD_IN_PROGRESS.code()
                            || e == Errors.COORDINATOR_NOT_AVAILABLE.code()) {
                        return false;
                    }
                }
                return true;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    private static JoinGroupRequestData join(String group, String memberId, byte[] metadata) {
        JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols =
                new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
        if (metadata != null) {
            protocols.add(new JoinGroupRequestData.JoinGroupRequestProtocol()
                    .setName("range")
                    .setMetadata(metadata));
        }
        return new JoinGroupRequestData()
                .setGroupId(group)
                .setMemberId(memberId)
                .setProtocolType("consumer")
                .setSessionTimeoutMs(SESSION_TIMEOUT_MS)
                .setRebalanceTimeoutMs(SESSION_TIMEOUT_MS)
                .setProtocols(protocols);
    }

    private static JoinGroupResponseData joinAsNewMember(String group, String instanceId, byte[] metadata)
            throws Exception {
        JoinGroupResponseData first = call(
                ApiKeys.JOIN_GROUP,
                JOIN_V,
                join(group, "", metadata).setGroupInstanceId(instanceId),
                JoinGroupResponseData::new);
        if (instanceId != null) {
            return first;
        }
        assertThat(first.errorCode()).isEqualTo(Errors.MEMBER_ID_REQUIRED.code());
        assertThat(first.protocolName()).isNull();
        return call(ApiKeys.JOIN_GROUP, JOIN_V, join(group, first.memberId(), metadata), JoinGroupResponseData::new);
    }

    private static SyncGroupResponseData sync(
            String group, int generation, String memberId, String instanceId, byte[] assignment) throws Exception {
        SyncGroupRequestData req = new SyncGroupRequestData()
                .setGroupId(group)
                .setGenerationId(generation)
                .setMemberId(memberId)
                .setGroupInstanceId(instanceId)
                .setProtocolType("consumer")
                .setProtocolName("range");
        if (assignment != null) {
            req.assignments()
                    .add(new SyncGroupRequestData.SyncGroupRequestAssignment()
                            .setMemberId(memberId)
                            .setAssignment(assignment));
        }
        return call(ApiKeys.SYNC_GROUP, SYNC_V, req, SyncGroupResponseData::new);
    }

    private static void leave(String group, String memberId) throws Exception {
        LeaveGroupRequestData req = new LeaveGroupRequestData().setGroupId(group);
        req.members().add(new LeaveGroupRequestData.MemberIdentity().setMemberId(memberId));
        LeaveGroupResponseData r = call(ApiKeys.LEAVE_GROUP, LEAVE_V, req, LeaveGroupResponseData::new);
        assertThat(r.errorCode()).isEqualTo(Errors.NONE.code());
    }

    /** An OffsetCommit v9 (topics by name) of offset {@code offset} for each (topic, partition). */
    private static OffsetCommitRequestData commit(
            String group,
            int generation,
            String memberId,
            String instanceId,
            long offset,
            Object... topicPartitionPairs) {
        OffsetCommitRequestData req = new OffsetCommitRequestData()
                .setGroupId(group)
                .setGenerationIdOrMemberEpoch(generation)
                .setMemberId(memberId)
                .setGroupInstanceId(instanceId);
        Map<String, OffsetCommitRequestData.OffsetCommitRequestTopic> topics = new java.util.LinkedHashMap<>();
        for (int i = 0; i < topicPartitionPairs.length; i += 2) {
            String topic = (String) topicPartitionPairs[i];
            int partition = (Integer) topicPartitionPairs[i + 1];
            topics.computeIfAbsent(topic, t -> new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(t))
                    .partitions()
                    .add(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                            .setPartitionIndex(partition)
                            .setCommittedOffset(offset)
                            .setCommittedMetadata("m"));
        }
        req.topics().addAll(topics.values());
        return req;
    }

    private static Map<String, Short> errorsByTopicPartition(OffsetCommitResponseData r) {
        Map<String, Short> out = new java.util.TreeMap<>();
        for (OffsetCommitResponseData.OffsetCommitResponseTopic t : r.topics()) {
            String name = t.name().isEmpty() ? t.topicId().toString() : t.name();
            for (OffsetCommitResponseData.OffsetCommitResponsePartition p : t.partitions()) {
                out.put(name + "-" + p.partitionIndex(), p.errorCode());
            }
        }
        return out;
    }

    private static Map<TopicPartition, Long> committed(String group) throws Exception {
        try (Admin admin = Clients.admin(BROKER)) {
            Map<TopicPartition, Long> out = new HashMap<>();
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get()
                    .entrySet()) {
                out.put(e.getKey(), e.getValue().offset());
            }
            return out;
        }
    }

    private static DescribeGroupsResponseData.DescribedGroup describe(String group) throws Exception {
        DescribeGroupsResponseData r = call(
                ApiKeys.DESCRIBE_GROUPS,
                DESCRIBE_V,
                new DescribeGroupsRequestData().setGroups(List.of(group)),
                DescribeGroupsResponseData::new);
        return r.groups().get(0);
    }

    /**
     * A real consumer joins the group, gets every partition, reads a record appended to each and
     * commits past it: the group works.
     */
    private static void assertGroupWorks(String group, String protocol) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
        GroupMember m =
                GroupMember.start(group + "-real", BROKER.bootstrapServers(), TOPIC, p, GroupMember.CommitMode.SYNC);
        try {
            GroupMember.await(
                    () -> "a real consumer to own every partition of " + group + ": " + m,
                    60,
                    () -> m.partitions().size() == Groups.PARTITIONS);
            Map<TopicPartition, Long> ends = new HashMap<>();
            try (Admin admin = Clients.admin(BROKER)) {
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                for (int i = 0; i < Groups.PARTITIONS; i++) {
                    latest.put(new TopicPartition(TOPIC, i), OffsetSpec.latest());
                }
                admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
            }
            Groups.produce(BROKER.bootstrapServers(), TOPIC, 1);
            GroupMember.await(
                    () -> "the real consumer to read the new records and commit past them: " + m.committed(),
                    60,
                    () -> {
                        Map<TopicPartition, Long> committed = m.committed();
                        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
                            if (!m.reads().contains(new GroupMember.Read(e.getKey(), e.getValue()))
                                    || committed.getOrDefault(e.getKey(), -1L) <= e.getValue()) {
                                return false;
                            }
                        }
                        return true;
                    });
            assertThat(m.failure()).isNull();
        } finally {
            m.close();
        }
    }

    @Test
    void joinGroupWithoutProtocolsIsInconsistentGroupProtocolAndAddsNoMember() throws Exception {
        String group = "bad-no-protocols";
        JoinGroupResponseData r = call(ApiKeys.JOIN_GROUP, JOIN_V, join(group, "", null), JoinGroupResponseData::new);
        assertThat(r.errorCode()).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code());
        assertThat(r.memberId()).isEmpty();
        assertThat(r.generationId()).isEqualTo(-1);
        assertThat(r.protocolName())
                .as("no protocol selected: null, as Kafka sends it")
                .isNull();
        // Kafka leaves the group it looked up for the request behind, empty.
        DescribeGroupsResponseData.DescribedGroup d = describe(group);
        assertThat(d.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(d.groupState()).isEqualTo("Empty");
        assertThat(d.members()).isEmpty();
        assertGroupWorks(group, "classic");
    }

    @Test
    void joinGroupWithMetadataTooLargeToStoreFailsAtSyncAndTheGroupRecovers() throws Exception {
        String group = "bad-oversized";
        byte[] huge = new byte[2 * 1024 * 1024];
        JoinGroupResponseData joined = joinAsNewMember(group, null, huge);
        assertThat(joined.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(joined.leader()).isEqualTo(joined.memberId());
        SyncGroupResponseData synced = sync(group, joined.generationId(), joined.memberId(), null, new byte[0]);
        assertThat(synced.errorCode()).isEqualTo(Errors.UNKNOWN_SERVER_ERROR.code());
        leave(group, joined.memberId());
        assertGroupWorks(group, "classic");
    }

    @Test
    void syncGroupForAnUnknownGroupIsUnknownMemberIdAndCreatesNoGroup() throws Exception {
        String group = "bad-sync-unknown";
        SyncGroupResponseData r = sync(group, 1, "nobody", null, new byte[0]);
        assertThat(r.errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        assertThat(describe(group).errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
    }

    @Test
    void offsetCommitForUnknownTopicsAndPartitionsFailsForThoseAndCommitsTheRest() throws Exception {
        String group = "bad-unknown-topics";
        OffsetCommitResponseData byName = call(
                ApiKeys.OFFSET_COMMIT,
                COMMIT_V,
                commit(group, -1, "", null, 7, "no-such-topic", 0, TOPIC, 0, TOPIC, 99, TOPIC, -1),
                OffsetCommitResponseData::new);
        assertThat(errorsByTopicPartition(byName))
                .isEqualTo(Map.of(
                        "no-such-topic-0",
                        Errors.UNKNOWN_TOPIC_OR_PARTITION.code(),
                        TOPIC + "-0",
                        Errors.NONE.code(),
                        TOPIC + "-99",
                        Errors.UNKNOWN_TOPIC_OR_PARTITION.code(),
                        TOPIC + "--1",
                        Errors.UNKNOWN_TOPIC_OR_PARTITION.code()));

        Uuid unknownId = Uuid.randomUuid();
        Uuid knownId;
        try (Admin admin = Clients.admin(BROKER)) {
            knownId = admin.describeTopics(List.of(TOPIC))
                    .allTopicNames()
                    .get()
                    .get(TOPIC)
                    .topicId();
        }
        OffsetCommitRequestData req = new OffsetCommitRequestData()
                .setGroupId(group)
                .setGenerationIdOrMemberEpoch(-1)
                .setMemberId("");
        req.topics()
                .add(new OffsetCommitRequestData.OffsetCommitRequestTopic()
                        .setTopicId(unknownId)
                        .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                                .setPartitionIndex(0)
                                .setCommittedOffset(8))));
        req.topics()
                .add(new OffsetCommitRequestData.OffsetCommitRequestTopic()
                        .setTopicId(knownId)
                        .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                                .setPartitionIndex(1)
                                .setCommittedOffset(8))));
        OffsetCommitResponseData byId = call(ApiKeys.OFFSET_COMMIT, COMMIT_BY_ID_V, req, OffsetCommitResponseData::new);
        assertThat(errorsByTopicPartition(byId))
                .isEqualTo(Map.of(
                        unknownId + "-0", Errors.UNKNOWN_TOPIC_ID.code(),
                        knownId + "-1", Errors.NONE.code()));

        assertThat(committed(group))
                .isEqualTo(Map.of(new TopicPartition(TOPIC, 0), 7L, new TopicPartition(TOPIC, 1), 8L));
        assertGroupWorks(group, "classic");
    }

    @Test
    void offsetCommitByUnknownOrOutdatedClassicMembersIsRefusedAndCommitsNothing() throws Exception {
        String group = "bad-classic-members";
        JoinGroupResponseData joined = joinAsNewMember(group, null, new byte[0]);
        assertThat(joined.errorCode()).isEqualTo(Errors.NONE.code());
        int generation = joined.generationId();
        String memberId = joined.memberId();
        assertThat(sync(group, generation, memberId, null, new byte[0]).errorCode())
                .isEqualTo(Errors.NONE.code());

        OffsetCommitResponseData ok = call(
                ApiKeys.OFFSET_COMMIT,
                COMMIT_V,
                commit(group, generation, memberId, null, 3, TOPIC, 0),
                OffsetCommitResponseData::new);
        assertThat(errorsByTopicPartition(ok)).containsEntry(TOPIC + "-0", Errors.NONE.code());
        OffsetCommitResponseData unknown = call(
                ApiKeys.OFFSET_COMMIT,
                COMMIT_V,
                commit(group, generation, "ghost", null, 4, TOPIC, 0, TOPIC, 1),
                OffsetCommitResponseData::new);
        assertThat(errorsByTopicPartition(unknown))
                .containsOnlyKeys(TOPIC + "-0", TOPIC + "-1")
                .containsValue(Errors.UNKNOWN_MEMBER_ID.code())
                .doesNotContainValue(Errors.NONE.code());
        OffsetCommitResponseData oldGeneration = call(
                ApiKeys.OFFSET_COMMIT,
                COMMIT_V,
                commit(group, generation - 1, memberId, null, 5, TOPIC, 0),
                OffsetCommitResponseData::new);
        assertThat(errorsByTopicPartition(oldGeneration)).containsEntry(TOPIC + "-0", Errors.ILLEGAL_GENERATION.code());
        OffsetCommitResponseData noMember = call(
                ApiKeys.OFFSET_COMMIT,
                COMMIT_V,
                commit(group, -1, "", null, 6, TOPIC, 0),
                OffsetCommitResponseData::new);
        assertThat(errorsByTopicPartition(noMember)).containsEntry(TOPIC + "-0", Errors.UNKNOWN_MEMBER_ID.code());

        assertThat(committed(group)).isEqualTo(Map.of(new TopicPartition(TOPIC, 0), 3L));
        leave(group, memberId);
        assertGroupWorks(group, "classic");
    }

    @Test
    void offsetCommitByAFencedStaticMemberIsFencedInstanceId() throws Exception {
        String group = "bad-fenced";
        JoinGroupResponseData first = joinAsNewMember(group, "instance-a", new byte[0]);
        assertThat(first.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(sync(group, first.generationId(), first.memberId(), "instance-a", new byte[0])
                        .errorCode())
                .isEqualTo(Errors.NONE.code());
        // The same instance joins again (a restarted process): the old member id is fenced.
        JoinGroupResponseData again = joinAsNewMember(group, "instance-a", new byte[0]);
        assertThat(again.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(again.memberId()).isNotEqualTo(first.memberId());

        OffsetCommitResponseData fenced = call(
                ApiKeys.OFFSET_COMMIT,
                COMMIT_V,
                commit(group, first.generationId(), first.memberId(), "instance-a", 9, TOPIC, 0),
                OffsetCommitResponseData::new);
        assertThat(errorsByTopicPartition(fenced)).containsEntry(TOPIC + "-0", Errors.FENCED_INSTANCE_ID.code());
        OffsetCommitResponseData current = call(
                ApiKeys.OFFSET_COMMIT,
                COMMIT_V,
                commit(group, again.generationId(), again.memberId(), "instance-a", 10, TOPIC, 0),
                OffsetCommitResponseData::new);
        assertThat(errorsByTopicPartition(current)).containsEntry(TOPIC + "-0", Errors.NONE.code());
        assertThat(committed(group)).isEqualTo(Map.of(new TopicPartition(TOPIC, 0), 10L));

        LeaveGroupRequestData leave = new LeaveGroupRequestData().setGroupId(group);
        leave.members()
                .add(new LeaveGroupRequestData.MemberIdentity()
                        .setMemberId(again.memberId())
                        .setGroupInstanceId("instance-a"));
        assertThat(call(ApiKeys.LEAVE_GROUP, LEAVE_V, leave, LeaveGroupResponseData::new)
                        .errorCode())
                .isEqualTo(Errors.NONE.code());
        assertGroupWorks(group, "classic");
    }

    @Test
    void offsetCommitByAConsumerMemberWithAStaleEpochOrUnknownIdIsRefused() throws Exception {
        String group = "bad-consumer-members";
        String memberId = Uuid.randomUuid().toString();
        ConsumerGroupHeartbeatResponseData hb = call(
                ApiKeys.CONSUMER_GROUP_HEARTBEAT,
                CGH_V,
                new ConsumerGroupHeartbeatRequestData()
                        .setGroupId(group)
                        .setMemberId(memberId)
                        .setMemberEpoch(0)
                        .setRebalanceTimeoutMs(SESSION_TIMEOUT_MS)
                        .setSubscribedTopicNames(List.of(TOPIC))
                        .setTopicPartitions(List.of()),
                ConsumerGroupHeartbeatResponseData::new);
        assertThat(hb.errorCode()).isEqualTo(Errors.NONE.code());
        int epoch = hb.memberEpoch();

        OffsetCommitResponseData ok = call(
                ApiKeys.OFFSET_COMMIT,
                COMMIT_V,
                commit(group, epoch, memberId, null, 11, TOPIC, 0),
                OffsetCommitResponseData::new);
        assertThat(errorsByTopicPartition(ok)).containsEntry(TOPIC + "-0", Errors.NONE.code());
        OffsetCommitResponseData ahead = call(
                ApiKeys.OFFSET_COMMIT,
                COMMIT_V,
                commit(group, epoch + 1, memberId, null, 12, TOPIC, 0),
                OffsetCommitResponseData::new);
        assertThat(errorsByTopicPartition(ahead)).containsEntry(TOPIC + "-0", Errors.STALE_MEMBER_EPOCH.code());
        OffsetCommitResponseData behind = call(
                ApiKeys.OFFSET_COMMIT,
                COMMIT_V,
                commit(group, epoch - 1, memberId, null, 13, TOPIC, 0),
                OffsetCommitResponseData::new);
        assertThat(errorsByTopicPartition(behind)).containsEntry(TOPIC + "-0", Errors.STALE_MEMBER_EPOCH.code());
        OffsetCommitResponseData unknown = call(
                ApiKeys.OFFSET_COMMIT,
                COMMIT_V,
                commit(group, epoch, "ghost", null, 14, TOPIC, 0),
                OffsetCommitResponseData::new);
        assertThat(errorsByTopicPartition(unknown)).containsEntry(TOPIC + "-0", Errors.UNKNOWN_MEMBER_ID.code());
        assertThat(committed(group)).isEqualTo(Map.of(new TopicPartition(TOPIC, 0), 11L));

        ConsumerGroupHeartbeatResponseData left = call(
                ApiKeys.CONSUMER_GROUP_HEARTBEAT,
                CGH_V,
                new ConsumerGroupHeartbeatRequestData()
                        .setGroupId(group)
                        .setMemberId(memberId)
                        .setMemberEpoch(-1),
                ConsumerGroupHeartbeatResponseData::new);
        assertThat(left.errorCode()).isEqualTo(Errors.NONE.code());
        assertGroupWorks(group, "consumer");
    }

    @Test
    void afterBadGroupRequestsTheOffsetsLogReplaysOnRestart() throws Exception {
        Assumptions.assumeFalse(SkiffBrokerExtension.isReference(), "restarts Skiff");
        String group = "bad-then-restart";
        OffsetCommitResponseData good = call(
                ApiKeys.OFFSET_COMMIT,
                COMMIT_V,
                commit(group, -1, "", null, 21, TOPIC, 0, TOPIC, 1),
                OffsetCommitResponseData::new);
        assertThat(errorsByTopicPartition(good).values()).containsOnly(Errors.NONE.code());
        JoinGroupResponseData joined = joinAsNewMember(group + "-huge", null, new byte[2 * 1024 * 1024]);
        sync(group + "-huge", joined.generationId(), joined.memberId(), null, new byte[0]);
        call(
                ApiKeys.OFFSET_COMMIT,
                COMMIT_V,
                commit(group, -1, "", null, 22, "no-such-topic", 0, TOPIC, 77),
                OffsetCommitResponseData::new);
        Map<TopicPartition, Long> before = committed(group);
        assertThat(before).isEqualTo(Map.of(new TopicPartition(TOPIC, 0), 21L, new TopicPartition(TOPIC, 1), 21L));

        BROKER.restart();
        assertThat(committed(group))
                .as("offsets after replaying __consumer_offsets")
                .isEqualTo(before);
        assertGroupWorks(group, "classic");
    }
}
