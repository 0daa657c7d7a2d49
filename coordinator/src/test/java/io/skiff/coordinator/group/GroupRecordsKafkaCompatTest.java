package io.skiff.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.coordinator.group.consumer.MetadataHash;
import io.skiff.coordinator.runtime.CoordinatorRecord;
import io.skiff.wire.protocol.Uuid;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.coordinator.group.GroupCoordinatorRecordSerde;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupCurrentMemberAssignmentValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupMemberMetadataValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupMetadataValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupRegularExpressionValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupTargetAssignmentMemberValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupTargetAssignmentMetadataValue;
import org.apache.kafka.coordinator.group.generated.GroupMetadataValue;
import org.apache.kafka.coordinator.group.generated.LegacyOffsetCommitKey;
import org.apache.kafka.coordinator.group.generated.LegacyOffsetCommitValue;
import org.apache.kafka.coordinator.group.generated.OffsetCommitKey;
import org.apache.kafka.coordinator.group.generated.OffsetCommitValue;
import org.apache.kafka.server.common.ApiMessageAndVersion;
import org.junit.jupiter.api.Test;

/**
 * The records Skiff writes to {@code __consumer_offsets} are Kafka 4.3.1's: Kafka's own serde
 * (the one DumpLogSegments --offsets-decoder uses) reads every record type Skiff writes and
 * writes it back byte for byte, and Skiff reads what Kafka writes.
 */
class GroupRecordsKafkaCompatTest {
    private static final GroupCoordinatorRecordSerde KAFKA = new GroupCoordinatorRecordSerde();
    private static final Uuid TOPIC = Uuid.random();

    private static org.apache.kafka.common.Uuid kafka(Uuid id) {
        return new org.apache.kafka.common.Uuid(id.mostSignificantBits(), id.leastSignificantBits());
    }

    /** Skiff's bytes parse in Kafka and re-serialize identically; returns Kafka's record. */
    private static org.apache.kafka.coordinator.common.runtime.CoordinatorRecord roundTrip(CoordinatorRecord skiff) {
        byte[] key = skiff.keyBytes();
        byte[] value = skiff.valueBytes();
        org.apache.kafka.coordinator.common.runtime.CoordinatorRecord kafka =
                KAFKA.deserialize(ByteBuffer.wrap(key), value == null ? null : ByteBuffer.wrap(value));
        assertThat(KAFKA.serializeKey(kafka)).isEqualTo(key);
        assertThat(KAFKA.serializeValue(kafka)).isEqualTo(value);
        if (value != null) {
            assertThat(kafka.value().version()).isEqualTo(skiff.valueVersion());
        } else {
            assertThat(kafka.value()).isNull();
        }
        // And Skiff reads its own bytes back to an equal record.
        assertThat(GroupRecords.SERDE.decode(ByteBuffer.wrap(key), value == null ? null : ByteBuffer.wrap(value)))
                .isEqualTo(skiff);
        return kafka;
    }

    /** Kafka's bytes decode in Skiff to {@code expected} and re-serialize identically. */
    private static void fromKafka(
            org.apache.kafka.coordinator.common.runtime.CoordinatorRecord kafka, CoordinatorRecord expected) {
        byte[] key = KAFKA.serializeKey(kafka);
        byte[] value = KAFKA.serializeValue(kafka);
        CoordinatorRecord decoded =
                GroupRecords.SERDE.decode(ByteBuffer.wrap(key), value == null ? null : ByteBuffer.wrap(value));
        assertThat(decoded).isEqualTo(expected);
        assertThat(decoded.keyBytes()).isEqualTo(key);
        assertThat(decoded.valueBytes()).isEqualTo(value);
    }

