package io.skiff.coordinator.group.consumer;

import io.skiff.coordinator.runtime.CoordinatorException;
import io.skiff.wire.message.ConsumerGroupHeartbeatRequest;
import io.skiff.wire.protocol.Errors;
import io.skiff.wire.protocol.Uuid;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Moves a member's current assignment towards its target assignment, one safe step at a time
 * (KIP-848 reconciliation): partitions the member must give up are first put pending revocation
 * and the member stays in its epoch until its heartbeat no longer reports them; only then does it
 * move to the target epoch, and partitions still owned by another member are withheld
 * (UNRELEASED_PARTITIONS) until that member has released them. Partitions of topics the member no
 * longer subscribes to are revoked at once. Stateless.
 */
public final class Reconciler {
    /** Where a partition's owner epoch is looked up: -1 when no member owns it. */
    public interface PartitionEpochs {
        int currentPartitionEpoch(Uuid topicId, int partition);
    }

    private final ConsumerGroupMember member;
    private final int targetEpoch;
    private final Map<Uuid, Set<Integer>> target;
    private final PartitionEpochs partitionEpochs;
    private final List<ConsumerGroupHeartbeatRequest.TopicPartitions> owned;
    private final Set<Uuid> subscribedTopicIds;
    private final boolean enforceSubscriptionConsistency;

    /**
     * @param owned                          the partitions the member reported owning (null if it did not say)
     * @param subscribedTopicIds             the ids of the topics the member subscribes to now
     * @param enforceSubscriptionConsistency revoke unsubscribed topics even without a new target
     */
    public Reconciler(
            ConsumerGroupMember member,
            int targetEpoch,
            Map<Uuid, Set<Integer>> target,
            PartitionEpochs partitionEpochs,
            List<ConsumerGroupHeartbeatRequest.TopicPartitions> owned,
            Set<Uuid> subscribedTopicIds,
            boolean enforceSubscriptionConsistency) {
        this.member = member;
        this.targetEpoch = targetEpoch;
        this.target = target;
        this.partitionEpochs = partitionEpochs;
        this.owned = owned;
        this.subscribedTopicIds = subscribedTopicIds;
        this.enforceSubscriptionConsistency = enforceSubscriptionConsistency;
    }

    /** The member's next state, or the member itself if it cannot move. */
    public ConsumerGroupMember reconcile() {
        switch (member.state()) {
            case STABLE:
                if (member.memberEpoch() != targetEpoch) {
                    return computeNextAssignment(member.memberEpoch(), member.assignedPartitions());
                } else if (enforceSubscriptionConsistency) {
                    return dropUnsubscribedTopics(member.memberEpoch(), member.assignedPartitions());
                }
                return member;
            case UNREVOKED_PARTITIONS:
                if (ownsRevokedPartitions(member.partitionsPendingRevocation())) {
                    return enforceSubscriptionConsistency
                            ? dropUnsubscribedTopics(member.memberEpoch(), member.assignedPartitions())
                            : member;
                }
                return computeNextAssignment(member.memberEpoch(), member.assignedPartitions());
            case UNRELEASED_PARTITIONS:
                return computeNextAssignment(member.memberEpoch(), member.assignedPartitions());
            default:
                // Written by a newer coordinator: start over from an empty assignment.
                if (owned == null || !owned.isEmpty()) {
                    throw new CoordinatorException(
                            Errors.FENCED_MEMBER_EPOCH,
                            "The consumer group member is in a unknown state. The member must abandon all its partitions and rejoin.");
                }
                return computeNextAssignment(targetEpoch, member.assignedPartitions());
        }
    }

    /** Whether the member still reports owning any of these partitions (true if it did not say). */
    private boolean ownsRevokedPartitions(Map<Uuid, Map<Integer, Integer>> revoked) {
        if (owned == null) {
            return true;
        }
        for (ConsumerGroupHeartbeatRequest.TopicPartitions tp : owned) {
            Map<Integer, Integer> pending = revoked.get(tp.topicId());
            if (pending == null) {
                continue;
            }
            for (Integer p : tp.partitions()) {
                if (pending.containsKey(p)) {
                    return true;
                }
            }
        }
        return false;
    }

