package io.skiff.coordinator.group.consumer;

import io.skiff.coordinator.group.TopicsView;
import io.skiff.wire.protocol.Uuid;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The metadata hash of a consumer group (KIP-1101), stored in ConsumerGroupMetadata records: a
 * hash of the subscribed topics' ids, names and partition counts. When it changes (a topic is
 * created or deleted, or gets partitions) the group epoch is bumped and a new assignment
 * computed. Only its changes matter (it is compared with what this coordinator stored), so Skiff
 * uses its own 64-bit hash: per topic, over a zero magic byte, the topic id, the name, the
 * partition count and each partition index (no racks); for the group, over the topic hashes in
 * name order; 0 without topics. Not thread-safe (it caches topic hashes); one per shard.
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

    /** A streaming 64-bit hash: FNV-1a over the bytes, finished with a strong avalanche step. */
    static final class Hasher {
        private long h = 0xcbf29ce484222325L;
        private boolean any;

        Hasher putByte(int b) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
            any = true;
            return this;
        }

        Hasher putInt(int v) {
            for (int shift = 24; shift >= 0; shift -= 8) {
                putByte(v >>> shift);
            }
            return this;
        }

        Hasher putLong(long v) {
            putInt((int) (v >>> 32));
            return putInt((int) v);
        }

        Hasher putString(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            putInt(b.length);
            for (byte x : b) {
                putByte(x);
            }
            return this;
        }

        long get() {
            long z = h;
            z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
            z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
            return z ^ (z >>> 31);
        }

        boolean any() {
            return any;
        }
    }

    /** The hash of the existing topics among {@code topicNames}; 0 if none exists. */
    public long groupHash(Set<String> topicNames, TopicsView topics) {
        Hasher stream = new Hasher();
        for (String name : new TreeSet<>(topicNames)) {
            Uuid id = topics.topicId(name);
            int partitions = topics.numPartitions(name);
            if (id == null || partitions < 0) {
                continue;
            }
            stream.putLong(topicHash(name, id, partitions));
        }
        return stream.any() ? stream.get() : 0L;
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
        Hasher stream = new Hasher()
                .putByte(TOPIC_HASH_MAGIC_BYTE)
                .putLong(id.mostSignificantBits())
                .putLong(id.leastSignificantBits())
                .putString(name)
                .putInt(partitions);
        for (int p = 0; p < partitions; p++) {
            stream.putInt(p);
        }
        return stream.get();
    }
}
