package io.skiff.coordinator.group;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
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
import io.skiff.coordinator.runtime.CoordinatorRecord;
import io.skiff.coordinator.runtime.RecordSerde;
import io.skiff.wire.protocol.Message;
import io.skiff.wire.protocol.Uuid;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The records the group coordinator writes to {@code __consumer_offsets}, in Apache Kafka
 * 4.3.1's exact format, and the {@link RecordSerde} that reads them back. Record types are the
 * key schemas' versions ({@code apiKey} in Kafka's coordinator schemas). Stateless.
 */
public final class GroupRecords implements RecordSerde {
    /** Offset commit written by Kafka before 0.10; read, never written. */
    public static final short LEGACY_OFFSET_COMMIT = 0;

    public static final short OFFSET_COMMIT = OffsetCommitKey.API_KEY;
    public static final short GROUP_METADATA = GroupMetadataKey.API_KEY;
    public static final short CONSUMER_GROUP_METADATA = ConsumerGroupMetadataKey.API_KEY;
    /** Deprecated since Kafka 4.1 (KIP-1101); read and ignored, never written. */
    public static final short CONSUMER_GROUP_PARTITION_METADATA = ConsumerGroupPartitionMetadataKey.API_KEY;

    public static final short CONSUMER_GROUP_MEMBER_METADATA = ConsumerGroupMemberMetadataKey.API_KEY;
    public static final short CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA =
            ConsumerGroupTargetAssignmentMetadataKey.API_KEY;
    public static final short CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER = ConsumerGroupTargetAssignmentMemberKey.API_KEY;
    public static final short CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT =
            ConsumerGroupCurrentMemberAssignmentKey.API_KEY;
    public static final short CONSUMER_GROUP_REGULAR_EXPRESSION = ConsumerGroupRegularExpressionKey.API_KEY;

    /** The GroupMetadataValue version Kafka 4.x writes. */
    public static final short GROUP_METADATA_VALUE_VERSION = 3;

    public static final GroupRecords SERDE = new GroupRecords();

    private GroupRecords() {}

    // -------------------------------------------------------------------------------------------
    // Offsets.

    /**
     * An offset commit, as Kafka 4.3 writes it: value version 1 when the commit carries an
     * explicit expiration (OffsetCommit v2-v4 with a retention time), version 4 otherwise (with
     * the topic id tagged field when the id is known).
     */
    public static CoordinatorRecord offsetCommit(
            String groupId,
            String topic,
            int partition,
            long offset,
            int leaderEpoch,
            String metadata,
            long commitTimestampMs,
            long expireTimestampMs,
            Uuid topicId) {
        short version = expireTimestampMs >= 0 ? (short) 1 : (short) 4;
        OffsetCommitValue value = new OffsetCommitValue()
                .setOffset(offset)
                .setLeaderEpoch(leaderEpoch)
                .setMetadata(metadata == null ? "" : metadata)
                .setCommitTimestamp(commitTimestampMs)
                .setExpireTimestamp(expireTimestampMs);
        if (version == 4 && topicId != null) {
            value.setTopicId(topicId);
        }
        return CoordinatorRecord.of(OFFSET_COMMIT, offsetKey(groupId, topic, partition), version, value);
    }

    public static CoordinatorRecord offsetCommitTombstone(String groupId, String topic, int partition) {
        return CoordinatorRecord.tombstone(OFFSET_COMMIT, offsetKey(groupId, topic, partition));
    }

    private static OffsetCommitKey offsetKey(String groupId, String topic, int partition) {
        return new OffsetCommitKey().setGroup(groupId).setTopic(topic).setPartition(partition);
    }

    // -------------------------------------------------------------------------------------------
    // Classic groups.

    public static CoordinatorRecord groupMetadata(String groupId, GroupMetadataValue value) {
        return CoordinatorRecord.of(
                GROUP_METADATA, new GroupMetadataKey().setGroup(groupId), GROUP_METADATA_VALUE_VERSION, value);
    }

    public static CoordinatorRecord groupMetadataTombstone(String groupId) {
        return CoordinatorRecord.tombstone(GROUP_METADATA, new GroupMetadataKey().setGroup(groupId));
    }

    // -------------------------------------------------------------------------------------------
    // Consumer groups (KIP-848).

    public static CoordinatorRecord consumerGroupEpoch(String groupId, int epoch, long metadataHash) {
        return CoordinatorRecord.of(
                CONSUMER_GROUP_METADATA,
                new ConsumerGroupMetadataKey().setGroupId(groupId),
                (short) 0,
                new ConsumerGroupMetadataValue().setEpoch(epoch).setMetadataHash(metadataHash));
    }

    public static CoordinatorRecord consumerGroupEpochTombstone(String groupId) {
        return CoordinatorRecord.tombstone(CONSUMER_GROUP_METADATA, new ConsumerGroupMetadataKey().setGroupId(groupId));
    }

