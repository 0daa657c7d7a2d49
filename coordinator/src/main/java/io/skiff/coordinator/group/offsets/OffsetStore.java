package io.skiff.coordinator.group.offsets;

import io.skiff.coordinator.record.OffsetCommitKey;
import io.skiff.coordinator.record.OffsetCommitValue;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The committed offsets of one shard: group -> topic -> partition -> offset. Changed only by
 * {@link #replay}. Topics and partitions iterate in sorted order so that responses listing all
 * offsets are stable. Shard-thread only.
 */
public final class OffsetStore {
    private final Map<String, Map<String, Map<Integer, OffsetAndMetadata>>> offsetsByGroup = new HashMap<>();
    private int numOffsets;

    /** Applies an OffsetCommit record (a null value deletes the offset). */
    public void replay(OffsetCommitKey key, OffsetCommitValue value) {
        if (value != null) {
            Map<Integer, OffsetAndMetadata> partitions = offsetsByGroup
                    .computeIfAbsent(key.group(), g -> new TreeMap<>())
                    .computeIfAbsent(key.topic(), t -> new TreeMap<>());
            if (partitions.put(key.partition(), OffsetAndMetadata.fromRecord(value)) == null) {
                numOffsets++;
            }
        } else {
            remove(key.group(), key.topic(), key.partition());
        }
    }

    private void remove(String groupId, String topic, int partition) {
        Map<String, Map<Integer, OffsetAndMetadata>> topics = offsetsByGroup.get(groupId);
        if (topics == null) {
            return;
        }
        Map<Integer, OffsetAndMetadata> partitions = topics.get(topic);
        if (partitions == null) {
            return;
        }
        if (partitions.remove(partition) != null) {
            numOffsets--;
        }
        if (partitions.isEmpty()) {
            topics.remove(topic);
        }
        if (topics.isEmpty()) {
            offsetsByGroup.remove(groupId);
        }
    }

    /** The offset, or null. */
    public OffsetAndMetadata get(String groupId, String topic, int partition) {
        Map<String, Map<Integer, OffsetAndMetadata>> topics = offsetsByGroup.get(groupId);
        if (topics == null) {
            return null;
        }
        Map<Integer, OffsetAndMetadata> partitions = topics.get(topic);
        return partitions == null ? null : partitions.get(partition);
    }

    /** Topic -> partition -> offset of a group (read-only view, empty if none). */
    public Map<String, Map<Integer, OffsetAndMetadata>> offsets(String groupId) {
        Map<String, Map<Integer, OffsetAndMetadata>> topics = offsetsByGroup.get(groupId);
        return topics == null ? Collections.emptyMap() : Collections.unmodifiableMap(topics);
    }

    public boolean hasOffsets(String groupId) {
        return offsetsByGroup.containsKey(groupId);
    }

    /** Group ids that have offsets (read-only view). */
    public Set<String> groupIds() {
        return Collections.unmodifiableSet(offsetsByGroup.keySet());
    }

    public int numOffsets() {
        return numOffsets;
    }
}
