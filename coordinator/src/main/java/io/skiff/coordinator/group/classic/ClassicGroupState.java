package io.skiff.coordinator.group.classic;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The states of a classic group and the transitions between them. {@link ClassicGroup#transitionTo}
 * is the only place a group changes state; it checks the transition against
 * {@link #canTransitionTo}, logs it and counts it.
 */
public enum ClassicGroupState {
    /**
     * No members, but the group may hold committed offsets (and may be a "simple" group that only
     * stores offsets).
     * <ul>
     *   <li>JoinGroup: a new member joins (after MEMBER_ID_REQUIRED for v4+) and the group goes
     *       to PreparingRebalance, waiting {@code group.initial.rebalance.delay.ms} for others.</li>
     *   <li>SyncGroup, Heartbeat: UNKNOWN_MEMBER_ID.</li>
     *   <li>OffsetCommit: accepted from simple consumers (generation -1, no member id).</li>
     *   <li>OffsetFetch, OffsetDelete, DeleteGroups: accepted.</li>
     * </ul>
     * Next: PreparingRebalance (a member joins); Dead (deleted, all offsets expired, unloaded).
     */
    EMPTY("Empty"),

    /**
     * Members are (re)joining; parked JoinGroup requests are answered when every known member has
     * rejoined or the rebalance timeout passes.
     * <ul>
     *   <li>JoinGroup: the member is added or updated and parked.</li>
     *   <li>SyncGroup: REBALANCE_IN_PROGRESS. Heartbeat: REBALANCE_IN_PROGRESS (the session is
     *       kept alive).</li>
     *   <li>LeaveGroup: the member is removed; the join phase may complete.</li>
     *   <li>OffsetCommit: accepted from members of the current generation.</li>
     * </ul>
     * Next: CompletingRebalance (join phase done with members); Empty (nobody rejoined); Dead.
     */
    PREPARING_REBALANCE("PreparingRebalance"),

    /**
     * The new generation exists and the leader computes the assignment.
     * <ul>
     *   <li>JoinGroup: an unchanged member gets the current generation again; a changed one
     *       triggers a new rebalance.</li>
     *   <li>SyncGroup: followers are parked; the leader's assignment is written and, once
     *       durable, every member gets its part.</li>
     *   <li>Heartbeat: accepted. OffsetCommit: REBALANCE_IN_PROGRESS.</li>
     *   <li>LeaveGroup, member failure: back to PreparingRebalance.</li>
     * </ul>
     * Next: Stable (assignment written); PreparingRebalance; Dead.
     */
    COMPLETING_REBALANCE("CompletingRebalance"),

    /**
     * Every member has its assignment.
     * <ul>
     *   <li>JoinGroup: the leader or a member with changed metadata triggers a rebalance; a
     *       static member rejoining with the same protocols takes over without one.</li>
     *   <li>SyncGroup: returns the member's assignment. Heartbeat, OffsetCommit: accepted.</li>
     *   <li>LeaveGroup, member failure: back to PreparingRebalance.</li>
     * </ul>
     * Next: PreparingRebalance; Dead.
     */
    STABLE("Stable"),

    /**
     * The group has been removed (deleted, expired, migrated or unloaded); requests that still
     * hold it get COORDINATOR_NOT_AVAILABLE. Final.
     * Next: Dead only.
     */
    DEAD("Dead");

    private final String label;

    ClassicGroupState(String label) {
        this.label = label;
    }

    private static final Map<ClassicGroupState, Set<ClassicGroupState>> VALID_PREVIOUS =
            new EnumMap<>(ClassicGroupState.class);

    static {
        VALID_PREVIOUS.put(EMPTY, EnumSet.of(PREPARING_REBALANCE));
        VALID_PREVIOUS.put(PREPARING_REBALANCE, EnumSet.of(STABLE, COMPLETING_REBALANCE, EMPTY));
        VALID_PREVIOUS.put(COMPLETING_REBALANCE, EnumSet.of(PREPARING_REBALANCE));
        VALID_PREVIOUS.put(STABLE, EnumSet.of(COMPLETING_REBALANCE));
        VALID_PREVIOUS.put(DEAD, EnumSet.of(STABLE, PREPARING_REBALANCE, COMPLETING_REBALANCE, EMPTY, DEAD));
    }

    /** Whether a group in this state may move to {@code target}. */
    public boolean canTransitionTo(ClassicGroupState target) {
        return VALID_PREVIOUS.get(target).contains(this);
    }

    /** The states from which a group may move to this one. */
    public Set<ClassicGroupState> validPreviousStates() {
        return EnumSet.copyOf(VALID_PREVIOUS.get(this));
    }

    /** The name DescribeGroups and ListGroups use. */
    @Override
    public String toString() {
        return label;
    }

    /** Lower-case name, for ListGroups state filters. */
    public String toLowerCaseString() {
        return label.toLowerCase(Locale.ROOT);
    }
}