    @Test
    void offsetCommitRecordsMatchKafka() {
        CoordinatorRecord v4 = GroupRecords.offsetCommit("g", "t", 3, 100L, 7, "meta", 12345L, -1L, TOPIC);
        assertThat(v4.valueVersion()).isEqualTo((short) 4);
        org.apache.kafka.coordinator.common.runtime.CoordinatorRecord k = roundTrip(v4);
        OffsetCommitKey key = (OffsetCommitKey) k.key();
        assertThat(key.group()).isEqualTo("g");
        assertThat(key.topic()).isEqualTo("t");
        assertThat(key.partition()).isEqualTo(3);
        OffsetCommitValue value = (OffsetCommitValue) k.value().message();
        assertThat(value.offset()).isEqualTo(100L);
        assertThat(value.leaderEpoch()).isEqualTo(7);
        assertThat(value.metadata()).isEqualTo("meta");
        assertThat(value.commitTimestamp()).isEqualTo(12345L);
        assertThat(value.topicId()).isEqualTo(kafka(TOPIC));

        CoordinatorRecord v1 = GroupRecords.offsetCommit("g", "t", 3, 100L, -1, "", 12345L, 99999L, null);
        assertThat(v1.valueVersion()).isEqualTo((short) 1);
        assertThat(((OffsetCommitValue) roundTrip(v1).value().message()).expireTimestamp())
                .isEqualTo(99999L);
        roundTrip(GroupRecords.offsetCommitTombstone("g", "t", 3));

        fromKafka(
                org.apache.kafka.coordinator.common.runtime.CoordinatorRecord.record(
                        new OffsetCommitKey().setGroup("g").setTopic("t").setPartition(3),
                        new ApiMessageAndVersion(
                                new OffsetCommitValue()
                                        .setOffset(100L)
                                        .setLeaderEpoch(7)
                                        .setMetadata("meta")
                                        .setCommitTimestamp(12345L)
                                        .setTopicId(kafka(TOPIC)),
                                (short) 4)),
                v4);
    }

    @Test
    void legacyOffsetCommitRecordsWrittenByOldKafkaAreRead() {
        org.apache.kafka.coordinator.common.runtime.CoordinatorRecord legacy =
                org.apache.kafka.coordinator.common.runtime.CoordinatorRecord.record(
                        new LegacyOffsetCommitKey().setGroup("g").setTopic("t").setPartition(0),
                        new ApiMessageAndVersion(
                                new LegacyOffsetCommitValue()
                                        .setOffset(5L)
                                        .setMetadata("x")
                                        .setCommitTimestamp(1L),
                                (short) 0));
        byte[] key = KAFKA.serializeKey(legacy);
        byte[] value = KAFKA.serializeValue(legacy);
        assertThat(key[1]).isZero();
        CoordinatorRecord decoded = GroupRecords.SERDE.decode(ByteBuffer.wrap(key), ByteBuffer.wrap(value));
        assertThat(decoded.type()).isEqualTo(GroupRecords.OFFSET_COMMIT);
        assertThat(((io.skiff.coordinator.record.OffsetCommitValue) decoded.value()).offset())
                .isEqualTo(5L);
    }

    @Test
    void groupMetadataRecordsMatchKafka() {
        io.skiff.coordinator.record.GroupMetadataValue skiffValue = new io.skiff.coordinator.record.GroupMetadataValue()
                .setProtocolType("consumer")
                .setGeneration(4)
                .setProtocol("range")
                .setLeader("m1")
                .setCurrentStateTimestamp(777L)
                .setMembers(new ArrayList<>(List.of(new io.skiff.coordinator.record.GroupMetadataValue.MemberMetadata()
                        .setMemberId("m1")
                        .setGroupInstanceId("i1")
                        .setClientId("c")
                        .setClientHost("/127.0.0.1")
                        .setRebalanceTimeout(300000)
                        .setSessionTimeout(45000)
                        .setSubscription(new byte[] {0, 1, 2})
                        .setAssignment(new byte[] {3, 4}))));
        CoordinatorRecord skiff = GroupRecords.groupMetadata("g", skiffValue);
        org.apache.kafka.coordinator.common.runtime.CoordinatorRecord k = roundTrip(skiff);
        assertThat(k.value().version()).isEqualTo((short) 3);
        GroupMetadataValue v = (GroupMetadataValue) k.value().message();
        assertThat(v.generation()).isEqualTo(4);
        assertThat(v.members().get(0).groupInstanceId()).isEqualTo("i1");
        assertThat(v.members().get(0).assignment()).containsExactly(3, 4);
        roundTrip(GroupRecords.groupMetadataTombstone("g"));
        CoordinatorRecord empty = GroupRecords.groupMetadata(
                "g",
                new io.skiff.coordinator.record.GroupMetadataValue()
                        .setProtocolType("")
                        .setGeneration(0)
                        .setProtocol(null)
                        .setLeader(null)
                        .setCurrentStateTimestamp(1L)
                        .setMembers(new ArrayList<>()));
        assertThat(((GroupMetadataValue) roundTrip(empty).value().message()).protocol())
                .isNull();
    }

