package io.skiff.coordinator.group.consumer;

import com.dynatrace.hash4j.hashing.HashStream64;
import com.dynatrace.hash4j.hashing.Hashing;
import io.skiff.coordinator.group.TopicsView;
import io.skiff.wire.protocol.Uuid;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The metadata hash of a consumer group (KIP-1101), stored in ConsumerGroupMetadata records: a
 * hash of the subscribed topics' ids, names and partition counts. When it changes (a topic is
 * created or deleted, or gets partitions) the group epoch is bumped and a new assignment
 * computed. Computed as Kafka 4.3 computes it: per topic an XXH3-64 stream of a zero magic byte,
 * the topic id's two longs, the name, the partition count and each partition's index and racks
 * (Skiff knows no racks); for the group an XXH3-64 stream of the topic hashes in name order, 0
 * without topics. Not thread-safe (it caches topic hashes); one per shard.
 */
public final class MetadataHash {
    private static final byte TOPIC_HASH_MAGIC_BYTE = 0x00;

    private final Map<String, CachedTopic> cache = new HashMap<>();

    private static final class CachedTopic {
        final Uuid id;
        final int partitions;
        final long hash;

        CachedTopic(Uuid id, int partitions, long hash) {
            this.id = id;
            this.partitions = partitions;
            this.hash = hash;
        }
    }

    /** The hash of the existing topics among {@code topicNames}; 0 if none exists. */
    public long groupHash(Set<String> topicNames, TopicsView topics) {
        HashStream64 stream = null;
        for (String name : new TreeSet<>(topicNames)) {
            Uuid id = topics.topicId(name);
            int partitions = topics.numPartitions(name);
            if (id == null || partitions < 0) {
                continue;
            }
            if (stream == null) {
                stream = Hashing.xxh3_64().hashStream();
            }
            stream.putLong(topicHash(name, id, partitions));
        }
        return stream == null ? 0L : stream.getAsLong();
    }

    private long topicHash(String name, Uuid id, int partitions) {
        CachedTopic cached = cache.get(name);
        if (cached != null && cached.id.equals(id) && cached.partitions == partitions) {
            return cached.hash;
        }
        long hash = computeTopicHash(name, id, partitions);
        cache.put(name, new CachedTopic(id, partitions, hash));
        return hash;
    }

    /** The hash of one topic, whose partitions have no racks. */
    public static long computeTopicHash(String name, Uuid id, int partitions) {
        HashStream64 stream = Hashing.xxh3_64().hashStream()
            .putByte(TOPIC_HASH_MAGIC_BYTE)
            .putLong(id.mostSignificantBits())
            .putLong(id.leastSignificantBits())
            .putString(name)
            .putInt(partitions);
        for (int p = 0; p < partitions; p++) {
            stream.putInt(p);
        }
        return stream.getAsLong();
    }
}