    private ConsumerGroupMember dropUnsubscribedTopics(int epoch, Map<Uuid, Map<Integer, Integer>> assigned) {
        Map<Uuid, Map<Integer, Integer>> keep = new HashMap<>();
        Map<Uuid, Map<Integer, Integer>> revoke = new HashMap<>(member.partitionsPendingRevocation());
        boolean changed = false;
        for (Map.Entry<Uuid, Map<Integer, Integer>> e : assigned.entrySet()) {
            if (subscribedTopicIds.contains(e.getKey())) {
                keep.put(e.getKey(), e.getValue());
            } else {
                changed = true;
                Map<Integer, Integer> merged = new HashMap<>(revoke.getOrDefault(e.getKey(), Map.of()));
                merged.putAll(e.getValue());
                revoke.put(e.getKey(), merged);
            }
        }
        if (!changed) {
            return member;
        }
        if (!revoke.isEmpty() && ownsRevokedPartitions(revoke)) {
            return new ConsumerGroupMember.Builder(member)
                    .state(MemberState.UNREVOKED_PARTITIONS)
                    .updateMemberEpoch(epoch)
                    .assignedPartitions(keep)
                    .partitionsPendingRevocation(revoke)
                    .build();
        }
        return new ConsumerGroupMember.Builder(member)
                .updateMemberEpoch(epoch)
                .assignedPartitions(keep)
                .build();
    }

    private ConsumerGroupMember computeNextAssignment(int epoch, Map<Uuid, Map<Integer, Integer>> assigned) {
        boolean hasUnreleased = false;
        Map<Uuid, Map<Integer, Integer>> newAssigned = new HashMap<>();
        Map<Uuid, Map<Integer, Integer>> newRevoking = new HashMap<>();
        Map<Uuid, Set<Integer>> newPending = new HashMap<>();
        Set<Uuid> topics = new HashSet<>(target.keySet());
        topics.addAll(assigned.keySet());
        for (Uuid topicId : topics) {
            Set<Integer> topicTarget =
                    subscribedTopicIds.contains(topicId) ? target.getOrDefault(topicId, Set.of()) : Set.of();
            Map<Integer, Integer> current = assigned.getOrDefault(topicId, Map.of());
            // Kept: currently assigned and still targeted.
            Map<Integer, Integer> kept = new HashMap<>();
            Map<Integer, Integer> revoking = new HashMap<>();
            for (Map.Entry<Integer, Integer> p : current.entrySet()) {
                if (topicTarget.contains(p.getKey())) {
                    kept.put(p.getKey(), p.getValue());
                } else {
                    revoking.put(p.getKey(), p.getValue());
                }
            }
            // To assign: targeted, not held, and not owned by anybody else.
            Map<Integer, Integer> ownPending =
                    member.partitionsPendingRevocation().getOrDefault(topicId, Map.of());
            Set<Integer> toAssign = new HashSet<>();
            for (Integer p : topicTarget) {
                if (kept.containsKey(p)) {
                    continue;
                }
                if (partitionEpochs.currentPartitionEpoch(topicId, p) != -1 && !ownPending.containsKey(p)) {
                    hasUnreleased = true;
                } else {
                    toAssign.add(p);
                }
            }
            if (!kept.isEmpty()) {
                newAssigned.put(topicId, kept);
            }
            if (!revoking.isEmpty()) {
                newRevoking.put(topicId, revoking);
            }
            if (!toAssign.isEmpty()) {
                newPending.put(topicId, toAssign);
            }
        }
        if (!newRevoking.isEmpty() && ownsRevokedPartitions(newRevoking)) {
            // Revocation first: stay in the current epoch until the member lets them go.
            return new ConsumerGroupMember.Builder(member)
                    .state(MemberState.UNREVOKED_PARTITIONS)
                    .updateMemberEpoch(epoch)
                    .assignedPartitions(newAssigned)
                    .partitionsPendingRevocation(newRevoking)
                    .build();
        }
        for (Map.Entry<Uuid, Set<Integer>> e : newPending.entrySet()) {
            Map<Integer, Integer> ps = newAssigned.computeIfAbsent(e.getKey(), k -> new HashMap<>());
            for (Integer p : e.getValue()) {
                ps.put(p, targetEpoch);
            }
        }
        return new ConsumerGroupMember.Builder(member)
                .state(hasUnreleased ? MemberState.UNRELEASED_PARTITIONS : MemberState.STABLE)
                .updateMemberEpoch(targetEpoch)
                .assignedPartitions(newAssigned)
                .partitionsPendingRevocation(Map.of())
                .build();
    }
}