    @Test
    void consumerGroupRecordsMatchKafka() {
        org.apache.kafka.coordinator.common.runtime.CoordinatorRecord epoch =
                roundTrip(GroupRecords.consumerGroupEpoch("g", 5, 0x1234L));
        assertThat(((ConsumerGroupMetadataValue) epoch.value().message()).metadataHash())
                .isEqualTo(0x1234L);
        roundTrip(GroupRecords.consumerGroupEpochTombstone("g"));
        roundTrip(GroupRecords.consumerGroupPartitionMetadataTombstone("g"));

        io.skiff.coordinator.group.consumer.ConsumerGroupMember member =
                new io.skiff.coordinator.group.consumer.ConsumerGroupMember.Builder("m")
                        .instanceId("i")
                        .clientId("c")
                        .clientHost("/h")
                        .subscribedTopicNames(List.of("b", "a"))
                        .subscribedTopicRegex("x.*")
                        .rebalanceTimeoutMs(300000)
                        .serverAssignor("uniform")
                        .build();
        CoordinatorRecord memberRecord = GroupRecords.consumerGroupMember("g", "m", member.toMetadataValue());
        ConsumerGroupMemberMetadataValue km = (ConsumerGroupMemberMetadataValue)
                roundTrip(memberRecord).value().message();
        assertThat(km.subscribedTopicNames()).containsExactly("a", "b");
        assertThat(km.subscribedTopicRegex()).isEqualTo("x.*");
        assertThat(km.classicMemberMetadata()).isNull();
        // Kafka writes the same bytes for that member.
        fromKafka(
                org.apache.kafka.coordinator.common.runtime.CoordinatorRecord.record(
                        new org.apache.kafka.coordinator.group.generated.ConsumerGroupMemberMetadataKey()
                                .setGroupId("g")
                                .setMemberId("m"),
                        new ApiMessageAndVersion(
                                new ConsumerGroupMemberMetadataValue()
                                        .setInstanceId("i")
                                        .setRackId(null)
                                        .setClientId("c")
                                        .setClientHost("/h")
                                        .setSubscribedTopicNames(List.of("a", "b"))
                                        .setSubscribedTopicRegex("x.*")
                                        .setRebalanceTimeoutMs(300000)
                                        .setServerAssignor("uniform")
                                        .setClassicMemberMetadata(null),
                                (short) 0)),
                memberRecord);
        // A classic member's metadata survives the trip too.
        io.skiff.coordinator.record.ConsumerGroupMemberMetadataValue.ClassicMemberMetadata classic =
                new io.skiff.coordinator.record.ConsumerGroupMemberMetadataValue.ClassicMemberMetadata()
                        .setSessionTimeoutMs(45000)
                        .setSupportedProtocols(new ArrayList<>(List.of(
                                new io.skiff.coordinator.record.ConsumerGroupMemberMetadataValue.ClassicProtocol()
                                        .setName("range")
                                        .setMetadata(new byte[] {1}))));
        ConsumerGroupMemberMetadataValue kclassic =
                (ConsumerGroupMemberMetadataValue) roundTrip(GroupRecords.consumerGroupMember(
                                "g",
                                "m",
                                new io.skiff.coordinator.group.consumer.ConsumerGroupMember.Builder(member)
                                        .classicMemberMetadata(classic)
                                        .build()
                                        .toMetadataValue()))
                        .value()
                        .message();
        assertThat(kclassic.classicMemberMetadata().sessionTimeoutMs()).isEqualTo(45000);
        roundTrip(GroupRecords.consumerGroupMemberTombstone("g", "m"));

        Map<Uuid, Set<Integer>> target = new TreeMap<>(Map.of(TOPIC, new TreeSet<>(Set.of(2, 0, 1))));
        ConsumerGroupTargetAssignmentMemberValue kt =
                (ConsumerGroupTargetAssignmentMemberValue) roundTrip(GroupRecords.targetAssignment("g", "m", target))
                        .value()
                        .message();
        assertThat(kt.topicPartitions().get(0).partitions()).containsExactly(0, 1, 2);
        roundTrip(GroupRecords.targetAssignmentTombstone("g", "m"));
        ConsumerGroupTargetAssignmentMetadataValue ke =
                (ConsumerGroupTargetAssignmentMetadataValue) roundTrip(GroupRecords.targetAssignmentEpoch("g", 5, 999L))
                        .value()
                        .message();
        assertThat(ke.assignmentEpoch()).isEqualTo(5);
        assertThat(ke.assignmentTimestamp()).isEqualTo(999L);
        roundTrip(GroupRecords.targetAssignmentEpochTombstone("g"));

        CoordinatorRecord current = GroupRecords.currentAssignment(
                "g",
                "m",
                5,
                4,
                (byte) 1,
                Map.of(TOPIC, new TreeMap<>(Map.of(0, 3, 1, 5))),
                Map.of(TOPIC, new TreeMap<>(Map.of(2, 4))));
        ConsumerGroupCurrentMemberAssignmentValue kc = (ConsumerGroupCurrentMemberAssignmentValue)
                roundTrip(current).value().message();
        assertThat(kc.memberEpoch()).isEqualTo(5);
        assertThat(kc.previousMemberEpoch()).isEqualTo(4);
        assertThat(kc.state()).isEqualTo((byte) 1);
        assertThat(kc.assignedPartitions().get(0).partitions()).containsExactly(0, 1);
        assertThat(kc.assignedPartitions().get(0).assignmentEpochs()).containsExactly(3, 5);
        assertThat(kc.partitionsPendingRevocation().get(0).partitions()).containsExactly(2);
        roundTrip(GroupRecords.currentAssignmentTombstone("g", "m"));

        ConsumerGroupRegularExpressionValue kr = (ConsumerGroupRegularExpressionValue)
                roundTrip(GroupRecords.regularExpression("g", "x.*", List.of("xb", "xa"), 12L, 34L))
                        .value()
                        .message();
        assertThat(kr.topics()).containsExactly("xa", "xb");
        roundTrip(GroupRecords.regularExpressionTombstone("g", "x.*"));

        fromKafka(
                org.apache.kafka.coordinator.common.runtime.CoordinatorRecord.record(
                        new org.apache.kafka.coordinator.group.generated.ConsumerGroupCurrentMemberAssignmentKey()
                                .setGroupId("g")
                                .setMemberId("m"),
                        new ApiMessageAndVersion(
                                new ConsumerGroupCurrentMemberAssignmentValue()
                                        .setMemberEpoch(5)
                                        .setPreviousMemberEpoch(4)
                                        .setState((byte) 1)
                                        .setAssignedPartitions(
                                                List.of(new ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions()
                                                        .setTopicId(kafka(TOPIC))
                                                        .setPartitions(List.of(0, 1))
                                                        .setAssignmentEpochs(List.of(3, 5))))
                                        .setPartitionsPendingRevocation(
                                                List.of(new ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions()
                                                        .setTopicId(kafka(TOPIC))
                                                        .setPartitions(List.of(2))
                                                        .setAssignmentEpochs(List.of(4)))),
                                (short) 0)),
                current);
    }

