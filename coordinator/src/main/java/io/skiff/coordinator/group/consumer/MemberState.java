package io.skiff.coordinator.group.consumer;

/** Where a consumer group member is in reconciling its assignment with its target. */
public enum MemberState {
    /** The member owns its target assignment (for its epoch). */
    STABLE((byte) 0),
    /** The member must give up partitions before it can move to the next epoch. */
    UNREVOKED_PARTITIONS((byte) 1),
    /** The member waits for partitions still owned by other members. */
    UNRELEASED_PARTITIONS((byte) 2),
    /** A state written by a newer coordinator. */
    UNKNOWN((byte) 127);

    private final byte value;

    MemberState(byte value) {
        this.value = value;
    }

    /** The value stored in ConsumerGroupCurrentMemberAssignment records. */
    public byte value() {
        return value;
    }

    public static MemberState fromValue(byte value) {
        for (MemberState s : values()) {
            if (s.value == value) {
                return s;
            }
        }
        return UNKNOWN;
    }
}
