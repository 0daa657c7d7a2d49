package io.skiff.coordinator.group;

import io.skiff.coordinator.group.classic.ClassicGroup;
import io.skiff.coordinator.group.consumer.ConsumerGroup;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The groups of one shard by id. Shard-thread only. */
public final class GroupStore {
    private final Map<String, Group> groups = new LinkedHashMap<>();

    public Group group(String groupId) {
        return groups.get(groupId);
    }

    public ClassicGroup classicGroupOrNull(String groupId) {
        Group g = groups.get(groupId);
        return g instanceof ClassicGroup ? (ClassicGroup) g : null;
    }

    public ConsumerGroup consumerGroupOrNull(String groupId) {
        Group g = groups.get(groupId);
        return g instanceof ConsumerGroup ? (ConsumerGroup) g : null;
    }

    public void putClassicGroup(ClassicGroup group) {
        groups.put(group.groupId(), group);
    }

    public void putConsumerGroup(ConsumerGroup group) {
        groups.put(group.groupId(), group);
    }

    public Group remove(String groupId) {
        return groups.remove(groupId);
    }

    public Collection<Group> all() {
        return Collections.unmodifiableCollection(groups.values());
    }

    /** A snapshot of the classic groups (safe to iterate while groups change). */
    public List<ClassicGroup> classicGroups() {
        List<ClassicGroup> out = new ArrayList<>();
        for (Group g : groups.values()) {
            if (g instanceof ClassicGroup) {
                out.add((ClassicGroup) g);
            }
        }
        return out;
    }

    /** A snapshot of the consumer groups. */
    public List<ConsumerGroup> consumerGroups() {
        List<ConsumerGroup> out = new ArrayList<>();
        for (Group g : groups.values()) {
            if (g instanceof ConsumerGroup) {
                out.add((ConsumerGroup) g);
            }
        }
        return out;
    }

    public List<String> groupIds() {
        return new ArrayList<>(groups.keySet());
    }

    public int size() {
        return groups.size();
    }
}
