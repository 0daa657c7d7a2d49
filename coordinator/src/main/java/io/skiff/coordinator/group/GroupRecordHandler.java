package io.skiff.coordinator.group;

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

/**
 * One method per record type of {@code __consumer_offsets}, with the record's key and value in
 * their generated types; {@link GroupRecordType#dispatch} calls the one a record is of. A null
 * value is a tombstone. Implementations decide their own threading (the shard's replay runs on
 * the shard thread).
 */
public interface GroupRecordHandler {

    void offsetCommit(OffsetCommitKey key, OffsetCommitValue value);

    void groupMetadata(GroupMetadataKey key, GroupMetadataValue value);

    void consumerGroupMetadata(ConsumerGroupMetadataKey key, ConsumerGroupMetadataValue value);

    void consumerGroupPartitionMetadata(
            ConsumerGroupPartitionMetadataKey key, ConsumerGroupPartitionMetadataValue value);

    void consumerGroupMemberMetadata(ConsumerGroupMemberMetadataKey key, ConsumerGroupMemberMetadataValue value);

    void consumerGroupTargetAssignmentMetadata(
            ConsumerGroupTargetAssignmentMetadataKey key, ConsumerGroupTargetAssignmentMetadataValue value);

    void consumerGroupTargetAssignmentMember(
            ConsumerGroupTargetAssignmentMemberKey key, ConsumerGroupTargetAssignmentMemberValue value);

    void consumerGroupCurrentMemberAssignment(
            ConsumerGroupCurrentMemberAssignmentKey key, ConsumerGroupCurrentMemberAssignmentValue value);

    void consumerGroupRegularExpression(
            ConsumerGroupRegularExpressionKey key, ConsumerGroupRegularExpressionValue value);
}
