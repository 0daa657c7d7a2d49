package io.skiff.coordinator.group.consumer;

import io.skiff.coordinator.group.TopicsView;
import io.skiff.wire.protocol.Uuid;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;

/**
 * The metadata hash of a consumer group (KIP-1101): a hash of the subscribed topics' ids, names
 * and partition counts, stored in ConsumerGroupMetadata records. When it changes (a topic is
 * created, deleted or gets partitions) the group epoch is bumped and a new assignment computed.
 * Computed the way Kafka 4.3 computes it (XXHash64 over magic byte, topic id hash, name,
 * partition count and, per partition, its racks; Skiff knows no racks), so Kafka reading Skiff's
 * records sees the same hash. Not thread-safe (it caches topic hashes); one per shard.
 */
public final class MetadataHash {
    private static final XXHash64 XXHASH = XXHashFactory.fastestJavaInstance().hash64();
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
        byte[] combined = new byte[8];
        boolean any = false;
        for (String name : new TreeSet<>(topicNames)) {
            Uuid id = topics.topicId(name);
            int partitions = topics.numPartitions(name);
            if (id == null || partitions < 0) {
                continue;
            }
            long h = topicHash(name, id, partitions);
            any = true;
            for (int i = 0; i < 8; i++) {
                combined[i] = (byte) (combined[i] * 37 ^ (byte) (h >> (8 * i)));
            }
        }
        return any ? XXHASH.hash(combined, 0, combined.length, 0) : 0L;
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

    static long computeTopicHash(String name, Uuid id, int partitions) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 4 * partitions);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(TOPIC_HASH_MAGIC_BYTE);
            out.writeLong(kafkaUuidHashCode(id));
            out.writeUTF(name);
            out.writeInt(partitions);
            for (int p = 0; p < partitions; p++) {
                out.writeInt(p);
                out.writeUTF("");
            }
            out.flush();
            byte[] b = bytes.toByteArray();
            return XXHASH.hash(b, 0, b.length, 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kafka's {@code Uuid.hashCode()}. */
    static int kafkaUuidHashCode(Uuid id) {
        long h = id.mostSignificantBits() ^ id.leastSignificantBits();
        return (int) (h >> 32) ^ (int) h;
    }
}
