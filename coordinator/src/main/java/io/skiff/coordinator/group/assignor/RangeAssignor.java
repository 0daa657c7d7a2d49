package io.skiff.coordinator.group.assignor;

import io.skiff.wire.protocol.Uuid;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code range} server assignor, with Kafka's semantics: for each topic, the members that
 * subscribe to it, ordered by instance id (static members first) and then member id, get
 * contiguous ranges of partitions; the first {@code partitions % members} get one extra. Not
 * sticky: the result depends only on the subscriptions. Stateless.
 */
public final class RangeAssignor implements PartitionAssignor {
    public static final String NAME = "range";

    @Override
    public String name() {
        return NAME;
    }

    static final Comparator<Map.Entry<String, MemberSubscription>> MEMBER_ORDER = (a, b) -> {
        String ia = a.getValue().instanceId;
        String ib = b.getValue().instanceId;
        if (ia != null && ib != null) {
            int c = ia.compareTo(ib);
            return c != 0 ? c : a.getKey().compareTo(b.getKey());
        } else if (ia != null) {
            return -1;
        } else if (ib != null) {
            return 1;
        }
        return a.getKey().compareTo(b.getKey());
    };

    @Override
    public Map<String, Map<Uuid, Set<Integer>>> assign(
            Map<String, MemberSubscription> members, Map<Uuid, Integer> partitions) {
        List<Map.Entry<String, MemberSubscription>> sorted = new ArrayList<>(members.entrySet());
        sorted.sort(MEMBER_ORDER);
        Map<String, Map<Uuid, Set<Integer>>> out = new HashMap<>();
        for (Map.Entry<String, MemberSubscription> m : sorted) {
            out.put(m.getKey(), new HashMap<>());
        }
        for (Map.Entry<Uuid, Integer> topic : partitions.entrySet()) {
            Uuid topicId = topic.getKey();
            int numPartitions = topic.getValue();
            List<String> subscribers = new ArrayList<>();
            for (Map.Entry<String, MemberSubscription> m : sorted) {
                if (m.getValue().subscribedTopicIds.contains(topicId)) {
                    subscribers.add(m.getKey());
                }
            }
            if (subscribers.isEmpty()) {
                continue;
            }
            int quota = numPartitions / subscribers.size();
            int extra = numPartitions % subscribers.size();
            int next = 0;
            for (String memberId : subscribers) {
                int count = quota + (extra > 0 ? 1 : 0);
                if (extra > 0) {
                    extra--;
                }
                if (count > 0) {
                    Set<Integer> range = new TreeSet<>();
                    for (int p = next; p < next + count; p++) {
                        range.add(p);
                    }
                    out.get(memberId).put(topicId, range);
                }
                next += count;
            }
        }
        return out;
    }
}