    /** Kafka 4.1+ writes this tombstone when deleting a group that may hold the deprecated record. */
    public static CoordinatorRecord consumerGroupPartitionMetadataTombstone(String groupId) {
        return CoordinatorRecord.tombstone(
                CONSUMER_GROUP_PARTITION_METADATA, new ConsumerGroupPartitionMetadataKey().setGroupId(groupId));
    }

    public static CoordinatorRecord consumerGroupMember(
            String groupId, String memberId, ConsumerGroupMemberMetadataValue value) {
        return CoordinatorRecord.of(
                CONSUMER_GROUP_MEMBER_METADATA,
                new ConsumerGroupMemberMetadataKey().setGroupId(groupId).setMemberId(memberId),
                (short) 0,
                value);
    }

    public static CoordinatorRecord consumerGroupMemberTombstone(String groupId, String memberId) {
        return CoordinatorRecord.tombstone(
                CONSUMER_GROUP_MEMBER_METADATA,
                new ConsumerGroupMemberMetadataKey().setGroupId(groupId).setMemberId(memberId));
    }

    public static CoordinatorRecord targetAssignmentEpoch(String groupId, int epoch, long timestampMs) {
        return CoordinatorRecord.of(
                CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA,
                new ConsumerGroupTargetAssignmentMetadataKey().setGroupId(groupId),
                (short) 0,
                new ConsumerGroupTargetAssignmentMetadataValue()
                        .setAssignmentEpoch(epoch)
                        .setAssignmentTimestamp(timestampMs));
    }

    public static CoordinatorRecord targetAssignmentEpochTombstone(String groupId) {
        return CoordinatorRecord.tombstone(
                CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA,
                new ConsumerGroupTargetAssignmentMetadataKey().setGroupId(groupId));
    }

    public static CoordinatorRecord targetAssignment(
            String groupId, String memberId, Map<Uuid, ? extends Iterable<Integer>> partitions) {
        List<ConsumerGroupTargetAssignmentMemberValue.TopicPartition> topics = new ArrayList<>();
        for (Map.Entry<Uuid, ? extends Iterable<Integer>> e :
                sortedByTopic(partitions).entrySet()) {
            List<Integer> ps = new ArrayList<>();
            for (Integer p : e.getValue()) {
                ps.add(p);
            }
            ps.sort(null);
            topics.add(new ConsumerGroupTargetAssignmentMemberValue.TopicPartition()
                    .setTopicId(e.getKey())
                    .setPartitions(ps));
        }
        return CoordinatorRecord.of(
                CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER,
                new ConsumerGroupTargetAssignmentMemberKey().setGroupId(groupId).setMemberId(memberId),
                (short) 0,
                new ConsumerGroupTargetAssignmentMemberValue().setTopicPartitions(topics));
    }

    public static CoordinatorRecord targetAssignmentTombstone(String groupId, String memberId) {
        return CoordinatorRecord.tombstone(
                CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER,
                new ConsumerGroupTargetAssignmentMemberKey().setGroupId(groupId).setMemberId(memberId));
    }

    /**
     * A member's current assignment: epochs, state, and partitions with the epoch at which each
     * was assigned (partition -> epoch per topic).
     */
    public static CoordinatorRecord currentAssignment(
            String groupId,
            String memberId,
            int memberEpoch,
            int previousMemberEpoch,
            byte state,
            Map<Uuid, ? extends Map<Integer, Integer>> assigned,
            Map<Uuid, ? extends Map<Integer, Integer>> pendingRevocation) {
        return CoordinatorRecord.of(
                CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT,
                new ConsumerGroupCurrentMemberAssignmentKey()
                        .setGroupId(groupId)
                        .setMemberId(memberId),
                (short) 0,
                new ConsumerGroupCurrentMemberAssignmentValue()
                        .setMemberEpoch(memberEpoch)
                        .setPreviousMemberEpoch(previousMemberEpoch)
                        .setState(state)
                        .setAssignedPartitions(withEpochs(assigned))
                        .setPartitionsPendingRevocation(withEpochs(pendingRevocation)));
    }

    private static List<ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions> withEpochs(
            Map<Uuid, ? extends Map<Integer, Integer>> partitions) {
        List<ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions> out = new ArrayList<>();
        for (Map.Entry<Uuid, ? extends Map<Integer, Integer>> e :
                sortedByTopic(partitions).entrySet()) {
            TreeMap<Integer, Integer> sorted = new TreeMap<>(e.getValue());
            out.add(new ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions()
                    .setTopicId(e.getKey())
                    .setPartitions(new ArrayList<>(sorted.keySet()))
                    .setAssignmentEpochs(new ArrayList<>(sorted.values())));
        }
        return out;
    }

