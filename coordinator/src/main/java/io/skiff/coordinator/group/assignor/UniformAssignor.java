package io.skiff.coordinator.group.assignor;

import io.skiff.wire.protocol.Uuid;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The {@code uniform} server assignor (Kafka's default): spreads partitions as evenly as the
 * subscriptions allow and keeps each member's current partitions where it can (sticky), so that
 * a membership change moves as few partitions as possible.
 *
 * <p>When every member subscribes to the same topics, each member gets {@code partitions /
 * members} partitions and {@code partitions % members} of them one more; the extra slots go to
 * members that already hold that many, members keep their partitions up to their quota and the
 * released and unassigned partitions fill the members below quota. When subscriptions differ,
 * members keep their valid partitions, unassigned partitions go (those with the fewest candidate
 * members first) to the candidate with the fewest partitions, and partitions then move from a
 * member to a candidate holding at least two fewer until no such move remains. Stateless.
 */
public final class UniformAssignor implements PartitionAssignor {
    public static final String NAME = "uniform";

    @Override
    public String name() {
        return NAME;
    }

    /** A topic partition, ordered by topic id then partition. */
    private static final class TopicPartition implements Comparable<TopicPartition> {
        final Uuid topicId;
        final int partition;

        TopicPartition(Uuid topicId, int partition) {
            this.topicId = topicId;
            this.partition = partition;
        }

        @Override
        public int compareTo(TopicPartition o) {
            int c = topicId.compareTo(o.topicId);
            return c != 0 ? c : Integer.compare(partition, o.partition);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TopicPartition
                    && ((TopicPartition) o).topicId.equals(topicId)
                    && ((TopicPartition) o).partition == partition;
        }

        @Override
        public int hashCode() {
            return topicId.hashCode() * 31 + partition;
        }
    }

    @Override
    public Map<String, Map<Uuid, Set<Integer>>> assign(
            Map<String, MemberSubscription> members, Map<Uuid, Integer> partitions) {
        List<String> memberIds = new ArrayList<>(members.keySet());
        memberIds.sort(null);
        Map<String, TreeSet<TopicPartition>> result = new HashMap<>();
        for (String m : memberIds) {
            result.put(m, new TreeSet<>());
        }
        if (!memberIds.isEmpty()) {
            boolean homogeneous = true;
            Set<Uuid> first = members.get(memberIds.get(0)).subscribedTopicIds;
            for (String m : memberIds) {
                if (!members.get(m).subscribedTopicIds.equals(first)) {
                    homogeneous = false;
                    break;
                }
            }
            // Partitions each member validly holds now (subscribed, existing, not held by another).
            Set<TopicPartition> claimed = new HashSet<>();
            Map<String, TreeSet<TopicPartition>> held = new HashMap<>();
            for (String m : memberIds) {
                MemberSubscription spec = members.get(m);
                TreeSet<TopicPartition> mine = new TreeSet<>();
                for (Map.Entry<Uuid, Set<Integer>> e : spec.currentAssignment.entrySet()) {
                    Integer n = partitions.get(e.getKey());
                    if (n == null || !spec.subscribedTopicIds.contains(e.getKey())) {
                        continue;
                    }
                    for (Integer p : e.getValue()) {
                        TopicPartition tp = new TopicPartition(e.getKey(), p);
                        if (p < n && claimed.add(tp)) {
                            mine.add(tp);
                        }
                    }
                }
                held.put(m, mine);
            }
            if (homogeneous) {
                assignHomogeneous(memberIds, first, partitions, held, result);
            } else {
                assignHeterogeneous(memberIds, members, partitions, held, result);
            }
        }
        Map<String, Map<Uuid, Set<Integer>>> out = new HashMap<>();
        for (Map.Entry<String, TreeSet<TopicPartition>> e : result.entrySet()) {
            Map<Uuid, Set<Integer>> byTopic = new TreeMap<>();
            for (TopicPartition tp : e.getValue()) {
                byTopic.computeIfAbsent(tp.topicId, k -> new TreeSet<>()).add(tp.partition);
            }
            out.put(e.getKey(), byTopic);
        }
        return out;
    }

    private static List<TopicPartition> allPartitions(Set<Uuid> topics, Map<Uuid, Integer> partitions) {
        List<TopicPartition> all = new ArrayList<>();
        for (Uuid t : new TreeSet<>(topics)) {
            Integer n = partitions.get(t);
            if (n == null) {
                continue;
            }
            for (int p = 0; p < n; p++) {
                all.add(new TopicPartition(t, p));
            }
        }
        return all;
    }

    private static void assignHomogeneous(
            List<String> memberIds,
            Set<Uuid> topics,
            Map<Uuid, Integer> partitions,
            Map<String, TreeSet<TopicPartition>> held,
            Map<String, TreeSet<TopicPartition>> result) {
        List<TopicPartition> all = allPartitions(topics, partitions);
        int numMembers = memberIds.size();
        int minQuota = all.size() / numMembers;
        int extra = all.size() % numMembers;
        // The extra partitions go to the members holding the most, so that fewer partitions move.
        List<String> byHeld = new ArrayList<>(memberIds);
        byHeld.sort(Comparator.comparingInt((String m) -> -held.get(m).size()).thenComparing(m -> m));
        Map<String, Integer> quota = new HashMap<>();
        for (int i = 0; i < byHeld.size(); i++) {
            quota.put(byHeld.get(i), minQuota + (i < extra ? 1 : 0));
        }
        Set<TopicPartition> kept = new HashSet<>();
        for (String m : memberIds) {
            int q = quota.get(m);
            for (TopicPartition tp : held.get(m)) {
                if (result.get(m).size() >= q) {
                    break;
                }
                result.get(m).add(tp);
                kept.add(tp);
            }
        }
        int next = 0;
        for (String m : memberIds) {
            int q = quota.get(m);
            TreeSet<TopicPartition> mine = result.get(m);
            while (mine.size() < q) {
                while (kept.contains(all.get(next))) {
                    next++;
                }
                mine.add(all.get(next++));
            }
        }
    }

    private static void assignHeterogeneous(
            List<String> memberIds,
            Map<String, MemberSubscription> members,
            Map<Uuid, Integer> partitions,
            Map<String, TreeSet<TopicPartition>> held,
            Map<String, TreeSet<TopicPartition>> result) {
        Set<Uuid> topics = new HashSet<>();
        Map<Uuid, List<String>> candidates = new HashMap<>();
        for (String m : memberIds) {
            for (Uuid t : members.get(m).subscribedTopicIds) {
                if (partitions.containsKey(t)) {
                    topics.add(t);
                    candidates.computeIfAbsent(t, k -> new ArrayList<>()).add(m);
                }
            }
        }
        Set<TopicPartition> assigned = new HashSet<>();
        for (String m : memberIds) {
            result.get(m).addAll(held.get(m));
            assigned.addAll(held.get(m));
        }
        List<TopicPartition> unassigned = new ArrayList<>();
        for (TopicPartition tp : allPartitions(topics, partitions)) {
            if (!assigned.contains(tp)) {
                unassigned.add(tp);
            }
        }
        unassigned.sort(Comparator.comparingInt(
                        (TopicPartition tp) -> candidates.get(tp.topicId).size())
                .thenComparing(tp -> tp));
        for (TopicPartition tp : unassigned) {
            String best = null;
            for (String m : candidates.get(tp.topicId)) {
                if (best == null || result.get(m).size() < result.get(best).size()) {
                    best = m;
                }
            }
            result.get(best).add(tp);
        }
        // Move partitions to candidates holding at least two fewer; every move lowers the sum of
        // squared counts, so this ends.
        boolean moved = true;
        while (moved) {
            moved = false;
            for (String from : memberIds) {
                for (TopicPartition tp : new ArrayList<>(result.get(from))) {
                    String best = null;
                    for (String to : candidates.get(tp.topicId)) {
                        if (!to.equals(from)
                                && result.get(to).size() < result.get(from).size() - 1
                                && (best == null
                                        || result.get(to).size()
                                                < result.get(best).size())) {
                            best = to;
                        }
                    }
                    if (best != null) {
                        result.get(from).remove(tp);
                        result.get(best).add(tp);
                        moved = true;
                    }
                }
            }
        }
    }
}
