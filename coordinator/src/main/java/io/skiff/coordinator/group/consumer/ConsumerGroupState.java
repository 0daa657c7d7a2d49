package io.skiff.coordinator.group.consumer;

import java.util.Locale;

/**
 * The states of a consumer (KIP-848) group. Unlike a classic group's, this state is derived:
 * {@link ConsumerGroup} recomputes it from the epochs and members after every record it replays,
 * so its "transitions" are whatever the records imply.
 */
public enum ConsumerGroupState {
    /** No members. */
    EMPTY("Empty"),
    /** The group epoch is ahead of the target assignment epoch: a new assignment is due. */
    ASSIGNING("Assigning"),
    /** Some member has not yet reached the target assignment. */
    RECONCILING("Reconciling"),
    /** Every member owns its target assignment. */
    STABLE("Stable"),
    /** Removed. */
    DEAD("Dead");

    private final String label;

    ConsumerGroupState(String label) {
        this.label = label;
    }

    @Override
    public String toString() {
        return label;
    }

    public String toLowerCaseString() {
        return label.toLowerCase(Locale.ROOT);
    }
}
