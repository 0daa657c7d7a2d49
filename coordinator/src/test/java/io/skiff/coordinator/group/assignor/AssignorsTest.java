package io.skiff.coordinator.group.assignor;

import static org.assertj.core.api.Assertions.assertThat;

import io.skiff.wire.protocol.Uuid;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The server-side assignors: balance, stickiness and Kafka's range layout. */
class AssignorsTest {
    private static final Uuid T1 = new Uuid(0L, 101L);
    private static final Uuid T2 = new Uuid(0L, 102L);

    private static PartitionAssignor.MemberSubscription member(Set<Uuid> topics, Map<Uuid, Set<Integer>> current) {
        return new PartitionAssignor.MemberSubscription(null, null, topics, current);
    }

    private static int size(Map<Uuid, Set<Integer>> a) {
        int n = 0;
        for (Set<Integer> s : a.values()) {
            n += s.size();
        }
        return n;
    }

    private static void assertCoversOnce(Map<String, Map<Uuid, Set<Integer>>> result, Map<Uuid, Integer> partitions) {
        Set<String> seen = new HashSet<>();
        for (Map<Uuid, Set<Integer>> a : result.values()) {
            for (Map.Entry<Uuid, Set<Integer>> e : a.entrySet()) {
                for (Integer p : e.getValue()) {
                    assertThat(seen.add(e.getKey() + "-" + p))
                            .as("partition assigned twice")
                            .isTrue();
                }
            }
        }
        int total = 0;
        for (int n : partitions.values()) {
            total += n;
        }
        assertThat(seen).hasSize(total);
    }

    @Test
    void uniformBalancesHomogeneousSubscriptionsAndKeepsPartitionsWhenAMemberJoins() {
        UniformAssignor uniform = new UniformAssignor();
        Map<Uuid, Integer> partitions = Map.of(T1, 7);
        Map<String, PartitionAssignor.MemberSubscription> members = new HashMap<>();
        members.put("a", member(Set.of(T1), Map.of()));
        members.put("b", member(Set.of(T1), Map.of()));
        Map<String, Map<Uuid, Set<Integer>>> first = uniform.assign(members, partitions);
        assertCoversOnce(first, partitions);
        assertThat(Math.abs(size(first.get("a")) - size(first.get("b")))).isLessThanOrEqualTo(1);

        members.put("a", member(Set.of(T1), first.get("a")));
        members.put("b", member(Set.of(T1), first.get("b")));
        members.put("c", member(Set.of(T1), Map.of()));
        Map<String, Map<Uuid, Set<Integer>>> second = uniform.assign(members, partitions);
        assertCoversOnce(second, partitions);
        for (String m : second.keySet()) {
            assertThat(size(second.get(m))).isBetween(2, 3);
        }
        // Sticky: a and b keep partitions they had; only what c needs moves.
        assertThat(first.get("a").get(T1)).containsAll(second.get("a").get(T1));
        assertThat(first.get("b").get(T1)).containsAll(second.get("b").get(T1));
        int moved = size(second.get("c"));
        assertThat(moved).isBetween(2, 3);
    }

    @Test
    void uniformAssignsEveryPartitionOfHeterogeneousSubscriptionsToSubscribersEvenly() {
        UniformAssignor uniform = new UniformAssignor();
        Map<Uuid, Integer> partitions = Map.of(T1, 4, T2, 4);
        Map<String, PartitionAssignor.MemberSubscription> members = new HashMap<>();
        members.put("a", member(Set.of(T1, T2), Map.of(T1, Set.of(0, 1, 2, 3))));
        members.put("b", member(Set.of(T2), Map.of()));
        members.put("c", member(Set.of(T1, T2), Map.of()));
        Map<String, Map<Uuid, Set<Integer>>> result = uniform.assign(members, partitions);
        assertCoversOnce(result, partitions);
        assertThat(result.get("b").keySet()).containsOnly(T2);
        for (String m : result.keySet()) {
            assertThat(size(result.get(m))).isBetween(2, 3);
        }
        // a keeps some of what it had on T1.
        assertThat(Set.of(0, 1, 2, 3)).containsAll(result.get("a").getOrDefault(T1, Set.of()));
        assertThat(result.get("a").getOrDefault(T1, Set.of())).isNotEmpty();
    }

    @Test
    void uniformDropsPartitionsOfTopicsAMemberNoLongerSubscribesTo() {
        UniformAssignor uniform = new UniformAssignor();
        Map<String, PartitionAssignor.MemberSubscription> members =
                Map.of("a", member(Set.of(T2), Map.of(T1, Set.of(0, 1), T2, Set.of(0))));
        Map<String, Map<Uuid, Set<Integer>>> result = uniform.assign(members, Map.of(T2, 2));
        assertThat(result.get("a")).isEqualTo(Map.of(T2, new TreeSet<>(Set.of(0, 1))));
    }

    @Test
    void rangeGivesContiguousRangesPerTopicInMemberOrderStaticMembersFirst() {
        RangeAssignor range = new RangeAssignor();
        Map<String, PartitionAssignor.MemberSubscription> members = new HashMap<>();
        members.put("m-b", member(Set.of(T1, T2), Map.of()));
        members.put("m-a", member(Set.of(T1, T2), Map.of()));
        members.put("z-static", new PartitionAssignor.MemberSubscription("instance-1", null, Set.of(T1, T2), Map.of()));
        Map<String, Map<Uuid, Set<Integer>>> result = range.assign(members, Map.of(T1, 7, T2, 2));
        assertThat(result.get("z-static").get(T1)).containsExactly(0, 1, 2);
        assertThat(result.get("m-a").get(T1)).containsExactly(3, 4);
        assertThat(result.get("m-b").get(T1)).containsExactly(5, 6);
        assertThat(result.get("z-static").get(T2)).containsExactly(0);
        assertThat(result.get("m-a").get(T2)).containsExactly(1);
        assertThat(result.get("m-b")).doesNotContainKey(T2);
    }

    @Test
    void rangeOnlyCountsSubscribersOfEachTopic() {
        RangeAssignor range = new RangeAssignor();
        Map<String, PartitionAssignor.MemberSubscription> members = new HashMap<>();
        members.put("a", member(Set.of(T1), Map.of()));
        members.put("b", member(Set.of(T1, T2), Map.of()));
        Map<String, Map<Uuid, Set<Integer>>> result = range.assign(members, Map.of(T1, 4, T2, 3));
        assertThat(result.get("a").get(T1)).containsExactly(0, 1);
        assertThat(result.get("b").get(T1)).containsExactly(2, 3);
        assertThat(result.get("b").get(T2)).containsExactly(0, 1, 2);
    }
}
