package io.skiff.coordinator.group.offsets;

import io.skiff.coordinator.record.OffsetCommitKey;
import io.skiff.coordinator.record.OffsetCommitValue;
import io.skiff.coordinator.runtime.CoordinatorLog;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The offsets of one shard: the committed offsets (group -> topic -> partition -> offset) and,
 * as Kafka keeps them, the pending transactional offsets of each producer whose transaction is
 * open. Changed only by {@link #replay} and {@link #replayEndTransactionMarker}.
 *
 * <ul>
 *   <li>An OffsetCommit record of a batch without a producer is committed at once.</li>
 *   <li>One of a transactional batch (TxnOffsetCommit) is pending in its producer's set until the
 *       producer's marker: a commit moves the set to the committed offsets, partition by
 *       partition, unless the partition's committed offset comes from a later record (a plain
 *       commit written after the transactional one wins, as Kafka decides by record offset so that
 *       compaction cannot change the outcome); an abort drops the set.</li>
 *   <li>A tombstone deletes the committed offset and every producer's pending one of the
 *       partition.</li>
 * </ul>
 *
 * Topics and partitions iterate in sorted order so that responses listing all offsets are stable.
 * Shard-thread only.
 */
public final class OffsetStore {
    private final Offsets committed = new Offsets();
    /** Producer id -> the offsets its open transaction wrote. */
    private final Map<Long, Offsets> pendingByProducer = new HashMap<>();
    /** Group -> topic -> partition -> the producers with a pending offset for it. */
    private final Map<String, Map<String, Map<Integer, Set<Long>>>> openTransactions = new HashMap<>();

    private int numOffsets;

    /**
     * Applies an OffsetCommit record at {@code recordOffset} of a batch of {@code producerId}
     * ({@link CoordinatorLog#NO_PRODUCER_ID} for a plain batch); a null value deletes the offset.
     */
    public void replay(long recordOffset, long producerId, OffsetCommitKey key, OffsetCommitValue value) {
        String groupId = key.group();
        String topic = key.topic();
        int partition = key.partition();
        if (value == null) {
            if (committed.remove(groupId, topic, partition) != null) {
                numOffsets--;
            }
            Set<Long> producers = openProducers(groupId, topic, partition);
            if (producers != null) {
                for (Long p : producers) {
                    Offsets pending = pendingByProducer.get(p);
                    if (pending != null) {
                        pending.remove(groupId, topic, partition);
                    }
                }
                removeOpen(groupId, topic, partition, null);
            }
            return;
        }
        OffsetAndMetadata offset = OffsetAndMetadata.fromRecord(recordOffset, value);
        if (producerId == CoordinatorLog.NO_PRODUCER_ID) {
            if (committed.put(groupId, topic, partition, offset) == null) {
                numOffsets++;
            }
            return;
        }
        pendingByProducer.computeIfAbsent(producerId, p -> new Offsets()).put(groupId, topic, partition, offset);
        openTransactions
                .computeIfAbsent(groupId, g -> new TreeMap<>())
                .computeIfAbsent(topic, t -> new TreeMap<>())
                .computeIfAbsent(partition, p -> new TreeSet<>())
                .add(producerId);
    }

    /**
     * Applies the end of {@code producerId}'s transaction: its pending offsets become committed
     * ({@code commit}) where no later record committed the partition, or are dropped. A marker of
     * a producer without pending offsets changes nothing.
     */
    public void replayEndTransactionMarker(long producerId, boolean commit) {
        Offsets pending = pendingByProducer.remove(producerId);
        if (pending == null) {
            return;
        }
        for (Map.Entry<String, Map<String, Map<Integer, OffsetAndMetadata>>> g : pending.byGroup.entrySet()) {
            String groupId = g.getKey();
            for (Map.Entry<String, Map<Integer, OffsetAndMetadata>> t :
                    g.getValue().entrySet()) {
                for (Map.Entry<Integer, OffsetAndMetadata> p : t.getValue().entrySet()) {
                    removeOpen(groupId, t.getKey(), p.getKey(), producerId);
                    if (!commit) {
                        continue;
                    }
                    OffsetAndMetadata existing = committed.get(groupId, t.getKey(), p.getKey());
                    if (existing == null || p.getValue().recordOffset > existing.recordOffset) {
                        if (committed.put(groupId, t.getKey(), p.getKey(), p.getValue()) == null) {
                            numOffsets++;
                        }
                    }
                }
            }
        }
    }

    private Set<Long> openProducers(String groupId, String topic, int partition) {
        Map<String, Map<Integer, Set<Long>>> topics = openTransactions.get(groupId);
        Map<Integer, Set<Long>> partitions = topics == null ? null : topics.get(topic);
        return partitions == null ? null : partitions.get(partition);
    }

