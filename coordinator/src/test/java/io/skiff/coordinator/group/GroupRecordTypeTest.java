package io.skiff.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The typed dispatch of group records: every type is found by its code and reaches its own method. */
class GroupRecordTypeTest {

    /** Names the handler method called and the group id of the key. */
    private static final class Calls implements GroupRecordHandler {
        final List<String> calls = new ArrayList<>();

        @Override
        public void offsetCommit(OffsetCommitKey key, OffsetCommitValue value) {
            calls.add("offsetCommit " + key.group() + (value == null ? " tombstone" : " " + value.offset()));
        }

        @Override
        public void groupMetadata(GroupMetadataKey key, GroupMetadataValue value) {
            calls.add("groupMetadata " + key.group());
        }

        @Override
        public void consumerGroupMetadata(ConsumerGroupMetadataKey key, ConsumerGroupMetadataValue value) {
            calls.add("consumerGroupMetadata " + key.groupId());
        }

        @Override
        public void consumerGroupPartitionMetadata(
                ConsumerGroupPartitionMetadataKey key, ConsumerGroupPartitionMetadataValue value) {
            calls.add("consumerGroupPartitionMetadata " + key.groupId());
        }

        @Override
        public void consumerGroupMemberMetadata(
                ConsumerGroupMemberMetadataKey key, ConsumerGroupMemberMetadataValue value) {
            calls.add("consumerGroupMemberMetadata " + key.groupId());
        }

        @Override
        public void consumerGroupTargetAssignmentMetadata(
                ConsumerGroupTargetAssignmentMetadataKey key, ConsumerGroupTargetAssignmentMetadataValue value) {
            calls.add("consumerGroupTargetAssignmentMetadata " + key.groupId());
        }

        @Override
        public void consumerGroupTargetAssignmentMember(
                ConsumerGroupTargetAssignmentMemberKey key, ConsumerGroupTargetAssignmentMemberValue value) {
            calls.add("consumerGroupTargetAssignmentMember " + key.groupId());
        }

        @Override
        public void consumerGroupCurrentMemberAssignment(
                ConsumerGroupCurrentMemberAssignmentKey key, ConsumerGroupCurrentMemberAssignmentValue value) {
            calls.add("consumerGroupCurrentMemberAssignment " + key.groupId());
        }

        @Override
        public void consumerGroupRegularExpression(
                ConsumerGroupRegularExpressionKey key, ConsumerGroupRegularExpressionValue value) {
            calls.add("consumerGroupRegularExpression " + key.groupId());
        }
    }

    @Test
    void everyTypeIsFoundByItsCodeAndUnknownCodesByNone() {
        for (GroupRecordType t : GroupRecordType.values()) {
            assertThat(GroupRecordType.of(t.code())).isSameAs(t);
        }
        assertThat(GroupRecordType.of(GroupRecords.LEGACY_OFFSET_COMMIT))
                .as("decoded as OFFSET_COMMIT")
                .isNull();
        assertThat(GroupRecordType.of((short) -1)).isNull();
        assertThat(GroupRecordType.of((short) 1000)).isNull();
    }

    @Test
    void eachRecordTheGroupCoordinatorWritesReachesTheMethodOfItsType() {
        List<CoordinatorRecord> records = List.of(
                GroupRecords.offsetCommit("g", "t", 0, 7L, -1, "", 0L, -1L, null),
                GroupRecords.offsetCommitTombstone("g", "t", 0),
                GroupRecords.groupMetadataTombstone("g"),
                GroupRecords.consumerGroupEpoch("g", 1, 0L),
                GroupRecords.consumerGroupPartitionMetadataTombstone("g"),
                GroupRecords.consumerGroupMemberTombstone("g", "m"),
                GroupRecords.targetAssignmentEpoch("g", 1, 0L),
                GroupRecords.targetAssignment("g", "m", Map.of()),
                GroupRecords.currentAssignmentTombstone("g", "m"),
                GroupRecords.regularExpression("g", "a.*", List.of("ab"), 1L, 0L));
        Calls calls = new Calls();
        for (CoordinatorRecord r : records) {
            // Through the bytes, as a load sees them.
            CoordinatorRecord decoded = GroupRecords.SERDE.decode(
                    ByteBuffer.wrap(r.keyBytes()), r.isTombstone() ? null : ByteBuffer.wrap(r.valueBytes()));
            GroupRecordType.of(decoded.type()).dispatch(decoded, calls);
        }
        assertThat(calls.calls)
                .containsExactly(
                        "offsetCommit g 7",
                        "offsetCommit g tombstone",
                        "groupMetadata g",
                        "consumerGroupMetadata g",
                        "consumerGroupPartitionMetadata g",
                        "consumerGroupMemberMetadata g",
                        "consumerGroupTargetAssignmentMetadata g",
                        "consumerGroupTargetAssignmentMember g",
                        "consumerGroupCurrentMemberAssignment g",
                        "consumerGroupRegularExpression g");
    }

    @Test
    void aRecordOfAnotherTypeIsRefused() {
        CoordinatorRecord commit = GroupRecords.offsetCommit("g", "t", 0, 7L, -1, "", 0L, -1L, null);
        Calls calls = new Calls();
        assertThatThrownBy(() -> GroupRecordType.GROUP_METADATA.dispatch(commit, calls))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(calls.calls).isEmpty();
    }
}
