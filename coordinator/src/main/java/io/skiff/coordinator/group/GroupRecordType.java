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
import io.skiff.coordinator.runtime.CoordinatorRecord;
import io.skiff.wire.protocol.Message;

/**
 * The record types the group coordinator replays, each bound to its key and value classes and to
 * its {@link GroupRecordHandler} method. {@link #of(short)} finds a record's type by its type
 * code; {@link #dispatch} checks the key and value classes once, here, and hands them over typed.
 * Stateless and thread-safe.
 */
public enum GroupRecordType {
    OFFSET_COMMIT(GroupRecords.OFFSET_COMMIT, OffsetCommitKey.class, OffsetCommitValue.class) {
        @Override
        void dispatch(Message key, Message value, GroupRecordHandler handler) {
            handler.offsetCommit((OffsetCommitKey) key, (OffsetCommitValue) value);
        }
    },
    GROUP_METADATA(GroupRecords.GROUP_METADATA, GroupMetadataKey.class, GroupMetadataValue.class) {
        @Override
        void dispatch(Message key, Message value, GroupRecordHandler handler) {
            handler.groupMetadata((GroupMetadataKey) key, (GroupMetadataValue) value);
        }
    },
    CONSUMER_GROUP_METADATA(
            GroupRecords.CONSUMER_GROUP_METADATA, ConsumerGroupMetadataKey.class, ConsumerGroupMetadataValue.class) {
        @Override
        void dispatch(Message key, Message value, GroupRecordHandler handler) {
            handler.consumerGroupMetadata((ConsumerGroupMetadataKey) key, (ConsumerGroupMetadataValue) value);
        }
    },
    CONSUMER_GROUP_PARTITION_METADATA(
            GroupRecords.CONSUMER_GROUP_PARTITION_METADATA,
            ConsumerGroupPartitionMetadataKey.class,
            ConsumerGroupPartitionMetadataValue.class) {
        @Override
        void dispatch(Message key, Message value, GroupRecordHandler handler) {
            handler.consumerGroupPartitionMetadata(
                    (ConsumerGroupPartitionMetadataKey) key, (ConsumerGroupPartitionMetadataValue) value);
        }
    },
    CONSUMER_GROUP_MEMBER_METADATA(
            GroupRecords.CONSUMER_GROUP_MEMBER_METADATA,
            ConsumerGroupMemberMetadataKey.class,
            ConsumerGroupMemberMetadataValue.class) {
        @Override
        void dispatch(Message key, Message value, GroupRecordHandler handler) {
            handler.consumerGroupMemberMetadata(
                    (ConsumerGroupMemberMetadataKey) key, (ConsumerGroupMemberMetadataValue) value);
        }
    },
    CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA(
            GroupRecords.CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA,
            ConsumerGroupTargetAssignmentMetadataKey.class,
            ConsumerGroupTargetAssignmentMetadataValue.class) {
        @Override
        void dispatch(Message key, Message value, GroupRecordHandler handler) {
            handler.consumerGroupTargetAssignmentMetadata(
                    (ConsumerGroupTargetAssignmentMetadataKey) key, (ConsumerGroupTargetAssignmentMetadataValue) value);
        }
    },
    CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER(
            GroupRecords.CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER,
            ConsumerGroupTargetAssignmentMemberKey.class,
            ConsumerGroupTargetAssignmentMemberValue.class) {
        @Override
        void dispatch(Message key, Message value, GroupRecordHandler handler) {
            handler.consumerGroupTargetAssignmentMember(
                    (ConsumerGroupTargetAssignmentMemberKey) key, (ConsumerGroupTargetAssignmentMemberValue) value);
        }
    },
    CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT(
            GroupRecords.CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT,
            ConsumerGroupCurrentMemberAssignmentKey.class,
            ConsumerGroupCurrentMemberAssignmentValue.class) {
        @Override
        void dispatch(Message key, Message value, GroupRecordHandler handler) {
            handler.consumerGroupCurrentMemberAssignment(
                    (ConsumerGroupCurrentMemberAssignmentKey) key, (ConsumerGroupCurrentMemberAssignmentValue) value);
        }
    },
    CONSUMER_GROUP_REGULAR_EXPRESSION(
            GroupRecords.CONSUMER_GROUP_REGULAR_EXPRESSION,
            ConsumerGroupRegularExpressionKey.class,
            ConsumerGroupRegularExpressionValue.class) {
        @Override
        void dispatch(Message key, Message value, GroupRecordHandler handler) {
            handler.consumerGroupRegularExpression(
                    (ConsumerGroupRegularExpressionKey) key, (ConsumerGroupRegularExpressionValue) value);
        }
    };

    private static final GroupRecordType[] BY_CODE;

    static {
        int max = 0;
        for (GroupRecordType t : values()) {
            max = Math.max(max, t.code);
        }
        BY_CODE = new GroupRecordType[max + 1];
        for (GroupRecordType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final short code;
    private final Class<? extends Message> keyClass;
    private final Class<? extends Message> valueClass;

    GroupRecordType(short code, Class<? extends Message> keyClass, Class<? extends Message> valueClass) {
        this.code = code;
        this.keyClass = keyClass;
        this.valueClass = valueClass;
    }

    /** The type code: the key's version prefix in the serialized record. */
    public short code() {
        return code;
    }

    /** The type of code {@code code}, or null if the group coordinator has no such record type. */
    public static GroupRecordType of(short code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /**
     * Calls {@code handler}'s method for {@code record}, which must be of this type.
     *
     * @throws IllegalArgumentException if the record's type code, key or value is not this type's
     */
    public void dispatch(CoordinatorRecord record, GroupRecordHandler handler) {
        Message key = record.key();
        Message value = record.value();
        if (record.type() != code || !keyClass.isInstance(key) || (value != null && !valueClass.isInstance(value))) {
            throw new IllegalArgumentException(this + " cannot replay " + record);
        }
        dispatch(key, value, handler);
    }

    /** Hands over the key and value, whose classes {@link #dispatch(CoordinatorRecord, GroupRecordHandler)} checked. */
    abstract void dispatch(Message key, Message value, GroupRecordHandler handler);
}
