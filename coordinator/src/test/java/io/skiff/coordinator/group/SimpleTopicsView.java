package io.skiff.coordinator.group;

import io.skiff.wire.protocol.Uuid;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@link TopicsView} over a map kept by hand. Test support, shipped in the coordinator's
 * test-jar. Thread-safe.
 */
public final class SimpleTopicsView implements TopicsView {
    private final Map<String, Uuid> ids = new HashMap<>();
    private final Map<Uuid, String> names = new HashMap<>();
    private final Map<String, Integer> partitions = new HashMap<>();
    private long version;

    /** Creates or resizes a topic; returns its id. */
    public synchronized Uuid put(String name, int numPartitions) {
        Uuid id = ids.get(name);
        if (id == null) {
            id = Uuid.random();
            ids.put(name, id);
            names.put(id, name);
        }
        partitions.put(name, numPartitions);
        version++;
        return id;
    }

    /** Creates a topic with a given id. */
    public synchronized void put(String name, Uuid id, int numPartitions) {
        ids.put(name, id);
        names.put(id, name);
        partitions.put(name, numPartitions);
        version++;
    }

    public synchronized void remove(String name) {
        Uuid id = ids.remove(name);
        if (id != null) {
            names.remove(id);
        }
        partitions.remove(name);
        version++;
    }

    @Override
    public synchronized Uuid topicId(String topicName) {
        return ids.get(topicName);
    }

    @Override
    public synchronized String topicName(Uuid topicId) {
        return names.get(topicId);
    }

    @Override
    public synchronized int numPartitions(String topicName) {
        Integer n = partitions.get(topicName);
        return n == null ? -1 : n;
    }

    @Override
    public synchronized Collection<String> topicNames() {
        return new ArrayList<>(ids.keySet());
    }

    @Override
    public synchronized long version() {
        return version;
    }
}