    public static CoordinatorRecord currentAssignmentTombstone(String groupId, String memberId) {
        return CoordinatorRecord.tombstone(
                CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT,
                new ConsumerGroupCurrentMemberAssignmentKey()
                        .setGroupId(groupId)
                        .setMemberId(memberId));
    }

    public static CoordinatorRecord regularExpression(
            String groupId, String regex, List<String> topics, long version, long timestampMs) {
        List<String> sorted = new ArrayList<>(topics);
        sorted.sort(null);
        return CoordinatorRecord.of(
                CONSUMER_GROUP_REGULAR_EXPRESSION,
                new ConsumerGroupRegularExpressionKey().setGroupId(groupId).setRegularExpression(regex),
                (short) 0,
                new ConsumerGroupRegularExpressionValue()
                        .setTopics(sorted)
                        .setVersion(version)
                        .setTimestamp(timestampMs));
    }

    public static CoordinatorRecord regularExpressionTombstone(String groupId, String regex) {
        return CoordinatorRecord.tombstone(
                CONSUMER_GROUP_REGULAR_EXPRESSION,
                new ConsumerGroupRegularExpressionKey().setGroupId(groupId).setRegularExpression(regex));
    }

    private static <V> TreeMap<Uuid, V> sortedByTopic(Map<Uuid, ? extends V> partitions) {
        TreeMap<Uuid, V> sorted = new TreeMap<>();
        sorted.putAll(partitions);
        return sorted;
    }

    // -------------------------------------------------------------------------------------------
    // Decoding.

    @Override
    public CoordinatorRecord decode(ByteBuffer keyBytes, ByteBuffer valueBytes) {
        ByteBuf key = Unpooled.wrappedBuffer(keyBytes);
        ByteBuf value = valueBytes == null ? null : Unpooled.wrappedBuffer(valueBytes);
        try {
            short type = key.readShort();
            Message k;
            Message v = null;
            short valueVersion = -1;
            if (value != null) {
                valueVersion = value.readShort();
            }
            switch (type) {
                case LEGACY_OFFSET_COMMIT:
                case OFFSET_COMMIT:
                    k = new OffsetCommitKey(key, (short) 0);
                    if (value != null) {
                        v = new OffsetCommitValue(value, valueVersion);
                    }
                    // Both key types share one layout; the state machine sees one record type.
                    type = OFFSET_COMMIT;
                    break;
                case GROUP_METADATA:
                    k = new GroupMetadataKey(key, (short) 0);
                    if (value != null) {
                        v = new GroupMetadataValue(value, valueVersion);
                    }
                    break;
                case CONSUMER_GROUP_METADATA:
                    k = new ConsumerGroupMetadataKey(key, (short) 0);
                    if (value != null) {
                        v = new ConsumerGroupMetadataValue(value, valueVersion);
                    }
                    break;
                case CONSUMER_GROUP_PARTITION_METADATA:
                    k = new ConsumerGroupPartitionMetadataKey(key, (short) 0);
                    if (value != null) {
                        v = new ConsumerGroupPartitionMetadataValue(value, valueVersion);
                    }
                    break;
                case CONSUMER_GROUP_MEMBER_METADATA:
                    k = new ConsumerGroupMemberMetadataKey(key, (short) 0);
                    if (value != null) {
                        v = new ConsumerGroupMemberMetadataValue(value, valueVersion);
                    }
                    break;
                case CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA:
                    k = new ConsumerGroupTargetAssignmentMetadataKey(key, (short) 0);
                    if (value != null) {
                        v = new ConsumerGroupTargetAssignmentMetadataValue(value, valueVersion);
                    }
                    break;
                case CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER:
                    k = new ConsumerGroupTargetAssignmentMemberKey(key, (short) 0);
                    if (value != null) {
                        v = new ConsumerGroupTargetAssignmentMemberValue(value, valueVersion);
                    }
                    break;
                case CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT:
                    k = new ConsumerGroupCurrentMemberAssignmentKey(key, (short) 0);
                    if (value != null) {
                        v = new ConsumerGroupCurrentMemberAssignmentValue(value, valueVersion);
                    }
                    break;
                case CONSUMER_GROUP_REGULAR_EXPRESSION:
                    k = new ConsumerGroupRegularExpressionKey(key, (short) 0);
                    if (value != null) {
                        v = new ConsumerGroupRegularExpressionValue(value, valueVersion);
                    }
                    break;
                default:
                    // Share and streams groups, or types from a newer Kafka: not handled here.
                    return null;
            }
            return v == null ? CoordinatorRecord.tombstone(type, k) : CoordinatorRecord.of(type, k, valueVersion, v);
        } finally {
            key.release();
            if (value != null) {
                value.release();
            }
        }
    }
}