    @Test
    void metadataHashChangesWithTheTopicsAndOnlyWithThem() {
        org.apache.kafka.common.Uuid ka = org.apache.kafka.common.Uuid.randomUuid();
        io.skiff.wire.protocol.Uuid a =
                new io.skiff.wire.protocol.Uuid(ka.getMostSignificantBits(), ka.getLeastSignificantBits());
        io.skiff.wire.protocol.Uuid b = new io.skiff.wire.protocol.Uuid(7L, 9L);
        SimpleTopicsView topics = new SimpleTopicsView();
        topics.put("alpha", a, 3);
        topics.put("beta", b, 1);
        long h = new MetadataHash().groupHash(Set.of("beta", "alpha", "missing"), topics);
        assertThat(new MetadataHash().groupHash(Set.of("alpha", "beta"), topics))
                .isEqualTo(h);
        assertThat(new MetadataHash().groupHash(Set.of("missing"), topics)).isZero();
        assertThat(MetadataHash.computeTopicHash("alpha", a, 3))
                .isNotEqualTo(MetadataHash.computeTopicHash("alpha", a, 4))
                .isNotEqualTo(MetadataHash.computeTopicHash("alpha", b, 3))
                .isNotEqualTo(MetadataHash.computeTopicHash("alphb", a, 3));
        topics.put("beta", b, 2);
        assertThat(new MetadataHash().groupHash(Set.of("alpha", "beta"), topics))
                .isNotEqualTo(h);
    }
}