    /** Forgets that {@code producerId} (every producer if null) has a pending offset for the partition. */
    private void removeOpen(String groupId, String topic, int partition, Long producerId) {
        Map<String, Map<Integer, Set<Long>>> topics = openTransactions.get(groupId);
        Map<Integer, Set<Long>> partitions = topics == null ? null : topics.get(topic);
        Set<Long> producers = partitions == null ? null : partitions.get(partition);
        if (producers == null) {
            return;
        }
        if (producerId != null) {
            producers.remove(producerId);
        }
        if (producerId == null || producers.isEmpty()) {
            partitions.remove(partition);
        }
        if (partitions.isEmpty()) {
            topics.remove(topic);
        }
        if (topics.isEmpty()) {
            openTransactions.remove(groupId);
        }
    }

    /** The committed offset, or null. */
    public OffsetAndMetadata get(String groupId, String topic, int partition) {
        return committed.get(groupId, topic, partition);
    }

    /** Topic -> partition -> committed offset of a group (read-only view, empty if none). */
    public Map<String, Map<Integer, OffsetAndMetadata>> offsets(String groupId) {
        return committed.offsets(groupId);
    }

    /** Whether the group has committed offsets. */
    public boolean hasOffsets(String groupId) {
        return committed.byGroup.containsKey(groupId);
    }

    /** Group ids that have committed offsets (read-only view). */
    public Set<String> groupIds() {
        return Collections.unmodifiableSet(committed.byGroup.keySet());
    }

    /** The number of committed offsets. */
    public int numOffsets() {
        return numOffsets;
    }

    /** Whether an open transaction holds a pending offset for the partition. */
    public boolean hasPendingTransactionalOffsets(String groupId, String topic, int partition) {
        return openProducers(groupId, topic, partition) != null;
    }

    /** Whether an open transaction holds a pending offset of the group. */
    public boolean hasPendingTransactionalOffsets(String groupId) {
        return openTransactions.containsKey(groupId);
    }

    /** Group ids with pending transactional offsets (read-only view). */
    public Set<String> groupIdsWithPendingOffsets() {
        return Collections.unmodifiableSet(openTransactions.keySet());
    }

    /**
     * Topic -> partition -> producers of the group's pending transactional offsets (read-only view,
     * empty if none).
     */
    public Map<String, Map<Integer, Set<Long>>> pendingPartitions(String groupId) {
        Map<String, Map<Integer, Set<Long>>> topics = openTransactions.get(groupId);
        return topics == null ? Collections.emptyMap() : Collections.unmodifiableMap(topics);
    }

    /** The offset {@code producerId}'s open transaction holds for the partition, or null. */
    public OffsetAndMetadata pendingTransactionalOffset(long producerId, String groupId, String topic, int partition) {
        Offsets pending = pendingByProducer.get(producerId);
        return pending == null ? null : pending.get(groupId, topic, partition);
    }

    /** Producers with pending transactional offsets on this shard (read-only view). */
    public Set<Long> producersWithPendingOffsets() {
        return Collections.unmodifiableSet(pendingByProducer.keySet());
    }

    /** Group -> topic -> partition -> offset, sorted below the group. */
    private static final class Offsets {
        final Map<String, Map<String, Map<Integer, OffsetAndMetadata>>> byGroup = new HashMap<>();

        OffsetAndMetadata put(String groupId, String topic, int partition, OffsetAndMetadata offset) {
            return byGroup.computeIfAbsent(groupId, g -> new TreeMap<>())
                    .computeIfAbsent(topic, t -> new TreeMap<>())
                    .put(partition, offset);
        }

        OffsetAndMetadata get(String groupId, String topic, int partition) {
            Map<String, Map<Integer, OffsetAndMetadata>> topics = byGroup.get(groupId);
            Map<Integer, OffsetAndMetadata> partitions = topics == null ? null : topics.get(topic);
            return partitions == null ? null : partitions.get(partition);
        }

        OffsetAndMetadata remove(String groupId, String topic, int partition) {
            Map<String, Map<Integer, OffsetAndMetadata>> topics = byGroup.get(groupId);
            Map<Integer, OffsetAndMetadata> partitions = topics == null ? null : topics.get(topic);
            if (partitions == null) {
                return null;
            }
            OffsetAndMetadata removed = partitions.remove(partition);
            if (partitions.isEmpty()) {
                topics.remove(topic);
            }
            if (topics.isEmpty()) {
                byGroup.remove(groupId);
            }
            return removed;
        }

        Map<String, Map<Integer, OffsetAndMetadata>> offsets(String groupId) {
            Map<String, Map<Integer, OffsetAndMetadata>> topics = byGroup.get(groupId);
            return topics == null ? Collections.emptyMap() : Collections.unmodifiableMap(topics);
        }
    }
}
